package io.secretsdk.benchmarks.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * AWS Secrets Manager as a WireMock server on 127.0.0.1 speaking JSON 1.1, holding {@code n}
 * secrets named {@code bench/secret-<i>}, each with one current version and rotation off. Both
 * caches of the comparison run against one instance, through clients built alike (url-connection
 * HTTP client, no SDK retries, obviously fake keys).
 */
public final class FakeSecretsManager implements AutoCloseable {
  private final WireMockServer server;
  private final int secrets;
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  public FakeSecretsManager(int secrets) {
    this.secrets = secrets;
    this.server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(32)
        .disableRequestJournal().stubRequestLoggingDisabled(true));
    // The request journal is off (it would grow through long runs); a listener counts calls.
    server.addMockServiceRequestListener((request, response) -> {
      String target = request.getHeader("X-Amz-Target");
      if (target != null) {
        counts.computeIfAbsent(target.substring(target.indexOf('.') + 1), k -> new LongAdder()).increment();
      }
    });
    server.start();
    stubAll();
  }

  public static String id(int i) {
    return "bench/secret-" + i;
  }

  public static String value(int i, String version) {
    return "{\"username\":\"app" + i + "\",\"password\":\"pw-" + version + "-" + i + "-0123456789abcdef\"}";
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  public SecretsManagerClient client() {
    return SecretsManagerClient.builder()
        .endpointOverride(endpoint())
        .region(Region.EU_WEST_1)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create("AKIAFAKEFAKEFAKEFAKE", "fake/secret/key/for/benchmarks/only/0000")))
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(10)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  private void stubAll() {
    for (int i = 0; i < secrets; i++) {
      setVersion(id(i), "v1", value(i, "v1"), null);
    }
    for (int from = 0; from < secrets; from += 20) {
      StringBuilder values = new StringBuilder();
      for (int i = from; i < Math.min(secrets, from + 20); i++) {
        values.append(i == from ? "" : ",").append(entry(id(i), "v1", value(i, "v1")));
      }
      server.stubFor(call("BatchGetSecretValue").withRequestBody(containing("\"" + id(from) + "\""))
          .willReturn(json("{\"SecretValues\":[" + values + "],\"Errors\":[]}")));
    }
  }

  /**
   * Makes {@code versionId} the current version of a secret (the previous current one becomes
   * AWSPREVIOUS), optionally publishing the next rotation time.
   */
  public void setVersion(String id, String versionId, String value, Instant nextRotation) {
    server.stubFor(call("GetSecretValue").withRequestBody(matchingJsonPath("$.SecretId", equalTo(id)))
        .willReturn(json(entry(id, versionId, value))));
    String rotation = nextRotation == null
        ? "\"RotationEnabled\":false"
        : "\"RotationEnabled\":true,\"NextRotationDate\":" + nextRotation.getEpochSecond();
    server.stubFor(call("DescribeSecret").withRequestBody(matchingJsonPath("$.SecretId", equalTo(id)))
        .willReturn(json("{\"ARN\":\"" + arn(id) + "\",\"Name\":\"" + id + "\"," + rotation
            + ",\"VersionIdsToStages\":{\"" + versionId + "\":[\"AWSCURRENT\"]}}")));
  }

  /** Every answer takes this long from now on (zero to stop). */
  public void delay(Duration d) {
    server.setGlobalFixedDelay((int) d.toMillis());
  }

  /** Calls of one operation since the last {@link #resetCounts()}. */
  public long calls(String operation) {
    LongAdder a = counts.get(operation);
    return a == null ? 0 : a.sum();
  }

  public long allCalls() {
    return counts.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public void resetCounts() {
    counts.clear();
  }

  public List<String> ids() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < secrets; i++) {
      ids.add(id(i));
    }
    return ids;
  }

  private static String arn(String id) {
    return "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + id + "-AbCdEf";
  }

  private static String entry(String id, String versionId, String value) {
    return "{\"ARN\":\"" + arn(id) + "\",\"Name\":\"" + id + "\",\"VersionId\":\"" + versionId
        + "\",\"SecretString\":\"" + value.replace("\"", "\\\"") + "\",\"VersionStages\":[\"AWSCURRENT\"],"
        + "\"CreatedDate\":1700000000}";
  }

  private static MappingBuilder call(String operation) {
    return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager." + operation));
  }

  private static ResponseDefinitionBuilder json(String body) {
    return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(body);
  }

  @Override
  public void close() {
    server.stop();
  }
}
