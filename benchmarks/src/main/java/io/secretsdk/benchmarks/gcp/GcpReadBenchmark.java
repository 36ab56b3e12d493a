package io.secretsdk.benchmarks.gcp;

import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.gcp.GcpSecretManagerSource;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One read of one secret, against the same in-process Secret Manager (real client, real gRPC
 * marshalling, no network): a warm {@code SecretCache.get} over {@code GcpSecretManagerSource},
 * and a bare {@code accessSecretVersion} per read, which is what Spring Cloud GCP's property source
 * does on every {@code getProperty}. The bare read is also one billed access operation each time.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar GcpReadBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class GcpReadBenchmark {
  private InProcessSecretManager server;
  private SecretManagerServiceClient cacheClient;
  private SecretManagerServiceClient bareClient;
  private GcpSecretManagerSource source;
  private SecretCache cache;
  private SecretRef ref;
  private AccessSecretVersionRequest request;

  @Setup(Level.Trial)
  public void setUp() {
    server = new InProcessSecretManager(100);
    cacheClient = server.client();
    bareClient = server.client();
    source = GcpSecretManagerSource.builder().client(cacheClient).project(InProcessSecretManager.PROJECT).build();
    cache = SecretCache.builder(source).build();
    ref = SecretRef.parse("gcp-sm://s7");
    cache.get(ref);
    request = AccessSecretVersionRequest.newBuilder()
        .setName("projects/" + InProcessSecretManager.PROJECT + "/secrets/s7/versions/latest").build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    cache.close();
    source.close();
    cacheClient.close();
    bareClient.close();
    server.close();
  }

  /** A warm read: the value the cache holds. */
  @Benchmark
  public SecretValue warmCacheGet() {
    return cache.get(ref).value();
  }

  /** A read that calls Secret Manager each time, as a property source without a cache does. */
  @Benchmark
  public int bareAccessSecretVersion() {
    return bareClient.accessSecretVersion(request).getPayload().getData().size();
  }
}
