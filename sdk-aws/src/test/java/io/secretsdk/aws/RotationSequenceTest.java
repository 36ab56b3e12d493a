package io.secretsdk.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.secretsdk.aws.AwsFake.error;
import static io.secretsdk.aws.AwsFake.json;
import static io.secretsdk.aws.AwsFake.sm;
import static io.secretsdk.aws.AwsFake.smText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.Credentials;
import io.secretsdk.Secret;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.VersionStage;
import io.secretsdk.testing.LeakGuard;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The two rotation strategies of AWS Secrets Manager played step by step, as the rotation Lambda
 * makes them happen (createSecret, setSecret, testSecret, finishSecret), with WireMock scenarios:
 * AWSPENDING appears, AWSCURRENT moves, AWSPREVIOUS is kept; and the rotation schedule is read at
 * the first load and after each rotation only.
 */
class RotationSequenceTest {
  private static final String SCENARIO = "rotation";
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final Instant FIRST_ROTATION = Instant.parse("2026-11-08T00:00:00Z");
  private static final Instant SECOND_ROTATION = Instant.parse("2026-11-15T00:00:00Z");

  @RegisterExtension static final AwsFake fake = new AwsFake();
  private SecretsManagerClient client;
  private MutableClock clock;
  private AwsSecretsManagerSource source;
  private final SecretRef current = SecretRef.parse("aws-sm://prod/db");
  private final SecretRef pending = current.withStage(VersionStage.PENDING);

  @BeforeEach
  void setUp() {
    client = fake.secretsManager();
    clock = new MutableClock(T0);
    source = AwsSecretsManagerSource.builder().client(client).clock(clock).build();
  }

  @AfterEach
  void tearDown() {
    source.close();
    client.close();
  }

  private static String creds(String user, String password) {
    return "{\"engine\":\"postgres\",\"host\":\"db.internal\",\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
  }

  /** Stubs GetSecretValue for one stage in one scenario state. */
  private static void version(String state, String stage, String versionId, String value, String... stages) {
    fake.server.stubFor(sm("GetSecretValue").inScenario(SCENARIO).whenScenarioStateIs(state)
        .withRequestBody(containing("\"VersionStage\":\"" + stage + "\""))
        .willReturn(json(smText("prod/db", versionId, value, stages))));
  }

  private static void noVersion(String state, String stage) {
    fake.server.stubFor(sm("GetSecretValue").inScenario(SCENARIO).whenScenarioStateIs(state)
        .withRequestBody(containing("\"VersionStage\":\"" + stage + "\""))
        .willReturn(error(400, "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret value for staging label: " + stage)));
  }

  private static void schedule(String state, Instant next) {
    fake.server.stubFor(sm("DescribeSecret").inScenario(SCENARIO).whenScenarioStateIs(state)
        .willReturn(json("{\"Name\":\"prod/db\",\"RotationEnabled\":true,\"NextRotationDate\":"
            + next.getEpochSecond() + ",\"LastRotatedDate\":1700000000}")));
  }

  private static void step(String state) {
    fake.server.setScenarioState(SCENARIO, state);
  }

  private Credentials read(SecretRef ref) {
    return Credentials.from(source.fetch(ref));
  }

  private static boolean is(Credentials c, String user, String password) {
    return c.username().equals(user) && c.password().contentEquals(password.toCharArray());
  }

