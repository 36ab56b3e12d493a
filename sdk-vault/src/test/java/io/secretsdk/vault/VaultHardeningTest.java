package io.secretsdk.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.testing.LeakGuard;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

/** The hardening findings of issue 10 (3-10) and the Vault diagnostics of issue 17 (2). */
class VaultHardeningTest extends VaultFake {
  static final String TOKEN = "hvs.hardening-token-4417";

  private VaultAuth token() {
    SecretValue t = SecretValue.copyOf(TOKEN.toCharArray());
    try {
      return VaultAuth.token(t);
    } finally {
      t.destroy();
    }
  }

  private static void noRequestWasSent() {
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void aCallerClientThatFollowsRedirectsIsRefusedWithAClearMessage() {
    for (HttpClient.Redirect r : new HttpClient.Redirect[] {HttpClient.Redirect.ALWAYS, HttpClient.Redirect.NORMAL}) {
      HttpClient client = HttpClient.newBuilder().followRedirects(r).build();
      assertThatThrownBy(() -> builder(token()).httpClient(client).build())
          .isInstanceOf(SecretConfigurationException.class)
          .hasMessageContaining("follows redirects").hasMessageContaining("Redirect.NEVER");
    }
    source = builder(token()).httpClient(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()).build();
    noRequestWasSent();
  }

  @Test
  void aRedirectFromVaultIsNeverFollowedSoTheTokenStaysHome() {
    LeakGuard.watch("redirected-answer-1");
    stubLookupSelf(TOKEN, 0, false);
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app"))
        .willReturn(aResponse().withStatus(307).withHeader("Location", address() + "/elsewhere")));
    wm.stubFor(get(urlEqualTo("/elsewhere")).willReturn(json(200, kv2Body("{\"k\":\"redirected-answer-1\"}", 1, "2026-01-01T00:00:00Z"))));
    source = builder(token()).build();
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/app"))).isInstanceOf(SecretUnavailableException.class);
    wm.verify(0, getRequestedFor(urlEqualTo("/elsewhere")));
  }

  @Test
  void plainHttpToAHostThatIsNotLoopbackIsRefusedUnlessAllowed() {
    URI remote = URI.create("http://vault.example.com:8200");
    assertThatThrownBy(() -> VaultSecretSource.builder().address(remote).auth(token()).build())
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("unencrypted").hasMessageContaining("allowPlainHttp(true)");
    VaultSecretSource.builder().address(remote).auth(token()).allowPlainHttp(true).build().close();
    VaultSecretSource.builder().address(URI.create("https://vault.example.com:8200")).auth(token()).build().close();
    for (String loopback : new String[] {"http://127.0.0.1:8200", "http://127.3.4.5:1", "http://localhost:8100",
        "http://[::1]:8200"}) {
      VaultSecretSource.builder().address(URI.create(loopback)).auth(token()).build().close();
    }
    for (String notLoopback : new String[] {"http://128.0.0.1:8200", "http://127.0.0.1.example.com", "http://10.0.0.1"}) {
      assertThatThrownBy(() -> VaultSecretSource.builder().address(URI.create(notLoopback)).auth(token()).build())
          .as(notLoopback).isInstanceOf(SecretConfigurationException.class);
    }
  }

