package io.secretsdk.azure;

import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.secretsdk.azure.KeyVaultFake.getSecret;
import static io.secretsdk.azure.KeyVaultFake.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * secretsdk's cache on the Azure source, the real client and the fake vault, with time moved by
 * hand: a new version set on the server becomes exactly one {@code RotationEvent}, and a secret's
 * {@code exp} brings its refresh forward.
 */
class CacheOnTopTest {
  private static final String SCENARIO = "kv-rotation";
  private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");
  private static final String V1 = "0123456789abcdef0123456789abcd01";
  private static final String V2 = "0123456789abcdef0123456789abcd02";

  @RegisterExtension static final KeyVaultFake fake = new KeyVaultFake();
  private final ManualClock clock = new ManualClock(START);
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private AzureKeyVaultSource source;
  private SecretCache cache;

  private void start(Duration ttl) {
    source = AzureKeyVaultSource.builder().vaultUrl(fake.vaultUrl()).credential(fake.credential)
        .httpClient(fake.redirect()).clock(clock).build();
    cache = SecretCache.builder(source).clock(clock).scheduler(scheduler).listenerExecutor(Runnable::run)
        .resilience(ResiliencePolicy.none()).defaultTtl(ttl).refreshJitter(0).overlap(Duration.ofMinutes(10))
        .build();
  }

  @AfterEach
  void tearDown() {
    cache.close();
    source.close();
  }

  private static void state(String state, String version, String value, String next) {
    fake.server.stubFor(getSecret("db", "").inScenario(SCENARIO).whenScenarioStateIs(state)
        .willReturn(json(fake.bundle("db", version, value))));
  }

  @Test
  void aNewVersionSetOnTheServerBecomesExactlyOneRotationEvent() {
    String oldPw = "azure-cache-old-pw-A1";
    String newPw = "azure-cache-new-pw-B2";
    LeakGuard.watch(oldPw);
    LeakGuard.watch(newPw);
    state(STARTED, V1, oldPw, null);
    state("rotated", V2, newPw, null);
    start(Duration.ofMinutes(20));
    SecretRef ref = SecretRef.parse("azure-kv://db");
    List<RotationEvent> events = new CopyOnWriteArrayList<>();
    cache.onRotation(ref, events::add);

    assertThat(cache.get(ref).versionId()).isEqualTo(V1);
    scheduler.advance(Duration.ofMinutes(16)); // a refresh at 0.75 of 20 minutes finds the same version
    assertThat(events).isEmpty();

    fake.server.setScenarioState(SCENARIO, "rotated");
    int before = fake.countAuthorized("/secrets/db/");
    scheduler.advance(Duration.ofMinutes(15));
    assertThat(fake.countAuthorized("/secrets/db/")).as("one read per refresh").isEqualTo(before + 1);
    assertThat(events).hasSize(1);
    RotationEvent e = events.get(0);
    assertThat(e.current().versionId()).isEqualTo(V2);
    assertThat(e.previous()).hasValueSatisfying(p -> assertThat(p.versionId()).isEqualTo(V1));
    assertThat(e.reason()).isEqualTo(RotationEvent.Reason.SCHEDULED_REFRESH);
    List<SecretValue> accepted = cache.accepted(ref);
    assertThat(accepted).hasSize(2);
    assertThat(accepted.get(0).contentEquals(newPw.toCharArray())).isTrue();
    assertThat(accepted.get(1).contentEquals(oldPw.toCharArray())).isTrue();

    scheduler.advance(Duration.ofHours(2));
    assertThat(events).as("later refreshes find the same version").hasSize(1);
    assertThat(fake.credential.calls.get()).as("one token, reused").isEqualTo(1);
  }

  @Test
  void aSecretsExpiryDateBringsItsRefreshForward() {
    String pw = "azure-expiring-pw-C3";
    LeakGuard.watch(pw);
    Instant exp = START.plus(Duration.ofMinutes(8));
    fake.server.stubFor(getSecret("db", "").willReturn(json(fake.bundle("db", V1, pw,
        "\"enabled\":true,\"exp\":" + exp.getEpochSecond(), ""))));
    start(Duration.ofHours(1));
    SecretRef ref = SecretRef.parse("azure-kv://db");
    assertThat(cache.get(ref).expiresAt()).contains(exp);
    int before = fake.countAuthorized("/secrets/db/");
    scheduler.advance(Duration.ofMinutes(7)); // 0.75 of the 8 minutes left: refreshed, not at 45 minutes
    assertThat(fake.countAuthorized("/secrets/db/")).isGreaterThan(before);
  }
}
