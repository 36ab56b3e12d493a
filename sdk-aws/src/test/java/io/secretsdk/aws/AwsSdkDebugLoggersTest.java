package io.secretsdk.aws;

import static io.secretsdk.aws.AwsFake.error;
import static io.secretsdk.aws.AwsFake.sm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.github.tomakehurst.wiremock.client.WireMock;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.testing.LeakGuard;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Which of the AWS SDK's own loggers print text from a response at DEBUG: a service's error
 * message, and the parse error of a malformed body, which quotes a token of it. sdk-aws's README
 * names them, to keep at INFO; this test finds them with the real client, and fails if the README's
 * list stops covering them.
 */
class AwsSdkDebugLoggersTest {
  /**
   * The loggers the README tells users to keep at INFO or above: found by this test (the retry
   * strategy logs each failed attempt with its exception, the request logger the end of retrying).
   */
  static final List<String> KEEP_AT_INFO = List.of("software.amazon.awssdk.request", "software.amazon.awssdk.retries");

  @RegisterExtension static final AwsFake fake = new AwsFake();
  private final Logger sdk = (Logger) LoggerFactory.getLogger("software.amazon.awssdk");
  private final Level before = sdk.getLevel();

  @AfterEach
  void restore() {
    sdk.setLevel(before);
    for (String name : KEEP_AT_INFO) {
      ((Logger) LoggerFactory.getLogger(name)).setLevel(null);
    }
  }

  /** Reads once against a malformed body and once against an error message; returns the loggers that printed either. */
  private Set<String> loggersQuotingTheBody() {
    String bodyToken = "bodyTok3nXq7";
    String messageText = "svcMsgZ81p";
    Set<String> loggers = new TreeSet<>();
    try (SecretsManagerClient client = fake.secretsManager();
        AwsSecretsManagerSource source = AwsSecretsManagerSource.builder().client(client).rotationSchedule(false).build()) {
      fake.server.stubFor(sm("GetSecretValue").willReturn(WireMock.aResponse().withStatus(200)
          .withHeader("Content-Type", "application/x-amz-json-1.1")
          .withBody("{\"Name\":\"db\",\"VersionId\":\"v1\",\"SecretString\":" + bodyToken + "}")));
      assertThatThrownBy(() -> source.fetch(SecretRef.of("db"))).isInstanceOf(SecretException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(bodyToken));
      fake.server.resetAll();
      fake.server.stubFor(sm("GetSecretValue").willReturn(error(400, "InvalidRequestException", messageText)));
      assertThatThrownBy(() -> source.fetch(SecretRef.of("db"))).isInstanceOf(SecretException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(messageText));
    }
    for (String line : LeakGuard.captured()) {
      if (line.contains(bodyToken) || line.contains(messageText)) {
        loggers.add(line.split(" ")[1]);
      }
    }
    return loggers;
  }

  @Test
  void atDebugTheSdksRequestLoggerPrintsResponseTextAndTheReadmeNamesIt() {
    sdk.setLevel(Level.DEBUG);

    Set<String> quoting = loggersQuotingTheBody();

    System.out.println("AWS SDK loggers that printed response text at DEBUG: " + quoting);
    assertThat(quoting).isNotEmpty();
    assertThat(quoting).allSatisfy(name -> assertThat(KEEP_AT_INFO).anySatisfy(kept -> assertThat(name).startsWith(kept)));
  }

  @Test
  void withTheReadmesLoggersAtInfoNoSdkLoggerPrintsResponseText() {
    sdk.setLevel(Level.DEBUG);
    for (String name : KEEP_AT_INFO) {
      ((Logger) LoggerFactory.getLogger(name)).setLevel(Level.INFO);
    }

    assertThat(loggersQuotingTheBody()).isEmpty();
  }
}
