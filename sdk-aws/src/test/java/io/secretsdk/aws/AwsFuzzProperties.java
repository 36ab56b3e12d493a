package io.secretsdk.aws;

import static io.secretsdk.aws.AwsFake.sm;
import static io.secretsdk.aws.AwsFake.smText;
import static io.secretsdk.aws.AwsFake.ssmCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.secretsdk.BatchResult;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.aws.internal.SsmName;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Fuzzing for the hardening issue: arbitrary references through secretsdk's and the AWS ref
 * parsing, and arbitrary or mutated response bodies through the real AWS clients against WireMock.
 * Required: a {@code Secret} or a typed {@link SecretException}, nothing else; no hang; no body text
 * (the markers planted in every body) in any message of the exception or its causes. Counts are
 * printed at the end.
 */
class AwsFuzzProperties {
  /** Planted in every generated body, outside any value a secret may legitimately hold. */
  private static final String[] MARKERS = {"mkQ7body", "mkZ3name", "mkW5msg"};

  private static AwsFake fake;
  private static SecretsManagerClient smClient;
  private static SsmClient ssmClient;
  private static AwsSecretsManagerSource sm;
  private static SsmParameterSource ssm;
  private static final Map<String, AtomicLong> OUTCOMES = new TreeMap<>();

  @BeforeContainer
  static void start() {
    fake = new AwsFake();
    smClient = fake.secretsManager();
    ssmClient = fake.ssm();
    sm = AwsSecretsManagerSource.builder().client(smClient).rotationSchedule(false).build();
    ssm = SsmParameterSource.builder().client(ssmClient).build();
  }

  @AfterContainer
  static void stop() {
    System.out.println("AWS fuzz outcomes: " + OUTCOMES);
    sm.close();
    ssm.close();
    smClient.close();
    ssmClient.close();
    fake.close();
  }

  private static void count(String what) {
    synchronized (OUTCOMES) {
      OUTCOMES.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }
  }

  // ---- references ----

  @Provide
  Arbitrary<String> hostileRefs() {
    Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(40)
        .withChars("aws-sm:/?#&=%0123456789abcdefARNarn:.\\ \t\n\r\u0000\u202e\u00e9|{}[]\"'")
        .withCharRange('\u0000', '\u007f');
    Arbitrary<String> arnish = Combinators.combine(
            Arbitraries.of("arn:aws:secretsmanager:", "arn:aws:ssm:", "arn:", "arn:aws:ssm:eu-west-1:1:parameter", ""),
            Arbitraries.strings().ofMaxLength(30).withChars(":/-_.0123456789abcXYZ%?#"))
        .as((a, b) -> a + b);
    Arbitrary<String> scheme = Arbitraries.of("aws-sm://", "aws-ssm://", "aws-ssm:///", "aws-sm:/", "", "AWS-SM://");
    return Combinators.combine(scheme, Arbitraries.oneOf(noise, arnish)).as((s, n) -> s + n);
  }

  @Property(tries = 3000) // 5,000 in the campaign reported on the hardening issue
  void anyReferenceParsesOrIsAnInvalidRefAndTheSsmSplitToo(@ForAll("hostileRefs") String text) {
    SecretRef ref;
    try {
      ref = SecretRef.parse(text);
    } catch (InvalidSecretRefException e) {
      count("ref: invalid");
      assertCleanMessages(e);
      return;
    }
    assertThat(SecretRef.parse(ref.toUri())).isEqualTo(ref);
    try {
      SsmName name = SsmName.of(ref);
      assertThat(name.parameter()).isNotEmpty();
      count("ref: ssm split");
    } catch (InvalidSecretRefException e) {
      count("ref: ssm invalid");
      assertCleanMessages(e);
    }
  }

  // ---- bodies ----

  private static String validSm() {
    return smText("db-" + MARKERS[1], "v1", "value-1", "AWSCURRENT").replace("\"CreatedDate\"",
        "\"Note\":\"" + MARKERS[0] + "\",\"CreatedDate\"");
  }

  private static String validSsm() {
    return "{\"Parameter\":{\"Name\":\"/app/" + MARKERS[1] + "\",\"Type\":\"SecureString\",\"Value\":\"v\","
        + "\"Version\":3,\"Note\":\"" + MARKERS[0] + "\",\"LastModifiedDate\":1700000000}}";
  }

