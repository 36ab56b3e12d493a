package io.secretsdk.benchmarks.azure;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.util.Context;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.secretsdk.azure.AzureKeyVaultSource;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * A fake Azure Key Vault for the benchmarks: WireMock on 127.0.0.1 with {@code n} secrets and Key
 * Vault's challenge authentication, reached by the real {@code SecretClient} through an HTTP client
 * that keeps the realistic vault URL in the pipeline and sends every request to WireMock.
 */
public final class FakeKeyVault implements AutoCloseable {
  public static final String TOKEN = "benchmark-fake-token";
  private static final AtomicInteger VAULTS = new AtomicInteger();

  final WireMockServer server;
  final AtomicInteger tokens = new AtomicInteger();
  private final String vaultUrl;
  private final List<String> names = new ArrayList<>();

  FakeKeyVault(int secrets) {
    com.github.tomakehurst.wiremock.core.WireMockConfiguration o =
        options().bindAddress("127.0.0.1").dynamicPort().containerThreads(16);
    // The templated vault serves thousands of requests and counts none: no request journal.
    server = new WireMockServer(secrets < 0 ? o.disableRequestJournal().stubRequestLoggingDisabled(true) : o);
    server.start();
    // A vault host of its own: azure-core caches challenges per host for the whole process.
    vaultUrl = "https://bench" + VAULTS.incrementAndGet() + "x" + ProcessHandle.current().pid() + ".vault.azure.net";
    server.stubFor(any(anyUrl()).atPriority(1).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate",
            "Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000\","
                + " resource=\"https://vault.azure.net\"")));
    if (secrets < 0) {
      // One templated answer for every name (thousands of stubs would make WireMock match slowly).
      server.stubFor(get(com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching("/secrets/[^/]+/"))
          .withHeader("Authorization", equalTo("Bearer " + TOKEN))
          .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8")
              .withBody("{\"value\":\"bench-value-{{request.pathSegments.[1]}}-0123456789abcdef\",\"id\":\"" + vaultUrl
                  + "/secrets/{{request.pathSegments.[1]}}/0123456789abcdef0123456789abcdef\",\"attributes\":"
                  + "{\"enabled\":true,\"created\":1700000000,\"updated\":1700000000}}")
              .withTransformers("response-template")));
    }
    for (int i = 0; i < secrets; i++) {
      String name = "secret-" + i;
      names.add(name);
      server.stubFor(get(urlPathEqualTo("/secrets/" + name + "/"))
          .withHeader("Authorization", equalTo("Bearer " + TOKEN))
          .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8")
              .withBody("{\"value\":\"bench-value-" + i + "\",\"id\":\"" + vaultUrl + "/secrets/" + name
                  + "/0123456789abcdef0123456789abcdef\",\"attributes\":{\"enabled\":true,"
                  + "\"created\":1700000000,\"updated\":1700000000}}")));
    }
  }

  /** A vault that answers for any name {@code secret-N} with one templated stub. */
  public static FakeKeyVault templated() {
    return new FakeKeyVault(-1);
  }

  List<String> names() {
    return names;
  }

  public String vaultUrl() {
    return vaultUrl;
  }

  TokenCredential credential() {
    return new TokenCredential() {
      @Override
      public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.fromSupplier(() -> getTokenSync(request));
      }

      @Override
      public AccessToken getTokenSync(TokenRequestContext request) {
        tokens.incrementAndGet();
        return new AccessToken(TOKEN, OffsetDateTime.now().plusHours(1));
      }
    };
  }

  public HttpClient httpClient() {
    return new Redirect(server.port());
  }

  /** The source as a user gets it from the builder (no azure-core retries), sent here. */
  public AzureKeyVaultSource source() {
    return AzureKeyVaultSource.builder().vaultUrl(vaultUrl).credential(credential()).httpClient(httpClient()).build();
  }

  /** A bare client, built the way the source builds its own. */
  SecretClient client() {
    return new SecretClientBuilder().vaultUrl(vaultUrl).credential(credential()).httpClient(httpClient())
        .retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1)))).buildClient();
  }

  int requests() {
    return server.countRequestsMatching(anyRequestedFor(anyUrl()).build()).getCount();
  }

  int challenges() {
    return server.countRequestsMatching(anyRequestedFor(anyUrl()).withHeader("Authorization", absent()).build())
        .getCount();
  }

  void resetCounts() {
    server.resetRequests();
    tokens.set(0);
  }

  @Override
  public void close() {
    server.stop();
  }

  /** Sends every request to WireMock's plain-HTTP port, keeping its path and query. */
  private static final class Redirect implements HttpClient {
    private final int port;
    private final HttpClient jdk = new JdkHttpClientBuilder().connectionTimeout(Duration.ofSeconds(2))
        .responseTimeout(Duration.ofSeconds(10)).build();

    Redirect(int port) {
      this.port = port;
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
      URI u = URI.create(request.getUrl().toString());
      String target = "http://127.0.0.1:" + port + u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
      return jdk.sendSync(request.copy().setUrl(target), context);
    }
  }
}