  @Test
  void alternatingUsersRotationKeepsThePreviousUserReadableAsAwsPrevious() {
    String pwA1 = "alt-pw-A-first";
    String pwB1 = "alt-pw-B-second";
    String pwA2 = "alt-pw-A-third";
    LeakGuard.watch(pwA1);
    LeakGuard.watch(pwB1);
    LeakGuard.watch(pwA2);
    // Before any rotation: v1 (app_a) is current.
    version(STARTED, "AWSCURRENT", "v1", creds("app_a", pwA1), "AWSCURRENT");
    noVersion(STARTED, "AWSPENDING");
    noVersion(STARTED, "AWSPREVIOUS");
    schedule(STARTED, FIRST_ROTATION);
    // createSecret: v2 for the other user is AWSPENDING; setSecret and testSecret change nothing here.
    version("created", "AWSCURRENT", "v1", creds("app_a", pwA1), "AWSCURRENT");
    version("created", "AWSPENDING", "v2", creds("app_b", pwB1), "AWSPENDING");
    noVersion("created", "AWSPREVIOUS");
    schedule("created", FIRST_ROTATION);
    // finishSecret: AWSCURRENT moves to v2, v1 becomes AWSPREVIOUS, AWSPENDING is gone.
    version("finished", "AWSCURRENT", "v2", creds("app_b", pwB1), "AWSCURRENT");
    version("finished", "AWSPREVIOUS", "v1", creds("app_a", pwA1), "AWSPREVIOUS");
    noVersion("finished", "AWSPENDING");
    schedule("finished", SECOND_ROTATION);
    // The next rotation switches back to app_a with a new password; v1 loses every label.
    version("finished-2", "AWSCURRENT", "v3", creds("app_a", pwA2), "AWSCURRENT");
    version("finished-2", "AWSPREVIOUS", "v2", creds("app_b", pwB1), "AWSPREVIOUS");
    noVersion("finished-2", "AWSPENDING");
    schedule("finished-2", SECOND_ROTATION.plus(Duration.ofDays(7)));

    Secret first = source.fetch(current);
    assertThat(first.versionId()).isEqualTo("v1");
    assertThat(first.nextRotationAt()).contains(FIRST_ROTATION);
    assertThat(is(Credentials.from(first), "app_a", pwA1)).isTrue();
    assertThat(source.fetchPrevious(current)).isEmpty();
    assertThatThrownBy(() -> source.fetch(pending)).isInstanceOf(SecretNotFoundException.class);
    assertThat(fake.smCount("DescribeSecret")).isEqualTo(1);

    step("created");
    Secret stillCurrent = source.fetch(current);
    Secret pendingVersion = source.fetch(pending);
    assertThat(stillCurrent.versionId()).isEqualTo("v1");
    assertThat(stillCurrent.nextRotationAt()).contains(FIRST_ROTATION);
    assertThat(pendingVersion.versionId()).isEqualTo("v2");
    assertThat(pendingVersion.stages()).containsExactly(VersionStage.PENDING);
    assertThat(pendingVersion.nextRotationAt()).isEmpty();
    assertThat(is(Credentials.from(pendingVersion), "app_b", pwB1)).isTrue();
    assertThat(fake.smCount("DescribeSecret")).as("a refresh with the same version asks no schedule").isEqualTo(1);

    step("finished");
    Secret rotated = source.fetch(current);
    Optional<Secret> previous = source.fetchPrevious(current);
    assertThat(rotated.versionId()).isEqualTo("v2");
    assertThat(rotated.nextRotationAt()).contains(SECOND_ROTATION);
    assertThat(is(Credentials.from(rotated), "app_b", pwB1)).isTrue();
    assertThat(previous).hasValueSatisfying(p -> {
      assertThat(p.versionId()).isEqualTo("v1");
      assertThat(p.stages()).containsExactly(VersionStage.PREVIOUS);
      assertThat(is(Credentials.from(p), "app_a", pwA1)).as("the old user stays a valid login").isTrue();
    });
    assertThatThrownBy(() -> source.fetch(pending)).isInstanceOf(SecretNotFoundException.class);
    assertThat(fake.smCount("DescribeSecret")).as("asked again after the rotation").isEqualTo(2);
    source.fetch(current);
    source.fetch(current);
    assertThat(fake.smCount("DescribeSecret")).isEqualTo(2);

    step("finished-2");
    Secret again = source.fetch(current);
    assertThat(again.versionId()).isEqualTo("v3");
    assertThat(is(Credentials.from(again), "app_a", pwA2)).isTrue();
    assertThat(source.fetchPrevious(current)).hasValueSatisfying(p -> assertThat(p.versionId()).isEqualTo("v2"));
    assertThat(fake.smCount("DescribeSecret")).isEqualTo(3);
  }

  @Test
  void singleUserRotationChangesThePasswordInPlaceAndKeepsTheOldOneAsPrevious() {
    String oldPw = "single-pw-old-1";
    String newPw = "single-pw-new-2";
    LeakGuard.watch(oldPw);
    LeakGuard.watch(newPw);
    version(STARTED, "AWSCURRENT", "v1", creds("app", oldPw), "AWSCURRENT");
    noVersion(STARTED, "AWSPENDING");
    schedule(STARTED, FIRST_ROTATION);
    // createSecret, then setSecret changes the database password: from here until finishSecret new
    // logins with AWSCURRENT fail, and a client must read AWSPENDING or retry with fresh values.
    version("set", "AWSCURRENT", "v1", creds("app", oldPw), "AWSCURRENT");
    version("set", "AWSPENDING", "v2", creds("app", newPw), "AWSPENDING");
    schedule("set", FIRST_ROTATION);
    version("finished", "AWSCURRENT", "v2", creds("app", newPw), "AWSCURRENT");
    version("finished", "AWSPREVIOUS", "v1", creds("app", oldPw), "AWSPREVIOUS");
    noVersion("finished", "AWSPENDING");
    schedule("finished", SECOND_ROTATION);

    assertThat(is(read(current), "app", oldPw)).isTrue();

    step("set");
    assertThat(is(read(current), "app", oldPw)).as("AWSCURRENT has not moved yet").isTrue();
    assertThat(is(read(pending), "app", newPw)).as("the new password is pending").isTrue();

    step("finished");
    Secret rotated = source.fetch(current);
    assertThat(rotated.versionId()).isEqualTo("v2");
    assertThat(rotated.labels()).containsExactly("AWSCURRENT");
    assertThat(is(Credentials.from(rotated), "app", newPw)).isTrue();
    assertThat(source.fetchPrevious(current))
        .hasValueSatisfying(p -> assertThat(is(Credentials.from(p), "app", oldPw)).isTrue());
    assertThatThrownBy(() -> source.fetch(pending)).isInstanceOf(SecretNotFoundException.class);
    assertThat(fake.smCount("DescribeSecret")).isEqualTo(2);
  }

