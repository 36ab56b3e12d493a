package io.secretsdk.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.VersionStage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** The response parser turns any bytes into a value or a SecretException, nothing else. */
class ResponseParserPropertiesTest {
  private static final SecretRef REF = SecretRef.parse("vault://secret/app");
  private static final Route KV2 = new Route(Route.Kind.KV2, "secret", "app", "secret/data/app");
  private static final Route KV1 = new Route(Route.Kind.KV1, "kv", "app", "kv/app");
  private static final Route CREDS = new Route(Route.Kind.DATABASE_CREDS, "database", "app", "database/creds/app");
  private static final Route STATIC = new Route(Route.Kind.DATABASE_STATIC, "database", "app", "database/static-creds/app");
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final Lease LEASE = new Lease("database/creds/app/x", NOW, Duration.ofHours(1), true);

  private static final String KV2_BODY =
      "{\"request_id\":\"r\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,"
          + "\"data\":{\"data\":{\"username\":\"app\",\"password\":\"s3cr\\u00e9t\\\"x\",\"n\":12},"
          + "\"metadata\":{\"created_time\":\"2026-01-01T00:00:00Z\",\"custom_metadata\":{\"a\":\"b\"},"
          + "\"deletion_time\":\"\",\"destroyed\":false,\"version\":3}},\"warnings\":null}";
  private static final String CREDS_BODY =
      "{\"lease_id\":\"database/creds/app/x\",\"renewable\":true,\"lease_duration\":3600,"
          + "\"data\":{\"username\":\"v-app\",\"password\":\"p\"}}";
  private static final String STATIC_BODY =
      "{\"data\":{\"username\":\"u\",\"password\":\"p\",\"ttl\":10,\"rotation_period\":60,"
          + "\"last_vault_rotation\":\"2026-01-01T00:00:00Z\"}}";
  private static final String META_BODY =
      "{\"data\":{\"current_version\":3,\"versions\":{\"1\":{\"deletion_time\":\"\",\"destroyed\":false},"
          + "\"2\":{\"deletion_time\":\"x\",\"destroyed\":false},\"3\":{\"deletion_time\":\"\",\"destroyed\":false}}}}";

  /** Runs every reader on the bytes; each must return or throw a SecretException. */
  private static void everyReader(byte[] body) {
    List<Supplier<Object>> readers = List.of(
        () -> Json.parse(body, "body", REF),
        () -> Responses.kv2(body, REF, KV2, Set.of(VersionStage.CURRENT)),
        () -> Responses.kv1(body, REF, KV1, NOW),
        () -> Responses.databaseCreds(body, REF, CREDS, NOW),
        () -> Responses.databaseStatic(body, REF, STATIC, NOW),
        () -> Responses.kv2Metadata(body, REF),
        () -> Responses.notFound(body, REF, KV2),
        () -> Responses.renewedLease(body, LEASE, Duration.ofHours(1), NOW),
        () -> Login.grant(body, "login"),
        () -> Login.lifetime(body, "renewal"),
        () -> VaultErrors.phrases(body));
    for (Supplier<Object> reader : readers) {
      byte[] before = body.clone();
      try {
        Object result = reader.get();
        assertThat(result).isNotNull();
        if (result instanceof Secret) {
          Secret s = (Secret) result;
          // A value is always a readable JSON object.
          assertThat(s.fieldNames()).isNotNull();
          s.value().destroy();
        } else if (result instanceof Login.Grant) {
          ((Login.Grant) result).token().destroy();
        }
      } catch (SecretException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      }
      assertThat(body).as("readers never modify the body").isEqualTo(before);
    }
  }

  @Property(tries = 300)
  void arbitraryBytesGiveAValueOrASecretException(@ForAll @Size(max = 200) byte[] body) {
    everyReader(body);
  }

  @Property(tries = 300)
  void mutatedVaultAnswersGiveAValueOrASecretException(@ForAll("mutated") byte[] body) {
    everyReader(body);
  }

  @Property(tries = 500)
  void anyTextSurvivesTheTripThroughAKvV2AnswerUnchanged(@ForAll("texts") String value) {
    byte[] body = ("{\"data\":{\"data\":{\"v\":" + jsonString(value) + "},\"metadata\":{\"version\":1}}}")
        .getBytes(StandardCharsets.UTF_8);
    Secret s = Responses.kv2(body, REF, KV2, Set.of());
    try {
      assertThat(s.field("v").contentEquals(value.toCharArray())).isTrue();
    } finally {
      s.value().destroy();
    }
  }

  @Property(tries = 200)
  void anyNameRoutesOrIsRefusedAsAnInvalidReference(@ForAll @Size(max = 40) String name) {
    try {
      Route r = Route.of(SecretRef.of(name.isBlank() ? "x" + name : name), Set.of("secret"), Set.of("kv"), Set.of("database"));
      assertThat(r.apiPath()).doesNotContain("//").doesNotStartWith("/");
    } catch (SecretException expected) {
      assertThat(expected).isInstanceOf(io.secretsdk.InvalidSecretRefException.class);
    }
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.strings().all().ofMaxLength(30)
        .filter(s -> {
          for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
              if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                return false;
              }
              i++;
            } else if (Character.isLowSurrogate(c)) {
              return false;
            }
          }
          return true;
        });
  }

  @Provide
  Arbitrary<byte[]> mutated() {
    Arbitrary<String> base = Arbitraries.of(KV2_BODY, CREDS_BODY, STATIC_BODY, META_BODY);
    Arbitrary<Integer> kind = Arbitraries.integers().between(0, 3);
    Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
    Arbitrary<Byte> what = Arbitraries.bytes();
    Arbitrary<Integer> count = Arbitraries.integers().between(1, 4);
    return Combinators.combine(base, kind, where, what, count).as((b, k, at, by, n) -> {
      byte[] bytes = b.getBytes(StandardCharsets.UTF_8);
      for (int m = 0; m < n; m++) {
        int i = Math.min(bytes.length - 1, (int) (at * bytes.length * (m + 1) / n));
        switch (k) {
          case 0: // flip a byte
            bytes[i] = by;
            break;
          case 1: // cut
            bytes = Arrays.copyOf(bytes, i);
            break;
          case 2: { // insert
            byte[] longer = new byte[bytes.length + 1];
            System.arraycopy(bytes, 0, longer, 0, i);
            longer[i] = by;
            System.arraycopy(bytes, i, longer, i + 1, bytes.length - i);
            bytes = longer;
            break;
          }
          default: { // delete
            byte[] shorter = new byte[bytes.length - 1];
            System.arraycopy(bytes, 0, shorter, 0, i);
            System.arraycopy(bytes, i + 1, shorter, i, bytes.length - i - 1);
            bytes = shorter;
          }
        }
        if (bytes.length == 0) {
          break;
        }
      }
      return bytes;
    });
  }

  private static String jsonString(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || (i % 3 == 0 && c > 0x7F)) {
        // Controls must be escaped; some others are, to exercise \\u escapes (a pair as a pair).
        sb.append(String.format("\\u%04x", (int) c));
        if (Character.isHighSurrogate(c)) {
          sb.append(String.format("\\u%04x", (int) s.charAt(++i)));
        }
      } else if (Character.isHighSurrogate(c)) {
        sb.append(c).append(s.charAt(++i));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
