package io.secretsdk.logback;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.secretsdk.SecretRef;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import io.secretsdk.resilience.ResiliencePolicy;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The AWS SDK's own DEBUG loggers, with a real client against WireMock, while the application's
 * AWS session credentials come from a secretsdk cache (as from Vault's AWS secrets engine).
 */
class AwsSdkDebugLoggingTest {
  static final String ACCESS_KEY = "ASIAFAKEFAKEFAKE0001";
  static final String SECRET_KEY = "fake/secret/key/for/masking/tests/only0";
  static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjEFAKE-session-token-for-tests-only";

  @TempDir Path dir;
  private WireMockServer server;
  private SecretCache cache;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream plainOut = new ByteArrayOutputStream();
  private OutputStreamAppender<ILoggingEvent> appender;
  private OutputStreamAppender<ILoggingEvent> plain;
  private Logger aws;

  @BeforeEach
  void setUp() throws Exception {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    Files.writeString(dir.resolve("aws-creds"), "{\"access_key\":\"" + ACCESS_KEY + "\",\"secret_key\":\"" + SECRET_KEY
        + "\",\"security_token\":\"" + SESSION_TOKEN + "\"}");
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    SecretMaskingEncoder encoder = new SecretMaskingEncoder();
    encoder.setContext(context);
    encoder.setPattern("%-5level %logger - %msg%n%ex");
    encoder.start();
    appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    appender.start();
    PatternLayoutEncoder plainEncoder = new PatternLayoutEncoder();
    plainEncoder.setContext(context);
    plainEncoder.setPattern("%-5level %logger - %msg%n%ex");
    plainEncoder.start();
    plain = new OutputStreamAppender<>();
    plain.setContext(context);
    plain.setEncoder(plainEncoder);
    plain.setOutputStream(plainOut);
    plain.start();
    aws = context.getLogger("software.amazon.awssdk");
    aws.addAppender(appender);
    aws.addAppender(plain);
    aws.setLevel(Level.DEBUG);
    cache = SecretCache.builder(FileSecretSource.of(dir)).resilience(ResiliencePolicy.none()).build();
  }

  @AfterEach
  void tearDown() {
    aws.detachAppender(appender);
    aws.detachAppender(plain);
    plain.stop();
    aws.setLevel(null);
    appender.stop();
    cache.close();
    server.stop();
  }

  @Test
  void sessionCredentialsFromTheCacheAreMaskedInTheAwsSdksDebugLogs() {
    server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
            .withHeader("x-amzn-RequestId", "req-1")
            .withBody("{\"Name\":\"other\",\"VersionId\":\"v1\",\"SecretString\":\"not-held-here\"}")));
    var creds = cache.get(SecretRef.of("aws-creds"));
    AwsSessionCredentials session = AwsSessionCredentials.create(
        creds.field("access_key").revealString(), creds.field("secret_key").revealString(),
        creds.field("security_token").revealString());
    try (SecretsManagerClient client = SecretsManagerClient.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + server.port()))
        .region(Region.EU_WEST_1)
        .credentialsProvider(StaticCredentialsProvider.create(session))
        .httpClientBuilder(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(10)))
        .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD))
        .build()) {
      client.getSecretValue(b -> b.secretId("other"));
    }
    // the SDK's signer logs the canonical request, session token header included...
    assertThat(plainOut.toString(StandardCharsets.UTF_8)).contains("x-amz-security-token:" + SESSION_TOKEN);
    // ...and through the masking encoder it is gone
    String rendered = out.toString(StandardCharsets.UTF_8);
    assertThat(rendered)
        .contains("AWS4 Canonical Request")
        .contains("x-amz-security-token:***secret:aws-creds#security_token***")
        .doesNotContain(SESSION_TOKEN)
        .doesNotContain(SECRET_KEY);
  }
}
