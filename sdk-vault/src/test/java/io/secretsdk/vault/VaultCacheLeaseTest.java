package io.secretsdk.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.secretsdk.Credentials;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The lease-aware cache over Vault: a database lease is renewed, then replaced before it ends. */
class VaultCacheLeaseTest extends VaultFake {
  static final String TOKEN = "hvs.cache-lease-token-42";
  static final String L1 = "database/creds/app/lease-one";
  static final String L2 = "database/creds/app/lease-two";

  @Test
  void theCacheRenewsAVaultLeaseThenFetchesNewCredentialsBeforeItEnds() {
    LeakGuard.watch(TOKEN);
    LeakGuard.watch("first-dyn-pass-111");
    LeakGuard.watch("second-dyn-pass-222");
    stubLookupSelf(TOKEN, 0, false);
    // Vault: the role's max TTL is 6600 s; each read makes new credentials.
    wm.stubFor(get(urlEqualTo("/v1/database/creds/app")).inScenario("creds").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(json(200, creds(L1, "v-app-1", "first-dyn-pass-111"))).willSetStateTo("issued one"));
    wm.stubFor(get(urlEqualTo("/v1/database/creds/app")).inScenario("creds").whenScenarioStateIs("issued one")
        .willReturn(json(200, creds(L2, "v-app-2", "second-dyn-pass-222"))).willSetStateTo("issued two"));
    wm.stubFor(put(urlEqualTo("/v1/sys/leases/renew")).inScenario("renew").whenScenarioStateIs(Scenario.STARTED)
        .withRequestBody(equalToJson("{\"lease_id\":\"" + L1 + "\",\"increment\":3600}"))
        .willReturn(json(200, "{\"lease_id\":\"" + L1 + "\",\"renewable\":true,\"lease_duration\":3600}"))
        .willSetStateTo("near max"));
    wm.stubFor(put(urlEqualTo("/v1/sys/leases/renew")).inScenario("renew").whenScenarioStateIs("near max")
        .withRequestBody(equalToJson("{\"lease_id\":\"" + L1 + "\",\"increment\":3600}"))
        .willReturn(json(200, "{\"lease_id\":\"" + L1 + "\",\"renewable\":true,\"lease_duration\":1200}"))
        .willSetStateTo("capped"));
    source = VaultSecretSource.builder().address(address())
        .auth(VaultAuth.token(SecretValue.copyOf(TOKEN.toCharArray()))).clock(clock).scheduler(scheduler).build();
    List<RotationEvent> rotations = new CopyOnWriteArrayList<>();
    SecretRef ref = SecretRef.parse("vault://database/creds/app");
    Instant t0 = clock.instant();
    Instant leaseOneEnds = t0.plusSeconds(6600);

    try (SecretCache cache = SecretCache.builder(source).clock(clock).scheduler(scheduler).listenerExecutor(Runnable::run)
        .refreshJitter(0).resilience(ResiliencePolicy.none()).build()) {
      cache.onRotation(ref, rotations::add);
      assertThat(Credentials.from(cache.get(ref)).username()).isEqualTo("v-app-1");

      clock.advance(Duration.ofSeconds(2700));   // 0.75 of 3600: renewed, full grant
      wm.verify(1, putRequestedFor(urlEqualTo("/v1/sys/leases/renew")));
      clock.advance(Duration.ofSeconds(2700));   // renewed again: only 1200 s granted, the max TTL is near
      wm.verify(2, putRequestedFor(urlEqualTo("/v1/sys/leases/renew")));
      wm.verify(1, getRequestedFor(urlEqualTo("/v1/database/creds/app")));
      assertThat(Credentials.from(cache.get(ref)).username()).isEqualTo("v-app-1");

      clock.advance(Duration.ofSeconds(801));    // two thirds of the 1200 s left: new credentials
      wm.verify(2, getRequestedFor(urlEqualTo("/v1/database/creds/app")));
      assertThat(clock.instant()).as("new credentials arrive while the old lease still runs").isBefore(leaseOneEnds);
      Credentials now = Credentials.from(cache.get(ref));
      assertThat(now.username()).isEqualTo("v-app-2");
      assertThat(now.password().contentEquals("second-dyn-pass-222".toCharArray())).isTrue();
      assertThat(rotations).hasSize(1);
      assertThat(rotations.get(0).reason()).isEqualTo(RotationEvent.Reason.LEASE_ENDING);
      assertThat(rotations.get(0).overlapUntil()).isBeforeOrEqualTo(leaseOneEnds);
      assertThat(cache.previous(ref)).hasValueSatisfying(p -> assertThat(p.versionId()).isEqualTo(L1));
    }
  }

  private static String creds(String leaseId, String user, String password) {
    return "{\"lease_id\":\"" + leaseId + "\",\"renewable\":true,\"lease_duration\":3600,"
        + "\"data\":{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}}";
  }
}
