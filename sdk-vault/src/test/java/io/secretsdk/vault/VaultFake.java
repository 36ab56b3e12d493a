package io.secretsdk.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.secretsdk.SecretValue;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.time.Duration;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The Vault HTTP API served by WireMock on 127.0.0.1, shared by a test class; reset per test. */
abstract class VaultFake {
  static WireMockServer wm;
  ManualClock clock;
  ManualScheduler scheduler;
  VaultSecretSource source;

  @BeforeAll
  static void startVault() {
    wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(24));
    wm.start();
  }

  @AfterAll
  static void stopVault() {
    wm.stop();
  }

  @BeforeEach
  void resetVault() {
    wm.resetAll();
    clock = new ManualClock();
    scheduler = new ManualScheduler(clock);
  }

  @AfterEach
  void closeSource() {
    if (source != null) {
      source.close();
    }
  }

  /** Asserts that exactly one step is scheduled, due after {@code delay}. */
  void assertOneStepDueIn(Duration delay) {
    org.assertj.core.api.Assertions.assertThat(scheduler.queued()).isEqualTo(1);
    org.assertj.core.api.Assertions.assertThat(scheduler.nextDue()).isEqualTo(clock.instant().plus(delay));
  }

  static URI address() {
    return URI.create("http://127.0.0.1:" + wm.port());
  }

  VaultSecretSource.Builder builder(VaultAuth auth) {
    return VaultSecretSource.builder().address(address()).auth(auth).clock(clock).scheduler(scheduler);
  }

  /** A source with token auth for a token that never expires. */
  VaultSecretSource tokenSource(String token) {
    stubLookupSelf(token, 0, false);
    SecretValue t = SecretValue.wrap(token.toCharArray());
    source = builder(VaultAuth.token(t)).build();
    t.destroy();
    return source;
  }

  static void stubLookupSelf(String token, long ttl, boolean renewable) {
    wm.stubFor(get(urlEqualTo("/v1/auth/token/lookup-self"))
        .withHeader("X-Vault-Token", equalTo(token))
        .willReturn(json(200, "{\"data\":{\"ttl\":" + ttl + ",\"renewable\":" + renewable + ",\"policies\":[\"default\"]}}")));
  }

  static ResponseDefinitionBuilder json(int status, String body) {
    return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
  }

  static String kv2Body(String dataJson, long version, String createdTime) {
    return "{\"request_id\":\"r1\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,\"data\":{\"data\":"
        + dataJson + ",\"metadata\":{\"created_time\":\"" + createdTime
        + "\",\"custom_metadata\":{\"owner\":\"team-a\"},\"deletion_time\":\"\",\"destroyed\":false,\"version\":"
        + version + "}},\"wrap_info\":null,\"warnings\":null,\"auth\":null}";
  }

  static String authBody(String token, long ttl, boolean renewable) {
    return "{\"request_id\":\"r\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,\"data\":null,"
        + "\"auth\":{\"client_token\":\"" + token + "\",\"accessor\":\"acc\",\"policies\":[\"default\"],"
        + "\"lease_duration\":" + ttl + ",\"renewable\":" + renewable + "}}";
  }

}
