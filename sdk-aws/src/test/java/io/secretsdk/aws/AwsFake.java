package io.secretsdk.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * A WireMock server on 127.0.0.1 speaking AWS JSON 1.1, and real AWS SDK clients pointed at it
 * with a fixed region, obviously fake static keys, the url-connection HTTP client and an explicit
 * retry strategy. As a JUnit extension ({@code @RegisterExtension static final AwsFake fake}) it
 * forgets every stub and request before each test and stops after the last.
 */
final class AwsFake implements AutoCloseable, BeforeEachCallback, AfterAllCallback {
  static final String FAKE_ACCESS_KEY = "AKIAFAKEFAKEFAKEFAKE";
  static final String FAKE_SECRET_KEY = "fake/secret/key/for/tests/only/not/real0";
  /** Generous: a loaded CI machine must not turn a normal answer into a timeout. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  final WireMockServer server;

  AwsFake() {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(16));
    server.start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    server.resetAll();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  static StaticCredentialsProvider fakeCredentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(FAKE_ACCESS_KEY, FAKE_SECRET_KEY));
  }

  SecretsManagerClient secretsManager() {
    return secretsManager(AwsRetryStrategy.doNotRetry(), DEFAULT_TIMEOUT);
  }

  SecretsManagerClient secretsManager(RetryStrategy retry, Duration socketTimeout) {
    return pointedHere(SecretsManagerClient.builder(), retry, socketTimeout);
  }

  SsmClient ssm() {
    return ssm(AwsRetryStrategy.doNotRetry(), DEFAULT_TIMEOUT);
  }

  SsmClient ssm(RetryStrategy retry, Duration socketTimeout) {
    return pointedHere(SsmClient.builder(), retry, socketTimeout);
  }

  /** Any AWS client pointed at this server: fixed region, fake keys, url-connection, the given retry. */
  private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C pointedHere(
      B builder, RetryStrategy retry, Duration socketTimeout) {
    return builder
        .endpointOverride(endpoint())
        .region(Region.EU_WEST_1)
        .credentialsProvider(fakeCredentials())
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(2))
            .socketTimeout(socketTimeout))
        .overrideConfiguration(o -> o.retryStrategy(retry))
        .build();
  }

  static MappingBuilder sm(String operation) {
    return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager." + operation));
  }

  static MappingBuilder ssmCall(String operation) {
    return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM." + operation));
  }

  static ResponseDefinitionBuilder json(String body) {
    return aResponse()
        .withStatus(200)
        .withHeader("Content-Type", "application/x-amz-json-1.1")
        .withHeader("x-amzn-RequestId", "req-ok-1")
        .withBody(body);
  }

  static ResponseDefinitionBuilder error(int status, String type, String message) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/x-amz-json-1.1")
        .withHeader("x-amzn-RequestId", "req-err-1")
        .withBody("{\"__type\":\"" + type + "\",\"Message\":\"" + esc(message) + "\"}");
  }

  int count(String target) {
    return server
        .countRequestsMatching(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)).build())
        .getCount();
  }

  int smCount(String operation) {
    return count("secretsmanager." + operation);
  }

  int ssmCount(String operation) {
    return count("AmazonSSM." + operation);
  }

  List<String> bodies(String target) {
    return server
        .findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)))
        .stream()
        .map(LoggedRequest::getBodyAsString)
        .collect(Collectors.toList());
  }

  /** A GetSecretValue (or batch entry) answer with a SecretString. */
  static String smText(String name, String versionId, String text, String... stages) {
    return "{\"ARN\":\"" + arn(name) + "\",\"Name\":\"" + esc(name) + "\",\"VersionId\":\"" + versionId
        + "\",\"SecretString\":\"" + esc(text) + "\",\"VersionStages\":" + list(stages)
        + ",\"CreatedDate\":1.7000000001E9}";
  }

  /** A GetSecretValue (or batch entry) answer with a SecretBinary. */
  static String smBinary(String name, String versionId, byte[] bytes, String... stages) {
    return "{\"ARN\":\"" + arn(name) + "\",\"Name\":\"" + esc(name) + "\",\"VersionId\":\"" + versionId
        + "\",\"SecretBinary\":\"" + Base64.getEncoder().encodeToString(bytes) + "\",\"VersionStages\":"
        + list(stages) + ",\"CreatedDate\":1700000000}";
  }

  static String arn(String name) {
    return "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + name + "-AbCdEf";
  }

  static String list(String... items) {
    return java.util.Arrays.stream(items).map(s -> "\"" + esc(s) + "\"").collect(Collectors.joining(",", "[", "]"));
  }

  static String esc(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || (c >= 0xD800 && c <= 0xDFFF)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    server.stop();
  }
}
