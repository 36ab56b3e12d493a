package io.secretsdk.benchmarks.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
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
 * secrets named {@code bench/secret-<i>}, each with one current version, rotation off or on with a
 * published next rotation. It answers GetSecretValue, DescribeSecret, BatchGetSecretValue (20 ids)
 * and ListSecrets (pages of 100, NextToken; the name filter is not applied, every secret is under
 * {@code bench/}) from one model, re-stubbed on each {@link #setVersion}. Both caches of the
 * comparison run against one instance, through clients built alike (url-connection HTTP client, no
 * SDK retries, obviously fake keys).
 */
public final class FakeSecretsManager implements AutoCloseable {
  private final WireMockServer server;
  private final int secrets;
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  /** name -> {versionId, value, next rotation epoch seconds or null}. */
  private final Map<String, Object[]> model = new java.util.concurrent.ConcurrentSkipListMap<>();
  private final java.util.Set<java.util.UUID> stubbed = ConcurrentHashMap.newKeySet();

  public FakeSecretsManager(int secrets) {
    this(secrets, null);
  }

  /** With {@code nextRotation} set, every secret has rotation enabled and publishes that time. */
  public FakeSecretsManager(int secrets, Instant nextRotation) {
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
    for (int i = 0; i < secrets; i++) {
      model.put(id(i), new Object[] {"v1", value(i, "v1"), nextRotation});
    }
    restub();
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

  /** Every stub from the model; a stub keeps its id, so a new one replaces the old. */
  private synchronized void restub() {
    for (Map.Entry<String, Object[]> e : model.entrySet()) {
      String id = e.getKey();
      String versionId = (String) e.getValue()[0];
      String value = (String) e.getValue()[1];
      put(call("GetSecretValue").withId(uuid("get", id))
          .withRequestBody(matchingJsonPath("$.SecretId", equalTo(id)))
          .willReturn(json(entry(id, versionId, value))));
      put(call("DescribeSecret").withId(uuid("describe", id))
          .withRequestBody(matchingJsonPath("$.SecretId", equalTo(id)))
          .willReturn(json("{\"ARN\":\"" + arn(id) + "\",\"Name\":\"" + id + "\"," + rotation(e.getValue())
              + ",\"VersionIdsToStages\":{\"" + versionId + "\":[\"AWSCURRENT\"]}}")));
    }
    for (int from = 0; from < secrets; from += 20) {
      StringBuilder values = new StringBuilder();
      for (int i = from; i < Math.min(secrets, from + 20); i++) {
        Object[] m = model.get(id(i));
        values.append(i == from ? "" : ",").append(entry(id(i), (String) m[0], (String) m[1]));
      }
      put(call("BatchGetSecretValue").withId(uuid("batch", id(from)))
          .withRequestBody(containing("\"" + id(from) + "\""))
          .willReturn(json("{\"SecretValues\":[" + values + "],\"Errors\":[]}")));
    }
    List<String> listed = new ArrayList<>();
    model.forEach((id, m) -> listed.add("{\"ARN\":\"" + arn(id) + "\",\"Name\":\"" + id + "\"," + rotation(m)
        + ",\"SecretVersionsToStages\":{\"" + m[0] + "\":[\"AWSCURRENT\"]}}"));
    int pages = Math.max(1, (listed.size() + 99) / 100);
    for (int p = 0; p < pages; p++) {
      String body = "{\"SecretList\":[" + String.join(",", listed.subList(p * 100, Math.min(listed.size(), p * 100 + 100)))
          + "]" + (p + 1 < pages ? ",\"NextToken\":\"page-" + (p + 1) + "\"" : "") + "}";
      put(call("ListSecrets").withId(uuid("list", String.valueOf(p)))
          .withRequestBody(p == 0 ? matchingJsonPath("$.NextToken", absent())
              : matchingJsonPath("$.NextToken", equalTo("page-" + p)))
          .willReturn(json(body)));
    }
  }

  /** Adds a stub, or replaces the one with its id. */
  private void put(MappingBuilder stub) {
    java.util.UUID id = stub.build().getId();
    if (stubbed.add(id)) {
      server.stubFor(stub);
    } else {
      server.editStub(stub);
    }
  }

  private static String rotation(Object[] m) {
    return m[2] == null
        ? "\"RotationEnabled\":false"
        : "\"RotationEnabled\":true,\"NextRotationDate\":" + ((Instant) m[2]).getEpochSecond();
  }

  private static java.util.UUID uuid(String kind, String key) {
    return java.util.UUID.nameUUIDFromBytes((kind + "|" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Makes {@code versionId} the current version of a secret (as PutSecretValue or a rotation
   * does), optionally publishing the next rotation time.
   */
  public void setVersion(String id, String versionId, String value, Instant nextRotation) {
    model.put(id, new Object[] {versionId, value, nextRotation});
    restub();
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