  @Test
  void aTokenWhoseLookUpIsRefusedIsUsedAnywayWithoutRenewalAndOneWarning() {
    wm.stubFor(get(urlEqualTo("/v1/auth/token/lookup-self")).willReturn(json(403, "{\"errors\":[\"permission denied\"]}")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app")).withHeader("X-Vault-Token", equalTo(TOKEN))
        .willReturn(json(200, kv2Body("{\"k\":\"no-lookup-value\"}", 3, "2026-01-01T00:00:00Z"))));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/denied")).willReturn(json(403, "{\"errors\":[\"permission denied\"]}")));
    LeakGuard.watch("no-lookup-value");
    source = builder(token()).build();
    for (int i = 0; i < 3; i++) {
      assertThat(source.fetch(SecretRef.of("secret/app")).field("k").contentEquals("no-lookup-value".toCharArray())).isTrue();
    }
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/denied"))).isInstanceOf(SecretAccessDeniedException.class);
    wm.verify(1, getRequestedFor(urlEqualTo("/v1/auth/token/lookup-self")));
    assertThat(scheduler.queued()).as("renewals scheduled").isZero();
    long warnings = LeakGuard.captured().stream().filter(l -> l.contains("using the token anyway")).count();
    assertThat(warnings).as("WARN lines about the refused look-up").isEqualTo(1);
  }

  @Test
  void noneSendsNoTokenHeaderForAVaultAgent() {
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app")).withHeader("X-Vault-Token", absent())
        .willReturn(json(200, kv2Body("{\"k\":\"agent-value\"}", 1, "2026-01-01T00:00:00Z"))));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/denied")).willReturn(json(403, "{\"errors\":[\"permission denied\"]}")));
    source = builder(VaultAuth.none()).build();
    assertThat(source.fetch(SecretRef.of("secret/app")).field("k").contentEquals("agent-value".toCharArray())).isTrue();
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/denied"))).isInstanceOf(SecretAccessDeniedException.class);
    wm.verify(0, getRequestedFor(urlEqualTo("/v1/auth/token/lookup-self")));
    wm.verify(0, anyRequestedFor(anyUrl()).withHeader("X-Vault-Token", com.github.tomakehurst.wiremock.client.WireMock.matching(".*")));
    assertThat(source.toString()).contains("none");
  }

  @Test
  void aNamespaceWithCrOrLfIsAConfigurationErrorBeforeAnyRequest() {
    for (String ns : new String[] {"team\r\nX-Injected: 1", "team\n", "te am", "t\u00e9am", "team\u0000"}) {
      ThrowableAssert.ThrowingCallable c = () -> builder(token()).namespace(ns).build();
      assertThatThrownBy(c).as(ns).isInstanceOf(SecretConfigurationException.class)
          .hasMessageContaining("X-Vault-Namespace")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\r").doesNotContain("\n"));
    }
    noRequestWasSent();
    source = builder(token()).namespace("team-a/prod").build();
  }

  @Test
  void anAddressWithUserInfoIsRefusedAndNeverShown() {
    URI withPassword = URI.create("http://admin:pw-in-url-5521@127.0.0.1:8200");
    LeakGuard.watch("pw-in-url-5521");
    assertThatThrownBy(() -> VaultSecretSource.builder().address(withPassword))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("user name or password").hasMessageNotContaining("pw-in-url-5521")
        .hasMessageNotContaining("admin").hasMessageContaining("http://127.0.0.1:8200");
    assertThatThrownBy(() -> io.secretsdk.SecretSources.fromProperties(java.util.Map.of(
        "vault.address", withPassword.toString(), "vault.auth.method", "none")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageNotContaining("pw-in-url-5521");
    assertThatThrownBy(() -> VaultSecretSource.builder().address(URI.create("ftp://127.0.0.1")))
        .isInstanceOf(SecretConfigurationException.class);
  }

  @Test
  void refsUnderAuthAndSysAreRefusedWithoutARequest() {
    source = builder(token()).build();
    for (String name : new String[] {"auth/token/lookup-self", "/v1/auth/token/lookup-self", "sys/config/state/sanitized",
        "//sys/leases/lookup", "sys", "auth"}) {
      assertThatThrownBy(() -> source.fetch(SecretRef.of(name))).as(name).isInstanceOf(InvalidSecretRefException.class)
          .hasMessageContaining("auth/ and sys/");
    }
    noRequestWasSent();
  }

  @Test
  void anUnknownHostIsToldApartFromARefusedPortAndFromATimeout() throws Exception {
    // Unknown host: the resolver answers at once here (no network).
    VaultSecretSource unknown = VaultSecretSource.builder().address(URI.create("http://no-such-vault.invalid:8200"))
        .auth(VaultAuth.none()).allowPlainHttp(true).requestTimeout(Duration.ofSeconds(5)).build();
    try {
      assertThatThrownBy(() -> unknown.fetch(SecretRef.of("secret/app"))).isInstanceOf(SecretUnavailableException.class)
          .hasMessageContaining("the host name 'no-such-vault.invalid' does not resolve")
          .satisfies(e -> assertThat(causes(e)).containsAnyOf(UnknownHostException.class,
              java.nio.channels.UnresolvedAddressException.class));
    } finally {
      unknown.close();
    }

    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    VaultSecretSource refused = VaultSecretSource.builder().address(URI.create("http://127.0.0.1:" + closedPort))
        .auth(VaultAuth.none()).build();
    try {
      assertThatThrownBy(() -> refused.fetch(SecretRef.of("secret/app"))).isInstanceOf(SecretUnavailableException.class)
          .hasMessageContaining("connection refused").hasMessageContaining(":" + closedPort)
          .hasCauseInstanceOf(ConnectException.class);
    } finally {
      refused.close();
    }

    // Accepts the connection, never answers.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      VaultSecretSource slow = VaultSecretSource.builder().address(URI.create("http://127.0.0.1:" + silent.getLocalPort()))
          .auth(VaultAuth.none()).requestTimeout(Duration.ofMillis(300)).build();
      try {
        assertThatThrownBy(() -> slow.fetch(SecretRef.of("secret/app"))).isInstanceOf(SecretUnavailableException.class)
            .hasMessageContaining("did not answer within PT0.3S")
            .hasCauseInstanceOf(java.net.http.HttpTimeoutException.class);
      } finally {
        slow.close();
      }
    }
  }

  private static java.util.List<Class<?>> causes(Throwable e) {
    java.util.List<Class<?>> out = new java.util.ArrayList<>();
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      out.add(t.getClass());
    }
    return out;
  }

  @Test
  void anUnusableTokenIsRefusedBeforeAnyRequest() {
    for (String bad : new String[] {"", "hvs.with space", "hvs.line\nbreak", "hvs.\u00e9"}) {
      assertThatThrownBy(() -> VaultAuth.token(SecretValue.copyOf(bad.toCharArray())))
          .isInstanceOf(io.secretsdk.SecretFormatException.class).hasMessageContaining("printable ASCII");
    }
    noRequestWasSent();
  }
}