  private static String validBatch() {
    return "{\"SecretValues\":[" + validSm() + "],\"Errors\":[{\"SecretId\":\"x\",\"ErrorCode\":\"ResourceNotFoundException\","
        + "\"Message\":\"" + MARKERS[2] + "\"}]}";
  }

  /** A valid body, then cut, flipped, spliced or retyped. */
  @Provide
  Arbitrary<String> mutatedBodies() {
    Arbitrary<String> base = Arbitraries.of(validSm(), validSsm(), validBatch(),
        "{\"__type\":\"InternalServiceError\",\"Message\":\"" + MARKERS[2] + "\"}",
        "{\"__type\":\"" + MARKERS[2] + "\",\"message\":\"" + MARKERS[0] + "\"}");
    Arbitrary<String> tokens = Arbitraries.of("null", "[]", "{}", "\"\"", "1e999", "-0", "true", "\"\\u0000\"",
        "\"\\ud800\"", "9999999999999999999999", "{\"a\":" , "]", "\"" + MARKERS[0] + "\"", MARKERS[0], "NaN",
        "\"VersionId\":null", "\"SecretBinary\":\"***\"", "\"CreatedDate\":\"yesterday\"", "\"Version\":-1");
    return Combinators.combine(base, Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 10_000),
            tokens, Arbitraries.integers().between(0, 255))
        .as((body, kind, at, token, b) -> {
          int i = body.isEmpty() ? 0 : at % body.length();
          switch (kind) {
            case 0: return body.substring(0, i);                                       // truncated
            case 1: return body.substring(0, i) + token + body.substring(i);           // spliced token
            case 2: {                                                                   // flipped byte
              byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
              bytes[Math.min(i, bytes.length - 1)] = b.byteValue();
              return new String(bytes, StandardCharsets.ISO_8859_1);
            }
            case 3: return body.replaceFirst(":\"[^\"]*\"", ":" + token);              // retyped value
            case 4: return body.substring(0, i) + body.substring(Math.min(body.length(), i + 1 + at % 7));
            default: return token + body;
          }
        });
  }

  @Provide
  Arbitrary<Integer> statuses() {
    return Arbitraries.of(200, 200, 200, 400, 403, 404, 429, 500, 503);
  }

  @Property(tries = 500) // 1,500 in the campaign reported on the hardening issue
  void anyBodyIsASecretOrATypedErrorWithoutBodyText(
      @ForAll("mutatedBodies") String body, @ForAll("statuses") int status, @ForAll boolean ssmCallKind) {
    fake.server.resetAll();
    fake.server.stubFor(WireMock.post(WireMock.urlEqualTo("/")).willReturn(WireMock.aResponse().withStatus(status)
        .withHeader("Content-Type", "application/x-amz-json-1.1").withBody(body)));
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      List<Secret> got = new ArrayList<>();
      try {
        if (ssmCallKind) {
          got.add(ssm.fetch(SecretRef.of("/app/" + MARKERS[1])));
        } else {
          got.add(sm.fetch(SecretRef.of("db-" + MARKERS[1])));
        }
        count("body: secret");
      } catch (SecretException e) {
        count("body: " + e.getClass().getSimpleName());
        assertCleanMessages(e);
      }
      // The batch path parses the same bodies another way.
      BatchResult batch = ssmCallKind ? ssm.fetchAll(List.of(SecretRef.of("/app/a"), SecretRef.of("/app/b")))
          : sm.fetchAll(List.of(SecretRef.of("a"), SecretRef.of("b")));
      batch.failed().values().forEach(AwsFuzzProperties::assertCleanMessages);
      got.addAll(batch.found().values());
      count("batch: " + batch.found().size() + " found, " + batch.failed().size() + " failed");
      got.forEach(s -> s.value().destroy());
    });
  }

  private static void assertCleanMessages(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()) + " " + t;
      for (String marker : new String[] {MARKERS[0], MARKERS[2]}) {
        assertThat(m).as("message of %s", t.getClass().getName()).doesNotContain(marker);
      }
      assertThat(m.chars().noneMatch(c -> c == '\n' || c == '\r')).as("raw line break in %s", m).isTrue();
    }
  }
}
