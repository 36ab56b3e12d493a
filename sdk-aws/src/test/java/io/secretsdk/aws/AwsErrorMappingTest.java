package io.secretsdk.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static io.secretsdk.aws.AwsFake.error;
import static io.secretsdk.aws.AwsFake.json;
import static io.secretsdk.aws.AwsFake.sm;
import static io.secretsdk.aws.AwsFake.ssmCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.testing.LeakGuard;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Every error the two services answer with, and every way a response can go wrong on the wire,
 * through the real SDK clients: each becomes the right typed exception, whose message names the
 * item and the service, and nothing of the response body reaches a message, a cause or a log line.
 */
class AwsErrorMappingTest {
  /** Put into every error message and broken body; must never come out. */
  private static final String CANARY = "canary-Zq8x-in-the-body";

  @RegisterExtension static final AwsFake fake = new AwsFake();
  private SecretsManagerClient smClient;
  private SsmClient ssmClient;
  private AwsSecretsManagerSource sm;
  private SsmParameterSource ssm;

  @BeforeEach
  void setUp() {
    LeakGuard.watch(CANARY);
    LeakGuard.watch(AwsFake.FAKE_SECRET_KEY);
    // A read timeout short enough for the slow cases, with room for a loaded CI machine elsewhere.
    smClient = fake.secretsManager(AwsRetryStrategy.doNotRetry(), Duration.ofSeconds(2));
    ssmClient = fake.ssm(AwsRetryStrategy.doNotRetry(), Duration.ofSeconds(2));
    sm = AwsSecretsManagerSource.builder().client(smClient).rotationSchedule(false).build();
    ssm = SsmParameterSource.builder().client(ssmClient).build();
  }

  @AfterEach
  void tearDown() {
    smClient.close();
    ssmClient.close();
  }

  static Stream<Arguments> secretsManagerErrors() {
    return Stream.of(
        Arguments.of(400, "ResourceNotFoundException", SecretNotFoundException.class, "has no secret 'db'"),
        Arguments.of(400, "AccessDeniedException", SecretAccessDeniedException.class, "IAM does not allow"),
        Arguments.of(400, "DecryptionFailure", SecretAccessDeniedException.class, "could not decrypt"),
        Arguments.of(400, "UnrecognizedClientException", SecretAccessDeniedException.class, "rejected the caller's credentials"),
        Arguments.of(400, "ExpiredTokenException", SecretAccessDeniedException.class, "rejected the caller's credentials"),
        Arguments.of(400, "ThrottlingException", SecretThrottledException.class, "throttled"),
        Arguments.of(429, "TooManyRequestsException", SecretThrottledException.class, "throttled"),
        Arguments.of(500, "InternalServiceError", SecretUnavailableException.class, "failed to answer"),
        Arguments.of(503, "ServiceUnavailable", SecretUnavailableException.class, "failed to answer"),
        Arguments.of(400, "InvalidParameterException", io.secretsdk.InvalidSecretRefException.class, "malformed"),
        Arguments.of(400, "InvalidRequestException", SecretException.class, "does not allow reading"));
  }

  @ParameterizedTest(name = "{1} -> {2}")
  @MethodSource("secretsManagerErrors")
  void eachSecretsManagerErrorBecomesItsTypedException(
      int status, String type, Class<? extends SecretException> expected, String says) {
    fake.server.stubFor(sm("GetSecretValue").willReturn(error(status, type, "detail " + CANARY)));

    SecretException e = catchThrowableOfType(SecretException.class, () -> sm.fetch(SecretRef.of("db")));

    assertThat(e).isExactlyInstanceOf(expected).hasMessageContaining(says).hasMessageContaining("AWS Secrets Manager");
    assertThat(e.ref()).contains(SecretRef.of("db"));
    assertThat(e.getMessage()).contains("error code " + type).contains("request id req-err-1");
    assertNothingOfTheBody(e);
    assertThat(fake.smCount("GetSecretValue")).isEqualTo(1);
  }

