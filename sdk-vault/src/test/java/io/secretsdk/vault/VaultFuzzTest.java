package io.secretsdk.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.testing.Mutations;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing campaigns (issue 10, "Fuzzing") through the public source against WireMock, driven by a
 * seeded {@link Random} so that a failure replays: mutated Vault answers (with every status Vault
 * uses) for every kind of path, and arbitrary references. Required: a secret or a typed {@link
 * SecretException} subclass, no hang, and no text of the body (every string in it is a unique
 * marker) in any message.
 */
class VaultFuzzTest extends VaultFake {
  static final long SEED = Long.getLong("fuzz.seed", 20261202L);
  static final int BODIES = Integer.getInteger("fuzz.bodies", 500);
  static final int REFS = Integer.getInteger("fuzz.refs", 500);
  static final int[] STATUSES = {200, 200, 200, 200, 404, 404, 403, 400, 412, 429, 500, 503, 307};
  static final String[] PATHS = {"secret/app", "kv/app", "database/creds/app", "database/static-creds/app"};

  private final List<String> markers = new ArrayList<>();

  private String m(Random r) {
    String marker = "mq" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36);
    markers.add(marker);
    return marker;
  }

  /** A realistic answer for a path, every string value a marker. */
  private String template(Random r, String path, int status) {
    if (status != 200 && status != 404) {
      return "{\"errors\":[\"" + m(r) + "\",\"permission denied\",\"" + m(r) + "\"]}";
    }
    switch (path) {
      case "secret/app":
        if (status == 404 && r.nextBoolean()) {
          return "{\"data\":{\"data\":null,\"metadata\":{\"created_time\":\"" + m(r) + "\",\"deletion_time\":\"" + m(r)
              + "\",\"destroyed\":" + r.nextBoolean() + ",\"version\":" + r.nextInt(9) + "}}}";
        }
        return "{\"request_id\":\"" + m(r) + "\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,"
            + "\"data\":{\"data\":{\"username\":\"" + m(r) + "\",\"password\":\"" + m(r) + "\"},"
            + "\"metadata\":{\"created_time\":\"2026-01-01T00:00:00Z\",\"custom_metadata\":{\"" + m(r) + "\":\"" + m(r)
            + "\"},\"deletion_time\":\"\",\"destroyed\":false,\"version\":3}},\"warnings\":[\"" + m(r) + "\"]}";
      case "kv/app":
        return "{\"lease_id\":\"" + (r.nextBoolean() ? "" : m(r)) + "\",\"lease_duration\":" + r.nextInt(5000)
            + ",\"renewable\":" + r.nextBoolean() + ",\"data\":{\"" + m(r) + "\":\"" + m(r) + "\"}}";
      case "database/creds/app":
        return "{\"lease_id\":\"database/creds/app/" + m(r) + "\",\"renewable\":true,\"lease_duration\":3600,"
            + "\"data\":{\"username\":\"" + m(r) + "\",\"password\":\"" + m(r) + "\"}}";
      default:
        return "{\"data\":{\"username\":\"" + m(r) + "\",\"password\":\"" + m(r) + "\",\"ttl\":10,\"rotation_period\":60,"
            + "\"last_vault_rotation\":\"" + (r.nextBoolean() ? "2026-01-01T00:00:00Z" : m(r)) + "\"}}";
    }
  }

  /** Structural and byte mutations. */
  private byte[] mutate(Random r, String body) {
    String s = body;
    switch (r.nextInt(10)) {
      case 0 -> { // duplicate a field
        int at = s.indexOf("\"password\":");
        if (at > 0) {
          s = s.substring(0, at) + "\"password\":\"" + m(r) + "\"," + s.substring(at);
        }
      }
      case 1 -> { // deep nesting
        int depth = 500 + r.nextInt(3000);
        s = s.replaceFirst("\"data\":\\{", "\"data\":" + "[".repeat(depth) + "]".repeat(depth) + ",\"x\":{");
      }
      case 2 -> s = s.replaceAll(":(\\d+)", ":1" + "9".repeat(30 + r.nextInt(400))); // huge numbers
      case 3 -> s = s.replaceAll(":\"(mq[0-9a-z]+)\"", r.nextBoolean() ? ":{\"$1\":1}" : ":[\"$1\"]"); // types changed
      case 4 -> s = s.replace("\"data\"", "\"d\\u0061ta\""); // escaped key
      default -> { } // byte mutations only
    }
    return Mutations.json(r, s.getBytes(StandardCharsets.UTF_8));
  }

  private void checkMessage(SecretException e, String context) {
    assertThat(e.getClass()).as("a typed subclass: " + context).isNotEqualTo(SecretException.class);
    for (Throwable t = e; t != null; t = t.getCause()) {
      String msg = String.valueOf(t.getMessage());
      for (String marker : markers) {
        assertThat(msg).as("body text in a message: " + context).doesNotContain(marker);
      }
    }
  }

  @Test
  void mutatedAnswersGiveASecretOrATypedErrorWithoutBodyText() {
    Random r = new Random(SEED);
    tokenSource("hvs.fuzz-token");
    source.close();
    source = builder(VaultAuth.none()).kvV1Mounts("kv").requestTimeout(java.time.Duration.ofSeconds(3)).build();
    Map<String, Integer> outcomes = new TreeMap<>();
    long slowest = 0;
    for (int i = 0; i < BODIES; i++) {
      markers.clear();
      String path = PATHS[r.nextInt(PATHS.length)];
      int status = STATUSES[r.nextInt(STATUSES.length)];
      byte[] body = mutate(r, template(r, path, status));
      wm.stubFor(get(urlPathEqualTo("/v1/" + path)).willReturn(aResponse().withStatus(status)
          .withHeader("Content-Type", "application/json").withHeader("Retry-After", r.nextBoolean() ? "3" : "x")
          .withBody(body)));
      String context = "try " + i + " " + path + " HTTP " + status;
      long t0 = System.nanoTime();
      try {
        Secret s = source.fetch(SecretRef.of(path));
        s.value().destroy();
        outcomes.merge("secret", 1, Integer::sum);
      } catch (SecretException e) {
        checkMessage(e, context);
        outcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      }
      slowest = Math.max(slowest, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }
    System.out.println("[fuzz] vault bodies: seed " + SEED + ", " + BODIES + " answers: " + outcomes + ", slowest "
        + slowest + " ms");
    assertThat(outcomes).containsKey("secret").containsKey("SecretFormatException");
    // No hang: every call ends within the request timeout (3 s), with a margin for a loaded machine.
    assertThat(slowest).isLessThan(15_000);
  }

  @Test
  void arbitraryRefsGiveTypedErrorsOnly() {
    Random r = new Random(SEED + 1);
    wm.stubFor(any(anyUrl()).willReturn(json(404, "{\"errors\":[]}")));
    source = builder(VaultAuth.none()).build();
    String alphabet = "ab/./../v1/auth/sys/secret/data/metadata/database/creds/\\\0\n\r\t %?#=&:@*~\u00e9\u2028\ud83d\ude00";
    Map<String, Integer> outcomes = new TreeMap<>();
    int parseRefused = 0;
    for (int i = 0; i < REFS; i++) {
      StringBuilder sb = new StringBuilder();
      int len = 1 + r.nextInt(30);
      int start = r.nextInt(alphabet.length());
      for (int k = 0; k < len; k++) {
        // runs of the alphabet keep its words (auth/, secret/data/) together, with random jumps
        sb.append(alphabet.charAt((start + k) % alphabet.length()));
        if (r.nextInt(4) == 0) {
          start = r.nextInt(alphabet.length()) - k - 1;
          start = Math.floorMod(start, alphabet.length());
        }
      }
      SecretRef ref;
      try {
        ref = r.nextBoolean() ? SecretRef.of(sb.toString()) : SecretRef.parse("vault://" + sb);
      } catch (RuntimeException e) {
        parseRefused++;
        continue;
      }
      try {
        Secret s = source.fetch(ref);
        s.value().destroy();
        outcomes.merge("secret", 1, Integer::sum);
      } catch (SecretException e) {
        assertThat(e.getClass()).isNotEqualTo(SecretException.class);
        outcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      }
    }
    System.out.println("[fuzz] vault refs: seed " + (SEED + 1) + ", " + REFS + " refs (" + parseRefused
        + " refused by SecretRef): " + outcomes);
    assertThat(outcomes).doesNotContainKey("secret");
  }
}
