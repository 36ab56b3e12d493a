package io.secretsdk.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.testing.LeakGuard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultAuthTest extends VaultFake {
  static final String SECRET_ID = "approle-secret-id-7f3e9a";
  static final String T1 = "hvs.first-login-token-AAAA";
  static final String T2 = "hvs.second-login-token-BBBB";

  @TempDir Path dir;

  private void watchAll() {
    LeakGuard.watch(SECRET_ID);
    LeakGuard.watch(T1);
    LeakGuard.watch(T2);
  }

  private VaultSecretSource appRoleSource() {
    SecretValue secretId = SecretValue.copyOf(SECRET_ID.toCharArray());
    VaultAuth auth = VaultAuth.appRole("role-123", secretId);
    secretId.destroy();
    assertThat(auth.toString()).doesNotContain(SECRET_ID);
    source = builder(auth).build();
    return source;
  }

  private static void stubKv(String token, String value) {
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app")).withHeader("X-Vault-Token", equalTo(token))
        .willReturn(json(200, kv2Body("{\"k\":\"" + value + "\"}", 1, "2026-01-01T00:00:00Z"))));
  }

  @Test
  void appRoleLogsInWithRoleIdAndSecretIdThenUsesTheToken() {
    watchAll();
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login"))
        .withRequestBody(equalToJson("{\"role_id\":\"role-123\",\"secret_id\":\"" + SECRET_ID + "\"}"))
        .willReturn(json(200, authBody(T1, 0, false))));
    stubKv(T1, "approle-read");
    appRoleSource();

    assertThat(source.fetch(SecretRef.of("secret/app")).field("k").contentEquals("approle-read".toCharArray())).isTrue();
    assertThat(source.fetch(SecretRef.of("secret/app")).versionId()).isEqualTo("1");
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/auth/approle/login")));
  }

  @Test
  void kubernetesReadsTheServiceAccountTokenAtEachLogin() throws Exception {
    watchAll();
    Path jwt = dir.resolve("token");
    Files.writeString(jwt, "eyJhbGciOi.first-jwt.sig\n");
    wm.stubFor(post(urlEqualTo("/v1/auth/kubernetes/login"))
        .withRequestBody(equalToJson("{\"role\":\"app\",\"jwt\":\"eyJhbGciOi.first-jwt.sig\"}"))
        .willReturn(json(200, authBody(T1, 60, false))));
    wm.stubFor(post(urlEqualTo("/v1/auth/kubernetes/login"))
        .withRequestBody(equalToJson("{\"role\":\"app\",\"jwt\":\"eyJhbGciOi.second-jwt.sig\"}"))
        .willReturn(json(200, authBody(T2, 60, false))));
    stubKv(T1, "k8s-one");
    stubKv(T2, "k8s-two");
    source = builder(VaultAuth.kubernetes("app", jwt)).build();

    assertThat(source.fetch(SecretRef.of("secret/app")).field("k").contentEquals("k8s-one".toCharArray())).isTrue();
    Files.writeString(jwt, "eyJhbGciOi.second-jwt.sig\n");
    // Not renewable: a new login is scheduled at two thirds of the token's life.
    assertOneStepDueIn(Duration.ofSeconds(40));
    clock.advance(Duration.ofSeconds(40));

    assertThat(source.fetch(SecretRef.of("secret/app")).field("k").contentEquals("k8s-two".toCharArray())).isTrue();
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/auth/kubernetes/login")));
  }

  @Test
  void jwtLogsInAtItsMountAndAMissingFileIsAClearError() throws Exception {
    watchAll();
    Path jwt = dir.resolve("jwt");
    Files.writeString(jwt, "header.payload.signature");
    wm.stubFor(post(urlEqualTo("/v1/auth/oidc-ci/login"))
        .withRequestBody(equalToJson("{\"role\":\"ci\",\"jwt\":\"header.payload.signature\"}"))
        .willReturn(json(200, authBody(T1, 0, false))));
    stubKv(T1, "jwt-read");
    source = builder(VaultAuth.jwt("oidc-ci", "ci", jwt)).build();
    assertThat(source.fetch(SecretRef.of("secret/app")).versionId()).isEqualTo("1");

    VaultSecretSource missing = builder(VaultAuth.jwt("oidc-ci", "ci", dir.resolve("absent"))).build();
    try {
      assertThatThrownBy(() -> missing.fetch(SecretRef.of("secret/app")))
          .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("does not exist");
    } finally {
      missing.close();
    }
  }

  @Test
  void aRefusedLoginIsAccessDeniedAndAVaultAuthServesOneSource() {
    watchAll();
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login"))
        .willReturn(json(400, "{\"errors\":[\"invalid role or secret ID\"]}")));
    VaultAuth auth = VaultAuth.appRole("role-123", SecretValue.copyOf(SECRET_ID.toCharArray()));
    source = builder(auth).build();

    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/app"))).hasMessageContaining("AppRole login")
        .hasMessageNotContaining(SECRET_ID);
    assertThatThrownBy(() -> builder(auth).build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already used");
  }

  @Test
  void theTokenIsRenewedAheadOfExpiryUntilItsMaxTtlThenReplacedByANewLogin() {
    watchAll();
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login")).inScenario("login").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(json(200, authBody(T1, 60, true))).willSetStateTo("second"));
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login")).inScenario("login").whenScenarioStateIs("second")
        .willReturn(json(200, authBody(T2, 60, true))));
    wm.stubFor(post(urlEqualTo("/v1/auth/token/renew-self")).inScenario("renew").whenScenarioStateIs(Scenario.STARTED)
        .withHeader("X-Vault-Token", equalTo(T1)).withRequestBody(equalToJson("{\"increment\":60}"))
        .willReturn(json(200, authBody(T1, 60, true))).willSetStateTo("capped"));
    wm.stubFor(post(urlEqualTo("/v1/auth/token/renew-self")).inScenario("renew").whenScenarioStateIs("capped")
        .withHeader("X-Vault-Token", equalTo(T1))
        .willReturn(json(200, authBody(T1, 30, true))));
    stubKv(T1, "renew-one");
    stubKv(T2, "renew-two");
    appRoleSource();

    source.fetch(SecretRef.of("secret/app"));
    assertOneStepDueIn(Duration.ofSeconds(40));
    clock.advance(Duration.ofSeconds(40));   // renewed: 60 s more
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/auth/token/renew-self")));
    assertOneStepDueIn(Duration.ofSeconds(40));
    clock.advance(Duration.ofSeconds(40));   // renewal grants only 30 s: the max TTL is near
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/auth/token/renew-self")));
    assertOneStepDueIn(Duration.ofSeconds(20));
    clock.advance(Duration.ofSeconds(20));   // a new login replaces the token before it ends

    wm.verify(2, postRequestedFor(urlEqualTo("/v1/auth/approle/login")));
    Secret s = source.fetch(SecretRef.of("secret/app"));
    assertThat(s.field("k").contentEquals("renew-two".toCharArray())).isTrue();
  }

  @Test
  void aTokenExpiredByTheClockIsReplacedBeforeTheNextRequest() {
    watchAll();
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login")).inScenario("login").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(json(200, authBody(T1, 60, false))).willSetStateTo("second"));
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login")).inScenario("login").whenScenarioStateIs("second")
        .willReturn(json(200, authBody(T2, 60, false))));
    stubKv(T1, "clock-one");
    stubKv(T2, "clock-two");
    appRoleSource();
    // No early login will run (the scheduler is gone): the clock alone must make the next
    // request log in again.
    scheduler.shutdownNow();
    source.fetch(SecretRef.of("secret/app"));
    clock.advance(Duration.ofSeconds(61));

    assertThat(source.fetch(SecretRef.of("secret/app")).field("k").contentEquals("clock-two".toCharArray())).isTrue();
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/auth/approle/login")));
  }

  @Test
  void aTokenVaultStopsAcceptingMidRunIsReplacedAndTheRequestRetriedOnce() {
    watchAll();
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login")).inScenario("vault").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(json(200, authBody(T1, 3600, false))).willSetStateTo("one"));
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login")).inScenario("vault").whenScenarioStateIs("revoked")
        .willReturn(json(200, authBody(T2, 3600, false))));
    stubKv(T1, "midrun-one");
    stubKv(T2, "midrun-two");
    appRoleSource();
    assertThat(source.fetch(SecretRef.of("secret/app")).field("k").contentEquals("midrun-one".toCharArray())).isTrue();

    // Vault revokes T1 (an operator, or its expiry on Vault's side): a bare "permission denied".
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app")).withHeader("X-Vault-Token", equalTo(T1))
        .willReturn(json(403, "{\"errors\":[\"permission denied\"]}")));
    wm.stubFor(get(urlEqualTo("/v1/auth/token/lookup-self")).withHeader("X-Vault-Token", equalTo(T1))
        .willReturn(json(403, "{\"errors\":[\"permission denied\"]}")));
    wm.setScenarioState("vault", "revoked");

    assertThat(source.fetch(SecretRef.of("secret/app")).field("k").contentEquals("midrun-two".toCharArray())).isTrue();
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/auth/approle/login")));
  }

  @Test
  void aDeniedPathWithAGoodTokenIsAccessDeniedWithoutALogin() {
    watchAll();
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login")).willReturn(json(200, authBody(T1, 3600, false))));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/other")).willReturn(json(403, "{\"errors\":[\"permission denied\"]}")));
    stubLookupSelf(T1, 3000, false);
    appRoleSource();

    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/other"))).isInstanceOf(SecretAccessDeniedException.class);
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/auth/approle/login")));
    wm.verify(1, getRequestedFor(urlEqualTo("/v1/auth/token/lookup-self")));
  }

  @Test
  void aGivenTokenThatVaultRefusesIsAccessDeniedAskingForANewToken() {
    watchAll();
    stubLookupSelf(T1, 0, false);
    stubKv(T1, "given-one");
    source = builder(VaultAuth.token(SecretValue.copyOf(T1.toCharArray()))).build();
    source.fetch(SecretRef.of("secret/app"));

    wm.stubFor(get(urlEqualTo("/v1/secret/data/app")).willReturn(json(403, "{\"errors\":[\"permission denied\", \"invalid token\"]}")));
    wm.stubFor(get(urlEqualTo("/v1/auth/token/lookup-self")).willReturn(json(403, "{\"errors\":[\"permission denied\"]}")));

    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/app")))
        .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("supply a new token");
  }

  @Test
  void concurrentFirstRequestsShareOneLogin() throws Exception {
    watchAll();
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login"))
        .willReturn(json(200, authBody(T1, 3600, false)).withFixedDelay(300)));
    stubKv(T1, "shared-login");
    appRoleSource();

    List<Secret> results = runConcurrently(16);

    assertThat(results).hasSize(16).allSatisfy(s -> assertThat(s.versionId()).isEqualTo("1"));
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/auth/approle/login")));
  }

  @Test
  void concurrentRequestsRefusedWithTheSameTokenShareOneNewLogin() throws Exception {
    watchAll();
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login")).inScenario("vault").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(json(200, authBody(T1, 3600, false))).willSetStateTo("one"));
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login")).inScenario("vault").whenScenarioStateIs("revoked")
        .willReturn(json(200, authBody(T2, 3600, false)).withFixedDelay(300)).willSetStateTo("two"));
    stubKv(T1, "conc-one");
    stubKv(T2, "conc-two");
    appRoleSource();
    source.fetch(SecretRef.of("secret/app"));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app")).withHeader("X-Vault-Token", equalTo(T1))
        .willReturn(json(403, "{\"errors\":[\"2 errors occurred:\\n\\t* permission denied\\n\\t* invalid token\\n\\n\"]}")));
    wm.setScenarioState("vault", "revoked");

    List<Secret> results = runConcurrently(16);

    assertThat(results).hasSize(16).allSatisfy(s -> assertThat(s.field("k").contentEquals("conc-two".toCharArray())).isTrue());
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/auth/approle/login")));
  }

  @Test
  void aGivenRenewableTokenIsRenewedAheadOfItsExpiry() {
    watchAll();
    stubLookupSelf(T1, 90, true);
    wm.stubFor(post(urlEqualTo("/v1/auth/token/renew-self")).withHeader("X-Vault-Token", equalTo(T1))
        .withRequestBody(equalToJson("{\"increment\":90}"))
        .willReturn(json(200, authBody(T1, 90, true))));
    stubKv(T1, "given-renewed");
    source = builder(VaultAuth.token(SecretValue.copyOf(T1.toCharArray()))).build();

    source.fetch(SecretRef.of("secret/app"));
    assertOneStepDueIn(Duration.ofSeconds(60));
    clock.advance(Duration.ofSeconds(60));
    clock.advance(Duration.ofSeconds(60));

    wm.verify(2, postRequestedFor(urlEqualTo("/v1/auth/token/renew-self")));
    assertThat(source.fetch(SecretRef.of("secret/app")).versionId()).isEqualTo("1");
    wm.verify(1, getRequestedFor(urlEqualTo("/v1/auth/token/lookup-self")));
  }

  @Test
  void aFailedRenewalOfALoginTokenIsFollowedByANewLogin() {
    watchAll();
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login")).inScenario("login").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(json(200, authBody(T1, 60, true))).willSetStateTo("second"));
    wm.stubFor(post(urlEqualTo("/v1/auth/approle/login")).inScenario("login").whenScenarioStateIs("second")
        .willReturn(json(200, authBody(T2, 60, true))));
    wm.stubFor(post(urlEqualTo("/v1/auth/token/renew-self"))
        .willReturn(json(503, "{\"errors\":[\"Vault is sealed\"]}")));
    stubKv(T1, "fail-one");
    stubKv(T2, "fail-two");
    appRoleSource();
    source.fetch(SecretRef.of("secret/app"));

    clock.advance(Duration.ofSeconds(40));   // renewal fails; a login follows at once

    wm.verify(2, postRequestedFor(urlEqualTo("/v1/auth/approle/login")));
    assertThat(source.fetch(SecretRef.of("secret/app")).field("k").contentEquals("fail-two".toCharArray())).isTrue();
  }

  private List<Secret> runConcurrently(int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Secret>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          return source.fetch(SecretRef.of("secret/app"));
        }));
      }
      assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
      go.countDown();
      List<Secret> out = new ArrayList<>();
      for (Future<Secret> f : futures) {
        out.add(f.get(20, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
