package io.secretsdk.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.secretsdk.Credentials;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretExpiredException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.VersionStage;
import io.secretsdk.testing.LeakGuard;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VaultSecretSourceTest extends VaultFake {
  static final String TOKEN = "hvs.tokenFor-kv-tests-0001";
  static final String PASSWORD = "pw-\\u00e9\\\"q7Zr!x9";    // as JSON text: é and a quote
  static final String PASSWORD_DECODED = "pw-é\"q7Zr!x9";

  @Test
  void kvV2CurrentVersionIsTheDataObjectWithFieldsMetadataAndVersion() {
    LeakGuard.watch(TOKEN);
    LeakGuard.watch(PASSWORD_DECODED);
    tokenSource(TOKEN);
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app")).withHeader("X-Vault-Token", equalTo(TOKEN))
        .willReturn(json(200, kv2Body("{\"username\":\"app\",\"password\":\"" + PASSWORD + "\",\"port\":5432}", 3,
            "2026-01-01T10:00:00.123456789Z"))));

    Secret s = source.fetch(SecretRef.parse("vault://secret/data/app"));

    assertThat(s.versionId()).isEqualTo("3");
    assertThat(s.stages()).containsExactly(VersionStage.CURRENT);
    assertThat(s.createdAt()).contains(Instant.parse("2026-01-01T10:00:00.123456789Z"));
    assertThat(s.metadata()).containsEntry("owner", "team-a").containsEntry("vault.engine", "kv-v2")
        .containsEntry("vault.path", "app");
    assertThat(s.field("password").contentEquals(PASSWORD_DECODED.toCharArray())).isTrue();
    assertThat(s.field("username").contentEquals("app".toCharArray())).isTrue();
    assertThat(s.field("port").contentEquals("5432".toCharArray())).isTrue();
    assertThat(s.fieldNames()).containsExactly("username", "password", "port");
    assertThat(s.toString()).doesNotContain("q7Zr");
    s.value().destroy();
    assertThat(s.value().isDestroyed()).isTrue();
  }

  @Test
  void shortAndLongNamesOfAKvV2SecretReadTheSamePath() {
    LeakGuard.watch(TOKEN);
    tokenSource(TOKEN);
    wm.stubFor(get(urlEqualTo("/v1/secret/data/team/app"))
        .willReturn(json(200, kv2Body("{\"k\":\"value-one\"}", 1, "2026-01-01T00:00:00Z"))));

    Secret longForm = source.fetch(SecretRef.parse("vault://secret/data/team/app"));
    Secret shortForm = source.fetch(SecretRef.parse("vault://secret/team/app"));
    Secret withV1Prefix = source.fetch(SecretRef.parse("vault:///v1/secret/data/team/app"));

    assertThat(longForm.field("k").contentEquals("value-one".toCharArray())).isTrue();
    assertThat(shortForm.field("k").contentEquals("value-one".toCharArray())).isTrue();
    assertThat(withV1Prefix.versionId()).isEqualTo("1");
    wm.verify(3, getRequestedFor(urlEqualTo("/v1/secret/data/team/app")));
  }

  @Test
  void aConfiguredMultiSegmentKvV2MountIsRecognized() {
    LeakGuard.watch(TOKEN);
    stubLookupSelf(TOKEN, 0, false);
    source = builder(VaultAuth.token(io.secretsdk.SecretValue.copyOf(TOKEN.toCharArray()))).kvV2Mounts("kv/team-a").build();
    wm.stubFor(get(urlEqualTo("/v1/kv/team-a/data/db"))
        .willReturn(json(200, kv2Body("{\"k\":\"v-team\"}", 7, "2026-01-01T00:00:00Z"))));

    assertThat(source.fetch(SecretRef.of("kv/team-a/db")).versionId()).isEqualTo("7");
    assertThatThrownBy(() -> source.fetch(SecretRef.of("kv/team-a/metadata/db")))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("KV v2 mount");
  }

  @Test
  void aNamedVersionIsReadWithTheVersionParameter() {
    LeakGuard.watch(TOKEN);
    tokenSource(TOKEN);
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app?version=2"))
        .willReturn(json(200, kv2Body("{\"k\":\"older-value\"}", 2, "2025-12-01T00:00:00Z"))));

    Secret s = source.fetch(SecretRef.parse("vault://secret/app?version=2"));

    assertThat(s.versionId()).isEqualTo("2");
    assertThat(s.stages()).isEmpty();
    assertThat(s.field("k").contentEquals("older-value".toCharArray())).isTrue();
    assertThatThrownBy(() -> source.fetch(SecretRef.parse("vault://secret/app?version=latest")))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("positive whole number");
  }

  @Test
  void aDeletedOrDestroyedVersionIsNotFoundNamingTheVersion() {
    LeakGuard.watch(TOKEN);
    tokenSource(TOKEN);
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app?version=2")).willReturn(json(404,
        "{\"data\":{\"data\":null,\"metadata\":{\"created_time\":\"2025-01-01T00:00:00Z\",\"custom_metadata\":null,"
            + "\"deletion_time\":\"2025-06-01T00:00:00Z\",\"destroyed\":false,\"version\":2}}}")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app?version=1")).willReturn(json(404,
        "{\"data\":{\"data\":null,\"metadata\":{\"created_time\":\"2025-01-01T00:00:00Z\",\"custom_metadata\":null,"
            + "\"deletion_time\":\"\",\"destroyed\":true,\"version\":1}}}")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/gone")).willReturn(json(404, "{\"errors\":[]}")));

    assertThatThrownBy(() -> source.fetch(SecretRef.parse("vault://secret/app?version=2")))
        .isInstanceOf(SecretNotFoundException.class)
        .hasMessageContaining("version 2 was deleted at 2025-06-01T00:00:00Z")
        .satisfies(e -> assertThat(((SecretNotFoundException) e).ref()).isPresent());
    assertThatThrownBy(() -> source.fetch(SecretRef.parse("vault://secret/app?version=1")))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("version 1 was destroyed");
    assertThatThrownBy(() -> source.fetch(SecretRef.parse("vault://secret/gone")))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("'secret/gone' does not exist");
  }

  @Test
  void previousIsTheNewestVersionBeforeCurrentThatIsNeitherDeletedNorDestroyed() {
    LeakGuard.watch(TOKEN);
    tokenSource(TOKEN);
    wm.stubFor(get(urlEqualTo("/v1/secret/metadata/app")).willReturn(json(200,
        "{\"data\":{\"current_version\":5,\"oldest_version\":0,\"versions\":{"
            + "\"1\":{\"created_time\":\"2025-01-01T00:00:00Z\",\"deletion_time\":\"\",\"destroyed\":false},"
            + "\"2\":{\"created_time\":\"2025-02-01T00:00:00Z\",\"deletion_time\":\"\",\"destroyed\":false},"
            + "\"3\":{\"created_time\":\"2025-03-01T00:00:00Z\",\"deletion_time\":\"\",\"destroyed\":true},"
            + "\"4\":{\"created_time\":\"2025-04-01T00:00:00Z\",\"deletion_time\":\"2025-04-02T00:00:00Z\",\"destroyed\":false},"
            + "\"5\":{\"created_time\":\"2025-05-01T00:00:00Z\",\"deletion_time\":\"\",\"destroyed\":false}}}}")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app?version=2"))
        .willReturn(json(200, kv2Body("{\"k\":\"second-value\"}", 2, "2025-02-01T00:00:00Z"))));
    wm.stubFor(get(urlEqualTo("/v1/secret/metadata/fresh")).willReturn(json(200,
        "{\"data\":{\"current_version\":1,\"versions\":{\"1\":{\"deletion_time\":\"\",\"destroyed\":false}}}}")));

    Optional<Secret> previous = source.fetchPrevious(SecretRef.of("secret/app"));
    Secret byStage = source.fetch(SecretRef.parse("vault://secret/app?stage=previous"));

    assertThat(previous).get().satisfies(p -> {
      assertThat(p.versionId()).isEqualTo("2");
      assertThat(p.stages()).containsExactly(VersionStage.PREVIOUS);
      assertThat(p.field("k").contentEquals("second-value".toCharArray())).isTrue();
    });
    assertThat(byStage.versionId()).isEqualTo("2");
    assertThat(source.fetchPrevious(SecretRef.of("secret/fresh"))).isEmpty();
    assertThatThrownBy(() -> source.fetch(SecretRef.parse("vault://secret/fresh?stage=previous")))
        .isInstanceOf(SecretNotFoundException.class);
    assertThat(source.fetchPrevious(SecretRef.of("database/creds/app"))).isEmpty();
  }

  @Test
  void kvV1AdvisoryTtlBecomesTheNextTimeToReadAgain() {
    LeakGuard.watch(TOKEN);
    LeakGuard.watch("kv1-secret-value");
    tokenSource(TOKEN);
    wm.stubFor(get(urlEqualTo("/v1/kv/app")).willReturn(json(200,
        "{\"request_id\":\"r\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":3600,"
            + "\"data\":{\"api-key\":\"kv1-secret-value\"}}")));

    Secret s = source.fetch(SecretRef.parse("vault://kv/app"));

    assertThat(s.nextRotationAt()).contains(clock.instant().plusSeconds(3600));
    assertThat(s.lease()).isEmpty();
    assertThat(s.versionId()).startsWith("h-");
    assertThat(s.metadata()).containsEntry("vault.engine", "kv-v1");
    assertThat(s.field("api-key").contentEquals("kv1-secret-value".toCharArray())).isTrue();
    assertThatThrownBy(() -> source.renew(s.lease().orElse(new Lease(null, Instant.EPOCH, Duration.ZERO, false)),
        Duration.ofHours(1))).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void dynamicDatabaseCredentialsAreLeasedRenewedUntilCappedAndRevoked() {
    LeakGuard.watch(TOKEN);
    LeakGuard.watch("A1a-dynamic-password-x");
    tokenSource(TOKEN);
    String leaseId = "database/creds/app/AbCd1234";
    wm.stubFor(get(urlEqualTo("/v1/database/creds/app")).willReturn(json(200,
        "{\"request_id\":\"r\",\"lease_id\":\"" + leaseId + "\",\"renewable\":true,\"lease_duration\":3600,"
            + "\"data\":{\"username\":\"v-app-xyz\",\"password\":\"A1a-dynamic-password-x\"}}")));
    String renewBody = "{\"lease_id\":\"" + leaseId + "\",\"increment\":3600}";
    wm.stubFor(put(urlEqualTo("/v1/sys/leases/renew")).inScenario("lease").whenScenarioStateIs(Scenario.STARTED)
        .withRequestBody(equalToJson(renewBody)).withHeader("X-Vault-Token", equalTo(TOKEN))
        .willReturn(json(200, "{\"lease_id\":\"" + leaseId + "\",\"renewable\":true,\"lease_duration\":3600}"))
        .willSetStateTo("near max ttl"));
    wm.stubFor(put(urlEqualTo("/v1/sys/leases/renew")).inScenario("lease").whenScenarioStateIs("near max ttl")
        .withRequestBody(equalToJson(renewBody))
        .willReturn(json(200, "{\"lease_id\":\"" + leaseId + "\",\"renewable\":true,\"lease_duration\":1200}"))
        .willSetStateTo("revoked"));
    wm.stubFor(put(urlEqualTo("/v1/sys/leases/revoke")).inScenario("lease")
        .withRequestBody(equalToJson("{\"lease_id\":\"" + leaseId + "\"}"))
        .willReturn(aResponse().withStatus(204)).willSetStateTo("revoked"));
    wm.stubFor(put(urlEqualTo("/v1/sys/leases/renew")).inScenario("lease").whenScenarioStateIs("revoked")
        .willReturn(json(400, "{\"errors\":[\"lease not found\"]}")));

    Instant issued = clock.instant();
    Secret s = source.fetch(SecretRef.parse("vault://database/creds/app"));
    Lease lease = s.lease().orElseThrow();
    assertThat(lease).isEqualTo(new Lease(leaseId, issued, Duration.ofHours(1), true));
    assertThat(s.versionId()).isEqualTo(leaseId);
    assertThat(lease.expiresAt()).isEqualTo(issued.plusSeconds(3600));
    assertThat(s.expiresAt()).as("the lease states the end, so renewals can move it").isEmpty();
    Credentials c = Credentials.from(s);
    assertThat(c.username()).isEqualTo("v-app-xyz");
    assertThat(c.password().contentEquals("A1a-dynamic-password-x".toCharArray())).isTrue();
    assertThat(source.heldLeases()).containsExactly(lease);

    clock.advance(Duration.ofMinutes(40));
    Lease renewed = source.renew(lease, Duration.ofHours(1));
    assertThat(renewed.renewable()).isTrue();
    assertThat(renewed.expiresAt()).isEqualTo(issued.plus(Duration.ofMinutes(100)));

    clock.advance(Duration.ofMinutes(40));
    Lease capped = source.renew(renewed, Duration.ofHours(1));
    assertThat(capped.ttl()).isEqualTo(Duration.ofMinutes(20));
    assertThat(capped.renewable()).as("a renewal cut short by the max TTL ends renewing").isFalse();

    source.revoke(capped);
    wm.verify(putRequestedFor(urlEqualTo("/v1/sys/leases/revoke")));
    assertThat(source.heldLeases()).isEmpty();
    assertThatThrownBy(() -> source.renew(capped, Duration.ofHours(1)))
        .isInstanceOf(SecretExpiredException.class).hasMessageContaining("fetch new credentials");
  }

  @Test
  void dynamicCredentialsHaveNoOlderVersions() {
    LeakGuard.watch(TOKEN);
    tokenSource(TOKEN);
    assertThatThrownBy(() -> source.fetch(SecretRef.parse("vault://database/creds/app?version=x")))
        .isInstanceOf(InvalidSecretRefException.class);
    assertThatThrownBy(() -> source.fetch(SecretRef.parse("vault://database/creds/app?stage=previous")))
        .isInstanceOf(SecretNotFoundException.class);
    assertThatThrownBy(() -> source.fetch(SecretRef.parse("vault://database/roles/app")))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("database/creds/<role>");
  }

  @Test
  void staticRoleCredentialsAreDueAgainWhenVaultRotatesThem() {
    LeakGuard.watch(TOKEN);
    LeakGuard.watch("static-pass-Q9w8e7");
    tokenSource(TOKEN);
    wm.stubFor(get(urlEqualTo("/v1/database/static-creds/reporting")).willReturn(json(200,
        "{\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,\"data\":{\"username\":\"reporting\","
            + "\"password\":\"static-pass-Q9w8e7\",\"ttl\":1800,\"rotation_period\":86400,"
            + "\"last_vault_rotation\":\"2025-12-31T23:30:00.000000001Z\"}}")));

    Secret s = source.fetch(SecretRef.parse("vault://database/static-creds/reporting"));

    assertThat(s.nextRotationAt()).contains(clock.instant().plusSeconds(1800));
    assertThat(s.lease()).isEmpty();
    assertThat(s.versionId()).isEqualTo("2025-12-31T23:30:00.000000001Z");
    assertThat(s.createdAt()).contains(Instant.parse("2025-12-31T23:30:00.000000001Z"));
    assertThat(s.metadata()).containsEntry("vault.rotation_period", "86400");
    assertThat(Credentials.from(s).password().contentEquals("static-pass-Q9w8e7".toCharArray())).isTrue();
  }

  @Test
  void closingRevokesHeldLeasesWhenAskedTo() {
    LeakGuard.watch(TOKEN);
    stubLookupSelf(TOKEN, 0, false);
    source = builder(VaultAuth.token(io.secretsdk.SecretValue.copyOf(TOKEN.toCharArray()))).revokeOnClose(true).build();
    wm.stubFor(get(urlEqualTo("/v1/database/creds/app")).willReturn(json(200,
        "{\"lease_id\":\"database/creds/app/L1\",\"renewable\":true,\"lease_duration\":60,"
            + "\"data\":{\"username\":\"u\",\"password\":\"p-closing-1\"}}")));
    wm.stubFor(put(urlEqualTo("/v1/sys/leases/revoke")).willReturn(aResponse().withStatus(204)));

    source.fetch(SecretRef.of("database/creds/app")).value().destroy();
    source.close();

    wm.verify(1, putRequestedFor(urlEqualTo("/v1/sys/leases/revoke"))
        .withRequestBody(equalToJson("{\"lease_id\":\"database/creds/app/L1\"}")));
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/app"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theNamespaceGoesWithEveryRequest() {
    LeakGuard.watch(TOKEN);
    stubLookupSelf(TOKEN, 0, false);
    source = builder(VaultAuth.token(io.secretsdk.SecretValue.copyOf(TOKEN.toCharArray()))).namespace("team-a/prod").build();
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app")).withHeader("X-Vault-Namespace", equalTo("team-a/prod"))
        .willReturn(json(200, kv2Body("{\"k\":\"in-namespace\"}", 1, "2026-01-01T00:00:00Z"))));

    assertThat(source.fetch(SecretRef.of("secret/app")).versionId()).isEqualTo("1");
    wm.verify(getRequestedFor(urlEqualTo("/v1/auth/token/lookup-self")).withHeader("X-Vault-Namespace", equalTo("team-a/prod")));
  }

  @Test
  void httpErrorsBecomeTypedExceptionsWithoutTheBody() {
    LeakGuard.watch(TOKEN);
    tokenSource(TOKEN);
    String echo = "{\"errors\":[\"1 error occurred: permission denied; input was hunter2-ECHOED\"]}";
    wm.stubFor(get(urlEqualTo("/v1/secret/data/denied")).willReturn(json(403, echo)));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/bad")).willReturn(json(400, "{\"errors\":[\"hunter2-ECHOED\"]}")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/busy")).willReturn(json(429, "{\"errors\":[\"rate limit quota exceeded\"]}")
        .withHeader("Retry-After", "7")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/sealed")).willReturn(json(503, "{\"errors\":[\"Vault is sealed\"]}")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/standby")).willReturn(json(503, "{\"errors\":[\"local node not active but active cluster node not found\"]}")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/oops")).willReturn(json(500, "{\"errors\":[\"hunter2-ECHOED\"]}")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/proxy")).willReturn(aResponse().withStatus(502).withBody("<html>hunter2-ECHOED")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/lagging")).willReturn(json(412, "{\"errors\":[]}")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/moved")).willReturn(aResponse().withStatus(307)
        .withHeader("Location", "http://127.0.0.1:1/v1/secret/data/moved")));

    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/denied")))
        .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("Vault said: permission denied")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/bad")))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/busy")))
        .isInstanceOf(SecretThrottledException.class)
        .satisfies(e -> assertThat(((SecretThrottledException) e).retryAfter()).contains(Duration.ofSeconds(7)));
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/sealed")))
        .isExactlyInstanceOf(SecretUnavailableException.class).hasMessageContaining("sealed");
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/standby")))
        .isExactlyInstanceOf(SecretUnavailableException.class).hasMessageContaining("local node not active");
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/oops")))
        .isExactlyInstanceOf(SecretUnavailableException.class).hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/proxy")))
        .isExactlyInstanceOf(SecretUnavailableException.class).hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/lagging")))
        .isExactlyInstanceOf(SecretUnavailableException.class).hasMessageContaining("412");
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/moved")))
        .isExactlyInstanceOf(SecretUnavailableException.class).hasMessageContaining("redirect");
  }

  @Test
  void aSlowVaultIsCutOffByTheRequestTimeout() {
    LeakGuard.watch(TOKEN);
    stubLookupSelf(TOKEN, 0, false);
    source = builder(VaultAuth.token(io.secretsdk.SecretValue.copyOf(TOKEN.toCharArray())))
        .requestTimeout(Duration.ofMillis(250)).build();
    wm.stubFor(get(urlEqualTo("/v1/secret/data/slow"))
        .willReturn(json(200, kv2Body("{\"k\":\"late\"}", 1, "2026-01-01T00:00:00Z")).withFixedDelay(2000)));

    long start = System.nanoTime();
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/slow")))
        .isExactlyInstanceOf(SecretUnavailableException.class).hasMessageContaining("did not answer within");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1900));
  }

  @Test
  void anUnreachableVaultIsUnavailable() {
    LeakGuard.watch(TOKEN);
    source = VaultSecretSource.builder().address(java.net.URI.create("http://127.0.0.1:1"))
        .auth(VaultAuth.token(io.secretsdk.SecretValue.copyOf(TOKEN.toCharArray()))).clock(clock).scheduler(scheduler).build();
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/app")))
        .isExactlyInstanceOf(SecretUnavailableException.class).hasMessageContaining("could not reach Vault");
  }

  @Test
  void garbageBodiesAreFormatErrorsThatQuoteNothing() {
    LeakGuard.watch(TOKEN);
    tokenSource(TOKEN);
    wm.stubFor(get(urlEqualTo("/v1/secret/data/a")).willReturn(json(200, "not json hunter2-ECHOED")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/b")).willReturn(json(200, "{\"data\":{\"data\":{\"k\":\"hunter2-ECHOED")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/c")).willReturn(json(200, "{\"data\":{\"data\":[1,2],\"metadata\":{\"version\":1}}}")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/d")).willReturn(json(200, "[\"hunter2-ECHOED\"]")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/e")).willReturn(json(200, "{\"data\":{\"data\":{\"k\":\"v\"}}}")));
    wm.stubFor(get(urlEqualTo("/v1/database/creds/f")).willReturn(json(200, "{\"data\":{\"password\":\"hunter2-ECHOED\"}}")));

    for (String name : new String[] {"secret/a", "secret/b", "secret/c", "secret/d", "secret/e", "database/creds/f"}) {
      assertThatThrownBy(() -> source.fetch(SecretRef.of(name)))
          .as(name).isInstanceOf(SecretFormatException.class).hasMessageNotContaining("hunter2");
    }
  }

  @Test
  void anOversizedAnswerIsRefusedRatherThanBuffered() {
    LeakGuard.watch(TOKEN);
    tokenSource(TOKEN);
    byte[] huge = new byte[5 << 20];
    java.util.Arrays.fill(huge, (byte) ' ');
    huge[0] = '{';
    huge[huge.length - 1] = '}';
    wm.stubFor(get(urlEqualTo("/v1/secret/data/huge")).willReturn(aResponse().withStatus(200).withBody(huge)));

    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/huge")))
        .isExactlyInstanceOf(SecretUnavailableException.class).hasMessageContaining("refused");
  }

  @Test
  void referencesForAnotherSchemeOrWithBadPathsAreRefused() {
    LeakGuard.watch(TOKEN);
    tokenSource(TOKEN);
    assertThatThrownBy(() -> source.fetch(SecretRef.parse("aws-sm://secret/app"))).isInstanceOf(InvalidSecretRefException.class);
    assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/../sys/seal"))).isInstanceOf(InvalidSecretRefException.class);
    assertThatThrownBy(() -> source.fetch(SecretRef.of("nomount"))).isInstanceOf(InvalidSecretRefException.class);
    assertThat(source.scheme()).isEqualTo("vault");
    assertThat(source.toString()).contains("token").doesNotContain(TOKEN);
    assertThat(Set.of(source.toString())).hasSize(1);
  }
}