  @Test
  void accessDeniedAndDecryptionFailureSayWhichItWas() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(error(400, "AccessDeniedException", CANARY)));
    SecretException iam = catchThrowableOfType(SecretException.class, () -> sm.fetch(SecretRef.of("db")));
    fake.server.stubFor(sm("GetSecretValue").willReturn(error(400, "DecryptionFailure", CANARY)));
    SecretException kms = catchThrowableOfType(SecretException.class, () -> sm.fetch(SecretRef.of("db")));

    assertThat(iam).hasMessageContaining("secretsmanager:GetSecretValue").hasMessageNotContaining("KMS key");
    assertThat(kms).hasMessageContaining("KMS key").hasMessageContaining("kms:Decrypt");
  }

  @Test
  void aSecretMarkedForDeletionIsAClearNotFound() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(error(400, "InvalidRequestException",
        "You can't perform this operation on the secret because it was marked for deletion.")));

    SecretException e = catchThrowableOfType(SecretException.class, () -> sm.fetch(SecretRef.of("old-db")));

    assertThat(e).isInstanceOf(SecretNotFoundException.class)
        .hasMessageContaining("secret 'old-db'")
        .hasMessageContaining("scheduled for deletion")
        .hasMessageContaining("RestoreSecret");
  }

  @Test
  void throttlingCarriesTheRetryAfterHint() {
    fake.server.stubFor(sm("GetSecretValue")
        .willReturn(error(400, "ThrottlingException", "Rate exceeded").withHeader("Retry-After", "3")));

    SecretThrottledException e = catchThrowableOfType(SecretThrottledException.class, () -> sm.fetch(SecretRef.of("db")));

    assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
  }

  static Stream<Arguments> brokenResponses() {
    String unreadable = "could not be read";
    String truncated = "{\"ARN\":\"arn:x\",\"Name\":\"db\",\"VersionId\":\"v1\",\"SecretString\":\"" + CANARY + "-pass";
    return Stream.of(
        Arguments.of("malformed JSON", json("{\"SecretString\": " + CANARY + " not json}"), unreadable),
        Arguments.of("truncated JSON", json(truncated), unreadable),
        Arguments.of("an HTML page from a proxy", aResponse().withStatus(200).withHeader("Content-Type", "text/html")
            .withBody("<html><body>" + CANARY + "</body></html>"), unreadable),
        Arguments.of("a 502 HTML page", aResponse().withStatus(502).withBody("<html>" + CANARY + "</html>"), "HTTP 502"),
        Arguments.of("a connection reset", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), "Connection reset"),
        Arguments.of("an empty response", aResponse().withFault(Fault.EMPTY_RESPONSE), "could not reach"),
        Arguments.of("garbage then close", aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE), unreadable),
        Arguments.of("a malformed chunk", aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK), unreadable),
        Arguments.of("a slow answer", json(AwsFake.smText("db", "v1", CANARY)).withFixedDelay(4_000), "did not answer in time"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenResponses")
  void aBrokenOrSlowResponseIsUnavailableAndLeaksNothing(String what, ResponseDefinitionBuilder response, String says) {
    fake.server.stubFor(sm("GetSecretValue").willReturn(response));
    fake.server.stubFor(ssmCall("GetParameter").willReturn(response));

    SecretException fromSm = catchThrowableOfType(SecretException.class, () -> sm.fetch(SecretRef.of("db")));
    SecretException fromSsm = catchThrowableOfType(SecretException.class, () -> ssm.fetch(SecretRef.of("/app/db")));

    assertThat(fromSm).isExactlyInstanceOf(SecretUnavailableException.class).hasMessageContaining("secret 'db'");
    assertThat(fromSsm).isExactlyInstanceOf(SecretUnavailableException.class).hasMessageContaining("parameter '/app/db'");
    assertNothingOfTheBody(fromSm);
    assertNothingOfTheBody(fromSsm);
    assertThat(fromSm).hasMessageContaining(says);
    assertThat(fromSsm).hasMessageContaining(says);
    org.slf4j.LoggerFactory.getLogger(AwsErrorMappingTest.class).debug("mapped {} to", what, fromSm);
  }

  @Test
  void aSlowAnswerTimesOutAtTheClientsTimeoutNotTheServersPace() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(AwsFake.smText("db", "v1", CANARY)).withFixedDelay(6_000)));

    long start = System.nanoTime();
    SecretException e = catchThrowableOfType(SecretException.class, () -> sm.fetch(SecretRef.of("db")));
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(e).isInstanceOf(SecretUnavailableException.class);
    assertThat(millis).isLessThan(5_000);
  }

  @Test
  void aWellFormedAnswerWithoutAValueIsAFormatError() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(json("{\"Name\":\"db\",\"VersionId\":\"v1\"}")));
    fake.server.stubFor(ssmCall("GetParameter").willReturn(json("{\"Parameter\":{\"Name\":\"/p\",\"Version\":1}}")));

    assertThat(catchThrowableOfType(SecretException.class, () -> sm.fetch(SecretRef.of("db"))))
        .isExactlyInstanceOf(SecretFormatException.class).hasMessageContaining("neither SecretString nor SecretBinary");
    assertThat(catchThrowableOfType(SecretException.class, () -> ssm.fetch(SecretRef.of("/p"))))
        .isExactlyInstanceOf(SecretFormatException.class).hasMessageContaining("without a value");
  }

  @Test
  void anAnswerWithoutAVersionIdIsAFormatError() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(json("{\"Name\":\"db\",\"SecretString\":\"" + CANARY + "\"}")));

    SecretException e = catchThrowableOfType(SecretException.class, () -> sm.fetch(SecretRef.of("db")));

    assertThat(e).isExactlyInstanceOf(SecretFormatException.class).hasMessageContaining("without a version id");
    assertNothingOfTheBody(e);
  }

  @Test
  void anEndpointNobodyListensOnIsUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (AwsSecretsManagerSource nowhere = AwsSecretsManagerSource.builder()
        .endpoint(URI.create("http://127.0.0.1:" + closedPort))
        .region(Region.EU_WEST_1)
        .credentials(AwsFake.fakeCredentials())
        .timeout(Duration.ofMillis(500))
        .rotationSchedule(false)
        .build()) {
      SecretException e = catchThrowableOfType(SecretException.class, () -> nowhere.fetch(SecretRef.of("db")));
      assertThat(e).isExactlyInstanceOf(SecretUnavailableException.class)
          .hasMessageContaining("could not reach AWS Secrets Manager")
          .hasMessageContaining("java.net.ConnectException");
    }
  }

  static Stream<Arguments> ssmErrors() {
    return Stream.of(
        Arguments.of(400, "ParameterNotFound", SecretNotFoundException.class, "has no parameter '/app/db'"),
        Arguments.of(400, "ParameterVersionNotFound", SecretNotFoundException.class, "has no parameter"),
        Arguments.of(400, "AccessDeniedException", SecretAccessDeniedException.class, "ssm:GetParameter"),
        Arguments.of(400, "InvalidKeyId", SecretAccessDeniedException.class, "KMS key"),
        Arguments.of(400, "ThrottlingException", SecretThrottledException.class, "throttled"),
        Arguments.of(500, "InternalServerError", SecretUnavailableException.class, "failed to answer"));
  }

  @ParameterizedTest(name = "{1} -> {2}")
  @MethodSource("ssmErrors")
  void eachParameterStoreErrorBecomesItsTypedException(
      int status, String type, Class<? extends SecretException> expected, String says) {
    fake.server.stubFor(ssmCall("GetParameter").willReturn(error(status, type, "detail " + CANARY)));

    SecretException e = catchThrowableOfType(SecretException.class, () -> ssm.fetch(SecretRef.of("/app/db")));

    assertThat(e).isExactlyInstanceOf(expected).hasMessageContaining(says).hasMessageContaining("AWS SSM Parameter Store");
    assertThat(e.ref()).contains(SecretRef.of("/app/db"));
    assertNothingOfTheBody(e);
    assertThat(fake.ssmCount("GetParameter")).isEqualTo(1);
  }

  /** Neither the message, nor toString, nor any cause, nor the printed stack trace holds the body. */
  private static void assertNothingOfTheBody(Throwable e) {
    StringWriter printed = new StringWriter();
    e.printStackTrace(new PrintWriter(printed));
    assertThat(printed.toString()).doesNotContain(CANARY).doesNotContain("not json").doesNotContain("<html>");
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(CANARY);
      assertThat(t.toString()).doesNotContain(CANARY);
    }
  }
}