  @Test
  void aPassedRotationTimeWithoutANewVersionIsAskedAboutOnceMore() {
    version(STARTED, "AWSCURRENT", "v1", creds("app", "late-rotation-pw"), "AWSCURRENT");
    schedule(STARTED, FIRST_ROTATION);
    LeakGuard.watch("late-rotation-pw");

    source.fetch(current);
    clock.set(FIRST_ROTATION.plusSeconds(60));
    source.fetch(current);
    source.fetch(current);

    assertThat(fake.smCount("DescribeSecret")).isEqualTo(2);
  }

  @Test
  void withRotationOffThereIsNoScheduleAndNoFurtherDescribe() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smText("plain", "v1", "no-rotation-pw", "AWSCURRENT"))));
    fake.server.stubFor(sm("DescribeSecret").willReturn(json("{\"Name\":\"plain\",\"RotationEnabled\":false}")));
    LeakGuard.watch("no-rotation-pw");

    assertThat(source.fetch(SecretRef.of("plain")).nextRotationAt()).isEmpty();
    assertThat(source.fetch(SecretRef.of("plain")).nextRotationAt()).isEmpty();
    assertThat(fake.smCount("DescribeSecret")).isEqualTo(1);
  }

  @Test
  void aCallerThatMayNotDescribeStillGetsTheValueAndIsNotAskedAgain() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smText("plain", "v1", "no-describe-pw", "AWSCURRENT"))));
    fake.server.stubFor(sm("DescribeSecret").willReturn(error(400, "AccessDeniedException", "no describe")));
    LeakGuard.watch("no-describe-pw");

    Secret secret = source.fetch(SecretRef.of("plain"));
    source.fetch(SecretRef.of("plain"));

    assertThat(secret.value().contentEquals("no-describe-pw".toCharArray())).isTrue();
    assertThat(secret.nextRotationAt()).isEmpty();
    assertThat(fake.smCount("DescribeSecret")).isEqualTo(1);
  }

  @Test
  void aTransientDescribeFailureIsAskedAgainOnTheNextLoad() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smText("plain", "v1", "flaky-describe-pw", "AWSCURRENT"))));
    fake.server.stubFor(sm("DescribeSecret").willReturn(error(500, "InternalServiceError", "later")));
    LeakGuard.watch("flaky-describe-pw");

    source.fetch(SecretRef.of("plain"));
    source.fetch(SecretRef.of("plain"));

    assertThat(fake.smCount("DescribeSecret")).isEqualTo(2);
  }

  @Test
  void aBatchWarmUpReadsEachSchedulesOnceAndRefreshesDoNotRepeatIt() {
    fake.server.stubFor(sm("BatchGetSecretValue").willReturn(json("{\"SecretValues\":["
        + smText("a", "va", "batch-sched-a", "AWSCURRENT") + "," + smText("b", "vb", "batch-sched-b", "AWSCURRENT") + "]}")));
    fake.server.stubFor(sm("GetSecretValue").withRequestBody(containing("\"a\""))
        .willReturn(json(smText("a", "va", "batch-sched-a", "AWSCURRENT"))));
    fake.server.stubFor(sm("DescribeSecret").willReturn(json(
        "{\"RotationEnabled\":true,\"NextRotationDate\":" + FIRST_ROTATION.getEpochSecond() + "}")));
    LeakGuard.watch("batch-sched-a");
    LeakGuard.watch("batch-sched-b");

    var result = source.fetchAll(java.util.List.of(SecretRef.of("a"), SecretRef.of("b")));
    Secret refreshed = source.fetch(SecretRef.of("a"));

    assertThat(result.found().get(SecretRef.of("a")).nextRotationAt()).contains(FIRST_ROTATION);
    assertThat(refreshed.nextRotationAt()).contains(FIRST_ROTATION);
    assertThat(fake.smCount("DescribeSecret")).isEqualTo(2);
  }

  @Test
  void turningTheScheduleOffNeverCallsDescribeSecret() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smText("plain", "v1", "schedule-off-pw", "AWSCURRENT"))));
    LeakGuard.watch("schedule-off-pw");
    try (AwsSecretsManagerSource off = AwsSecretsManagerSource.builder().client(client).rotationSchedule(false).build()) {
      off.fetch(SecretRef.of("plain"));
    }
    assertThat(fake.smCount("DescribeSecret")).isZero();
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
