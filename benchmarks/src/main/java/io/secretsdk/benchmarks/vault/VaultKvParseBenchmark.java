package io.secretsdk.benchmarks.vault;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionStage;
import io.secretsdk.vault.internal.Responses;
import io.secretsdk.vault.internal.Route;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of reading a typical KV v2 answer (the body a {@code GET /v1/secret/data/app} returns):
 * secretsdk's String-free parse into a {@link Secret}, a field read, and the wiping of the value
 * and the body, against Jackson databind reading the same bytes into a {@code Map<String,String>}
 * (what a client built on databind does, leaving Strings nobody can wipe).
 *
 * <p>Each operation starts from a fresh copy of the body, as each HTTP answer is a new array.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar VaultKvParse -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VaultKvParseBenchmark {
  static final byte[] BODY = ("{\"request_id\":\"0b1f3c9e-7f43-4a52-8f0e-2f7d3c1a9b11\",\"lease_id\":\"\",\"renewable\":false,"
      + "\"lease_duration\":0,\"data\":{\"data\":{\"username\":\"orders-app\",\"password\":\"Zq8#vR2!mN5pL9@xT4wK\","
      + "\"host\":\"db.internal.example.com\",\"port\":\"5432\",\"dbname\":\"orders\",\"engine\":\"postgres\"},"
      + "\"metadata\":{\"created_time\":\"2026-01-15T09:12:44.123456789Z\",\"custom_metadata\":{\"owner\":\"team-a\"},"
      + "\"deletion_time\":\"\",\"destroyed\":false,\"version\":7}},\"wrap_info\":null,\"warnings\":null,\"auth\":null,"
      + "\"mount_type\":\"kv\"}").getBytes(StandardCharsets.UTF_8);

  private static final SecretRef REF = SecretRef.parse("vault://secret/app");
  private static final Route ROUTE = new Route(Route.Kind.KV2, "secret", "app", "secret/data/app");
  private static final Set<VersionStage> CURRENT = Set.of(VersionStage.CURRENT);
  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** The shape a databind-based client maps the answer to. */
  public static final class KvV2Response {
    /** The outer data block. */
    public Data data;
  }

  /** {@code data}: the values and their metadata. */
  public static final class Data {
    /** The secret's key/value pairs. */
    public Map<String, String> data;
    /** Version metadata. */
    public Map<String, Object> metadata;
  }

  /** secretsdk: parse into a Secret (value as char[]), wipe the body, destroy the value. */
  @Benchmark
  public int sdkParseAndWipe() {
    byte[] body = BODY.clone();
    Secret secret = Responses.kv2(body, REF, ROUTE, CURRENT);
    Arrays.fill(body, (byte) 0);
    int n = secret.value().length();
    secret.value().destroy();
    return n;
  }

  /** secretsdk: as above, and read the password field (parsed without a String) once. */
  @Benchmark
  public int sdkParseReadFieldAndWipe() {
    byte[] body = BODY.clone();
    Secret secret = Responses.kv2(body, REF, ROUTE, CURRENT);
    Arrays.fill(body, (byte) 0);
    SecretValue password = secret.field("password");
    int n = password.withChars(chars -> chars.length);
    secret.value().destroy();
    return n;
  }

  /** Baseline: databind into a Map of Strings, then read the password; nothing can be wiped. */
  @Benchmark
  public int databindMapOfStrings() throws Exception {
    byte[] body = BODY.clone();
    KvV2Response r = MAPPER.readValue(body, KvV2Response.class);
    return r.data.data.get("password").length();
  }
}
