package io.secretsdk.azure;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.Context;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.secretsdk.azure.internal.AzureClients;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.core.publisher.Mono;

/**
 * A fake Key Vault: WireMock on 127.0.0.1 speaking the Key Vault REST API, with its challenge
 * authentication (a request without a token is answered 401 with a {@code WWW-Authenticate}
 * challenge), reached by the real {@code SecretClient} through an azure-core {@link HttpClient}
 * that keeps the realistic {@code https://<name>.vault.azure.net} URL in the pipeline and sends each
 * request to WireMock's plain-HTTP port. Each test gets a vault name of its own, because azure-core
 * caches challenges per host in a static map. As a JUnit extension it forgets every stub and request
 * before each test and stops after the last.
 */
final class KeyVaultFake implements BeforeEachCallback, AfterAllCallback {
  static final String TOKEN = "fake-token-for-tests-only";
  static final String TENANT = "00000000-0000-0000-0000-00000000fa4e";
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  final WireMockServer server;
  final FakeCredential credential = new FakeCredential();
  private volatile String vaultUrl = "";
  private volatile Redirect redirect;

  KeyVaultFake() {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(24));
    server.start();
    redirect = new Redirect(server.port(), DEFAULT_TIMEOUT);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    server.resetAll();
    credential.calls.set(0);
    credential.scopes.clear();
    vaultUrl = "https://kv" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + ".vault.azure.net";
    redirect = new Redirect(server.port(), DEFAULT_TIMEOUT);
    challenge();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.stop();
  }

  /** This test's vault, {@code https://kv<random>.vault.azure.net}. */
  String vaultUrl() {
    return vaultUrl;
  }

  /** The HTTP client that sends to WireMock, with its own response timeout. */
  Redirect redirect(Duration timeout) {
    redirect = new Redirect(server.port(), timeout);
    return redirect;
  }

  Redirect redirect() {
    return redirect;
  }

  /** A source whose client the builder makes (no azure-core retries), sent here. */
  AzureKeyVaultSource source() {
    return AzureKeyVaultSource.builder().vaultUrl(vaultUrl).credential(credential).httpClient(redirect).build();
  }

  /** A user's client, built as the user likes, sent here. */
  SecretClient userClient(com.azure.core.http.policy.RetryOptions retry) {
    return new SecretClientBuilder().vaultUrl(vaultUrl).credential(credential).httpClient(redirect)
        .retryOptions(retry).buildClient();
  }

  SecretClient userClient() {
    return userClient(AzureClients.noRetries());
  }

  /** The answer to a request without a token, as Key Vault gives it. */
  private void challenge() {
    server.stubFor(any(anyUrl()).atPriority(1).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401)
            .withHeader("WWW-Authenticate", "Bearer authorization=\"https://login.microsoftonline.com/" + TENANT
                + "\", resource=\"https://vault.azure.net\"")
            .withHeader("Content-Type", "application/json; charset=utf-8")
            .withBody("{\"error\":{\"code\":\"Unauthorized\",\"message\":\"AKV10000: Request is missing a Bearer"
                + " or PoP token.\"}}")));
  }

  /** A GET of {@code /secrets/NAME/VERSION} (VERSION empty for the current one), with the token. */
  static MappingBuilder getSecret(String name, String version) {
    return get(urlPathEqualTo("/secrets/" + name + "/" + version)).withHeader("Authorization", equalTo("Bearer " + TOKEN));
  }

  static MappingBuilder listVersions(String name) {
    return get(urlPathEqualTo("/secrets/" + name + "/versions")).withHeader("Authorization", equalTo("Bearer " + TOKEN));
  }

  static ResponseDefinitionBuilder json(String body) {
    return aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8")
        .withHeader("x-ms-request-id", "req-ok-1").withBody(body);
  }

  static ResponseDefinitionBuilder error(int status, String code, String inner, String message) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=utf-8")
        .withHeader("x-ms-request-id", "req-err-1")
        .withBody("{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + esc(message) + "\""
            + (inner == null ? "" : ",\"innererror\":{\"code\":\"" + inner + "\"}") + "}}");
  }

  /** A secret bundle as Key Vault returns it. {@code attrs} is the inside of {@code attributes}. */
  String bundle(String name, String version, String value, String attrs, String extra) {
    return "{\"value\":\"" + esc(value) + "\",\"id\":\"" + vaultUrl + "/secrets/" + name + "/" + version + "\""
        + (extra.isEmpty() ? "" : "," + extra)
        + ",\"attributes\":{" + (attrs.isEmpty() ? "" : attrs + ",")
        + "\"created\":1700000000,\"updated\":1700000100,\"recoveryLevel\":\"Recoverable+Purgeable\"}}";
  }

  String bundle(String name, String version, String value) {
    return bundle(name, version, value, "\"enabled\":true", "");
  }

  /** One item of a versions listing: no value. */
  String item(String name, String version, long created, String attrs) {
    return "{\"id\":\"" + vaultUrl + "/secrets/" + name + "/" + version + "\",\"attributes\":{"
        + (attrs.isEmpty() ? "" : attrs + ",") + "\"created\":" + created + ",\"updated\":" + created
        + ",\"recoveryLevel\":\"Recoverable+Purgeable\"}}";
  }

  /** A page of a listing, with a {@code nextLink} on this vault when {@code next} is given. */
  String page(String next, String... items) {
    return "{\"value\":[" + String.join(",", items) + "],\"nextLink\":"
        + (next == null ? "null" : "\"" + vaultUrl + next + "\"") + "}";
  }

  int count(String path) {
    return server.countRequestsMatching(getRequestedFor(urlPathEqualTo(path)).build()).getCount();
  }

  int countAuthorized(String path) {
    return server.countRequestsMatching(getRequestedFor(urlPathEqualTo(path))
        .withHeader("Authorization", equalTo("Bearer " + TOKEN)).build()).getCount();
  }

  int total() {
    return server.countRequestsMatching(anyRequestedFor(anyUrl()).build()).getCount();
  }

  static String esc(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** A credential that hands out one fake token and counts how often it is asked. */
  static final class FakeCredential implements TokenCredential {
    final AtomicInteger calls = new AtomicInteger();
    final List<String> scopes = new CopyOnWriteArrayList<>();

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
      return Mono.fromSupplier(() -> getTokenSync(request));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
      calls.incrementAndGet();
      scopes.addAll(request.getScopes());
      return new AccessToken(TOKEN, OffsetDateTime.now().plusHours(1));
    }
  }

  /**
   * An azure-core HTTP client that sends every request to WireMock's plain-HTTP port on 127.0.0.1,
   * keeping its path and query, and remembers the URLs the pipeline asked for; it counts how many
   * requests are in flight at once.
   */
  static final class Redirect implements HttpClient {
    final List<String> asked = new CopyOnWriteArrayList<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    private final int port;
    private final HttpClient jdk;

    Redirect(int port, Duration timeout) {
      this.port = port;
      this.jdk = new JdkHttpClientBuilder().connectionTimeout(Duration.ofSeconds(2)).responseTimeout(timeout)
          .readTimeout(timeout).build();
    }

    private HttpRequest rewrite(HttpRequest request) {
      URI original = URI.create(request.getUrl().toString());
      asked.add(original.toString());
      String target = "http://127.0.0.1:" + port + original.getRawPath()
          + (original.getRawQuery() == null ? "" : "?" + original.getRawQuery());
      return request.copy().setUrl(target);
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request) {
      return send(request, Context.NONE);
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request, Context context) {
      return Mono.fromCallable(() -> sendSync(request, context));
    }

    @Override
    public HttpResponse sendSync(HttpRequest request, Context context) {
      int now = inFlight.incrementAndGet();
      maxInFlight.accumulateAndGet(now, Math::max);
      try {
        return jdk.sendSync(rewrite(request), context);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    /** The hosts the pipeline asked for. */
    List<String> hosts() {
      return asked.stream().map(u -> URI.create(u).getHost()).distinct().collect(Collectors.toList());
    }
  }

  static Map<String, String> none() {
    return Map.of();
  }
}
