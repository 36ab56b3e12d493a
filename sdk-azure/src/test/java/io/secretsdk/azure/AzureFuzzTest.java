package io.secretsdk.azure;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.Mutations;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fuzzing campaigns (issue 10, "Fuzzing") through the source and the real {@code SecretClient}
 * against WireMock: generated Key Vault answers (secret bundles, version listings, error bodies)
 * with odd identifiers, attribute values of every JSON type and range, tags, {@code nextLink}s
 * that page forever, and the same bodies mutated (structure and bytes); and arbitrary references
 * through Key Vault's ref parsing and every read. Driven by a seeded {@link Random} so that a
 * failure replays ({@code -Dfuzz.seed}, {@code -Dfuzz.tries}, {@code -Dfuzz.refs}).
 *
 * <p>Required: a secret whose value is text of the answer, or a {@link SecretException}; no hang
 * (every call ends within the client's timeout); no text of an answer (every string in it is a
 * unique marker; Key Vault's error codes, which messages name, are the exception) in any message
 * or cause; no value or service message in any log line.
 */
class AzureFuzzTest {
  static final long SEED = Long.getLong("fuzz.seed", 20261202L);
  static final int TRIES = Integer.getInteger("fuzz.tries", 100);
  static final int REFS = Integer.getInteger("fuzz.refs", 1000);
  static final int[] STATUSES = {200, 200, 200, 200, 200, 200, 404, 403, 401, 400, 409, 429, 500, 503, 302, 204};
  static final String[] CODES = {"Forbidden", "SecretDisabled", "SecretNotFound", "Throttled", "BadParameter",
      "ForbiddenByPolicy", "Unauthorized"};

  @RegisterExtension static final KeyVaultFake fake = new KeyVaultFake();

  private final List<String> markers = new ArrayList<>();
  private Random r;

  private String m() {
    String marker = "mq" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36);
    markers.add(marker);
    return marker;
  }

  /** A marker for a value or a service message: never in a message, and never logged either. */
  private String secretMarker() {
    String marker = m();
    LeakGuard.watch(marker);
    return marker;
  }

  private String number() {
    String[] n = {"1700000000", "0", "-1", "1e300", "-1e300", "9223372036854775807", "99999999999999999999",
        "1.5", "\"" + m() + "\"", "null", "true", "253402300800", "-62135596801", "[]", "{}"};
    return r.nextInt(3) == 0 ? n[r.nextInt(n.length)] : Long.toString(1_600_000_000L + r.nextInt(200_000_000));
  }

  private String id(String name, String version) {
    String base = fake.vaultUrl() + "/secrets/";
    return switch (r.nextInt(10)) {
      case 0 -> base + m() + "/" + version; // another secret
      case 1 -> base + name + "/" + m(); // another version
      case 2 -> base + name;
      case 3 -> m();
      case 4 -> "https://" + m() + ".vault.azure.net/secrets/" + name + "/" + version;
      case 5 -> base + name + "/" + version + "/" + m();
      default -> base + name + "/" + version;
    };
  }

  private String attributes() {
    StringBuilder a = new StringBuilder("{");
    String[] keys = {"enabled", "nbf", "exp", "created", "updated", "recoveryLevel", "recoverableDays"};
    for (String k : keys) {
      if (r.nextInt(4) == 0) {
        continue;
      }
      String v = switch (k) {
        case "enabled" -> r.nextInt(5) == 0 ? (r.nextBoolean() ? "false" : "\"" + m() + "\"") : "true";
        case "recoveryLevel" -> "\"" + m() + "\"";
        case "nbf" -> r.nextInt(4) == 0 ? number() : Long.toString(r.nextInt(5) == 0 ? 4_000_000_000L : 1_600_000_000L);
        case "exp" -> r.nextInt(4) == 0 ? number() : Long.toString(r.nextInt(5) == 0 ? 1_600_000_000L : 4_000_000_000L);
        default -> number();
      };
      a.append(a.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v);
    }
    return a.append('}').toString();
  }

  private String value() {
    return switch (r.nextInt(6)) {
      case 0 -> "";
      case 1 -> "{\\\"password\\\":\\\"" + secretMarker() + "\\\"}";
      case 2 -> secretMarker() + "\\u00e9\\ud83d\\ude00\\n\\u0000";
      case 3 -> secretMarker().repeat(1 + r.nextInt(5_000));
      default -> secretMarker();
    };
  }

  private String bundle(String name, String version) {
    String value = r.nextInt(12) == 0 ? (r.nextBoolean() ? "null" : number()) : "\"" + value() + "\"";
    String tags = r.nextBoolean() ? "" : ",\"tags\":{\"" + m() + "\":\"" + m() + "\",\"" + m() + "\":null}";
    return "{\"value\":" + value + ",\"id\":\"" + id(name, version) + "\",\"contentType\":\"" + m() + "\""
        + tags + ",\"kid\":\"" + m() + "\",\"managed\":" + r.nextBoolean() + ",\"attributes\":" + attributes() + "}";
  }

  private String page(String name) {
    StringBuilder items = new StringBuilder();
    for (int i = r.nextInt(6); i > 0; i--) {
      String version = r.nextBoolean() ? "0123456789abcdef0123456789abcd0" + i : m();
      items.append(items.length() > 0 ? "," : "").append("{\"id\":\"").append(id(name, version))
          .append("\",\"attributes\":").append(attributes()).append('}');
    }
    String next = switch (r.nextInt(5)) {
      case 0 -> "\"" + fake.vaultUrl() + "/secrets/" + name + "/versions?api-version=7.5&$skiptoken=" + m() + "\"";
      case 1 -> "\"" + m() + "\"";
      default -> "null";
    };
    return "{\"value\":[" + items + "],\"nextLink\":" + next + "}";
  }

  private String errorBody() {
    String code = r.nextInt(4) == 0 ? m() + " <x>" : CODES[r.nextInt(CODES.length)];
    return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + secretMarker() + " " + secretMarker() + "\""
        + (r.nextBoolean() ? ",\"innererror\":{\"code\":\"" + CODES[r.nextInt(CODES.length)] + "\"}" : "") + "}}";
  }

  /** Structural and byte mutations of a JSON body. */
  private byte[] mutate(String body) {
    String s = body;
    switch (r.nextInt(10)) {
      case 0 -> s = s.replaceFirst("\"value\":", "\"value\":\"" + m() + "\",\"value\":"); // duplicate a field
      case 1 -> {
        int depth = 500 + r.nextInt(3000);
        s = s.replaceFirst("\"attributes\":", "\"deep\":" + "[".repeat(depth) + "]".repeat(depth) + ",\"attributes\":");
      }
      case 2 -> s = s.replaceAll(":(\\d+)", ":1" + "9".repeat(30 + r.nextInt(400))); // huge numbers
      case 3 -> s = s.replaceAll(":\"(mq[0-9a-z]+)\"", r.nextBoolean() ? ":{\"$1\":1}" : ":[\"$1\"]"); // types changed
      case 4 -> s = s.replace("\"value\"", "\"v\\u0061lue\""); // escaped key
      default -> { } // byte mutations only
    }
    return Mutations.json(r, s.getBytes(StandardCharsets.UTF_8));
  }

  private StubMapping stub(com.github.tomakehurst.wiremock.client.MappingBuilder on, String template, int status,
      List<byte[]> sent) {
    byte[] body = r.nextInt(3) == 0 ? mutate(template) : template.getBytes(StandardCharsets.UTF_8);
    sent.add(body);
    String[] retryAfter = {"3", "x", "9223372036854775807", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999999999999"};
    return fake.server.stubFor(on.willReturn(aResponse().withStatus(status)
        .withHeader("Content-Type", "application/json; charset=utf-8")
        .withHeader(r.nextBoolean() ? "Retry-After" : "retry-after-ms", retryAfter[r.nextInt(retryAfter.length)])
        // a request id is quoted in messages (for support cases) only when it is a plain identifier
        .withHeader("x-ms-request-id", r.nextBoolean() ? "1f2e3d4c-0000-4000-8000-00000000a11d" : m() + " <x>")
        .withBody(body)));
  }

  private static String render(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  /** A body's text with JSON escapes decoded, leniently (what a value taken from it can be). */
  private static String unescaped(byte[] body) {
    String s = new String(body, StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char e = s.charAt(++i);
        switch (e) {
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          case 'r' -> out.append('\r');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            if (i + 4 < s.length()) {
              try {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                i += 4;
              } catch (NumberFormatException ignored) {
                out.append('u');
              }
            }
          }
          default -> out.append(e);
        }
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  @Test
  void generatedAndMutatedAnswersGiveASecretFromTheAnswerOrATypedErrorWithoutItsText() {
    r = new Random(SEED);
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    String[] forms = {"", "?version=0123456789abcdef0123456789abcd01", "?stage=previous"};
    AzureKeyVaultSource source = AzureKeyVaultSource.builder().vaultUrl(fake.vaultUrl()).credential(fake.credential)
        .httpClient(fake.redirect(Duration.ofSeconds(3))).timeout(Duration.ofSeconds(3)).build();
    long slowest = 0;
    for (int i = 0; i < TRIES; i++) {
      markers.clear();
      String name = "s" + i;
      String version = "0123456789abcdef0123456789abcd01";
      List<byte[]> sent = new ArrayList<>();
      List<StubMapping> stubs = new ArrayList<>();
      int status = STATUSES[r.nextInt(STATUSES.length)];
      stubs.add(stub(KeyVaultFake.getSecret(name, ""), status == 200 ? bundle(name, version) : errorBody(), status,
          sent));
      status = STATUSES[r.nextInt(STATUSES.length)];
      stubs.add(stub(KeyVaultFake.getSecret(name, version), status == 200 ? bundle(name, version) : errorBody(),
          status, sent));
      for (int k = 1; k < 6; k++) {
        stubs.add(stub(KeyVaultFake.getSecret(name, "0123456789abcdef0123456789abcd0" + k), bundle(name,
            "0123456789abcdef0123456789abcd0" + k), 200, sent));
      }
      status = STATUSES[r.nextInt(STATUSES.length)];
      stubs.add(stub(KeyVaultFake.listVersions(name), status == 200 ? page(name) : errorBody(), status, sent));
      String form = forms[r.nextInt(forms.length)];
      String context = "try " + i + " (seed " + SEED + ") " + form;
      long t0 = System.nanoTime();
      try {
        Secret s = source.fetch(SecretRef.parse("azure-kv://" + name + form));
        String text = s.value().withChars(String::new);
        if (sent.stream().noneMatch(b -> unescaped(b).contains(text)
            || new String(b, StandardCharsets.UTF_8).contains(text))) {
          failures.add(context + ": a value that is not in any answer");
        }
        if (text.length() >= 8 && (s.toString() + s.value()).contains(text)) {
          failures.add(context + ": the value in toString()");
        }
        s.value().destroy();
        outcomes.merge("secret", 1, Integer::sum);
      } catch (SecretException e) {
        String rendered = render(e);
        for (String marker : markers) {
          if (rendered.contains(marker)) {
            failures.add(context + ": answer text in " + e.getClass().getSimpleName() + " " + e.getMessage());
            break;
          }
        }
        outcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      } catch (RuntimeException e) {
        failures.add(context + ": untyped " + e);
        outcomes.merge("untyped " + e.getClass().getSimpleName(), 1, Integer::sum);
      }
      slowest = Math.max(slowest, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      stubs.forEach(fake.server::removeStub);
    }
    source.close();
    System.out.println("[fuzz] azure answers: seed " + SEED + ", " + TRIES + " tries: " + outcomes + ", slowest "
        + slowest + " ms");
    assertThat(failures).as("failures").isEmpty();
    assertThat(outcomes).containsKey("secret").containsKey("SecretFormatException");
    // No hang: every call ends within the client's timeout (3 s) per request, with a margin.
    assertThat(slowest).isLessThan(15_000);
  }

  @Test
  void arbitraryRefsThroughEveryReadGiveTypedErrorsOnly() {
    r = new Random(SEED + 1);
    fake.server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
            com.github.tomakehurst.wiremock.client.WireMock.anyUrl())
        .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer " + KeyVaultFake.TOKEN))
        .willReturn(KeyVaultFake.error(404, "SecretNotFound", null, "no such secret")));
    AzureKeyVaultSource source = fake.source();
    String alphabet = "https://" + fake.vaultUrl().substring(8) + "/secrets/db/0123456789abcdef0123456789abcd01/"
        + "?version=&stage=previous&pending#%2F..http://x.vault.azure.net:443/\\\0\n\r\t _\u00e9\u2028\ud83d\ude00";
    Map<String, Integer> outcomes = new TreeMap<>();
    int refused = 0;
    for (int i = 0; i < REFS; i++) {
      StringBuilder sb = new StringBuilder();
      int start = r.nextInt(alphabet.length());
      for (int k = 0, len = 1 + r.nextInt(60); k < len; k++) {
        // runs of the alphabet keep its words together, with random jumps
        sb.append(alphabet.charAt((start + k) % alphabet.length()));
        if (r.nextInt(6) == 0) {
          start = Math.floorMod(r.nextInt(alphabet.length()) - k - 1, alphabet.length());
        }
      }
      SecretRef ref;
      try {
        ref = r.nextBoolean() ? SecretRef.parse("azure-kv://" + sb) : SecretRef.of(sb.toString());
      } catch (RuntimeException e) {
        refused++;
        continue;
      }
      int op = r.nextInt(2);
      try {
        if (op == 0) {
          source.fetch(ref).value().destroy();
        } else {
          source.fetchPrevious(ref).ifPresent(s -> s.value().destroy());
        }
        outcomes.merge("answered", 1, Integer::sum);
      } catch (SecretException e) {
        outcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      } catch (RuntimeException e) {
        outcomes.merge("untyped " + e.getClass().getName() + " (try " + i + ", op " + op + ")", 1, Integer::sum);
      }
    }
    source.close();
    System.out.println("[fuzz] azure refs: seed " + (SEED + 1) + ", " + REFS + " refs (" + refused
        + " refused by SecretRef): " + outcomes);
    assertThat(outcomes.keySet()).noneMatch(k -> k.startsWith("untyped")).contains("InvalidSecretRefException");
  }
}
