package io.secretsdk.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.secretsdk.aws.AwsFake.json;
import static io.secretsdk.aws.AwsFake.sm;
import static io.secretsdk.aws.AwsFake.smText;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Credentials;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * secretsdk's cache on top of the AWS source, the real SDK client and WireMock, with time moved by
 * hand: a rotation played in WireMock (AWSPENDING appears, then AWSCURRENT moves) becomes exactly
 * one {@code RotationEvent}, found by the refresh the cache schedules right after the published
 * rotation time; the old credentials stay readable as previous during the overlap.
 */
class CacheOnTopTest {
  private static final String SCENARIO = "cache-rotation";
  private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
  private static final Instant ROTATION = START.plus(Duration.ofHours(1));

  @RegisterExtension static final AwsFake fake = new AwsFake();
  private SecretsManagerClient client;
  private ManualClock clock;
  private ManualScheduler scheduler;
  private AwsSecretsManagerSource source;
  private SecretCache cache;

  @BeforeEach
  void setUp() {
    client = fake.secretsManager();
    clock = new ManualClock(START);
    scheduler = new ManualScheduler(clock);
    source = AwsSecretsManagerSource.builder().client(client).clock(clock).build();
    cache = SecretCache.builder(source)
        .clock(clock)
        .scheduler(scheduler)
        .listenerExecutor(Runnable::run)
        .resilience(ResiliencePolicy.none())
        .defaultTtl(Duration.ofHours(24))
        .refreshJitter(0)
        .overlap(Duration.ofMinutes(10))
        .build();
  }

  @AfterEach
  void tearDown() {
    cache.close();
    source.close();
    client.close();
  }

  private static String creds(String user, String password) {
    return "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
  }

  private static void state(String state, String stage, String version, String value) {
    fake.server.stubFor(sm("GetSecretValue").inScenario(SCENARIO).whenScenarioStateIs(state)
        .withRequestBody(containing("\"" + stage + "\""))
        .willReturn(json(smText("prod/db", version, value, stage))));
  }

  private static void schedule(String state, Instant next, String versions) {
    fake.server.stubFor(sm("DescribeSecret").inScenario(SCENARIO).whenScenarioStateIs(state)
        .willReturn(json("{\"Name\":\"prod/db\",\"RotationEnabled\":true,\"NextRotationDate\":"
            + next.getEpochSecond() + ",\"VersionIdsToStages\":{" + versions + "}}")));
  }

  @Test
  void aRotationInTheBackendBecomesExactlyOneRotationEvent() {
    String oldPw = "cache-old-pw-A1";
    String newPw = "cache-new-pw-B2";
    LeakGuard.watch(oldPw);
    LeakGuard.watch(newPw);
    state(STARTED, "AWSCURRENT", "v1", creds("app_a", oldPw));
    schedule(STARTED, ROTATION, "\"v1\":[\"AWSCURRENT\"]");
    state("pending", "AWSCURRENT", "v1", creds("app_a", oldPw));
    state("pending", "AWSPENDING", "v2", creds("app_b", newPw));
    schedule("pending", ROTATION, "\"v1\":[\"AWSCURRENT\"],\"v2\":[\"AWSPENDING\"]");
    state("finished", "AWSCURRENT", "v2", creds("app_b", newPw));
    state("finished", "AWSPREVIOUS", "v1", creds("app_a", oldPw));
    schedule("finished", ROTATION.plus(Duration.ofDays(30)), "\"v2\":[\"AWSCURRENT\"],\"v1\":[\"AWSPREVIOUS\"]");
    SecretRef ref = SecretRef.parse("aws-sm://prod/db");
    List<RotationEvent> events = new CopyOnWriteArrayList<>();
    cache.onRotation(ref, events::add);

    assertThat(cache.get(ref).versionId()).isEqualTo("v1");
    assertThat(cache.get(ref).nextRotationAt()).contains(ROTATION);

    // The rotation Lambda's createSecret step: AWSPENDING appears; the cache holds on to v1.
    fake.server.setScenarioState(SCENARIO, "pending");
    clock.advance(Duration.ofMinutes(50));
    assertThat(cache.get(ref).versionId()).isEqualTo("v1");
    assertThat(events).isEmpty();

    // finishSecret, just before the published time: AWSCURRENT moves to v2.
    fake.server.setScenarioState(SCENARIO, "finished");
    int getsBefore = fake.smCount("GetSecretValue");
    scheduler.advance(Duration.between(clock.instant(), ROTATION).plusSeconds(5));

    assertThat(fake.smCount("GetSecretValue")).as("one refresh right after the rotation time").isEqualTo(getsBefore + 1);
    assertThat(events).hasSize(1);
    RotationEvent event = events.get(0);
    assertThat(event.ref()).isEqualTo(ref);
    assertThat(event.current().versionId()).isEqualTo("v2");
    assertThat(event.previous()).hasValueSatisfying(p -> assertThat(p.versionId()).isEqualTo("v1"));
    assertThat(event.reason()).isEqualTo(RotationEvent.Reason.SCHEDULED_REFRESH);
    assertThat(event.current().nextRotationAt()).contains(ROTATION.plus(Duration.ofDays(30)));
    Credentials current = Credentials.from(cache.get(ref));
    assertThat(current.username()).isEqualTo("app_b");
    assertThat(current.password().contentEquals(newPw.toCharArray())).isTrue();
    List<SecretValue> accepted = cache.accepted(ref.withField("password"));
    assertThat(accepted).hasSize(2);
    assertThat(accepted.get(0).contentEquals(newPw.toCharArray())).isTrue();
    assertThat(accepted.get(1).contentEquals(oldPw.toCharArray())).isTrue();

    // Later refreshes find the same version with a DescribeSecret check alone: no event, no value read again.
    int describes = fake.smCount("DescribeSecret");
    int gets = fake.smCount("GetSecretValue");
    scheduler.advance(Duration.ofHours(48));
    assertThat(events).hasSize(1);
    assertThat(fake.smCount("GetSecretValue")).isEqualTo(gets);
    assertThat(fake.smCount("DescribeSecret")).isGreaterThan(describes);
    assertThat(cache.previous(ref)).as("the overlap has ended").isEmpty();
  }
}
