package io.secretsdk.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Credentials;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.gcp.FakeSecretManager.FakeSecret;
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

/**
 * secretsdk's cache on the GCP source, the real client and the in-process server, time moved by
 * hand: a rotation on the server (a new version added at the published {@code next_rotation_time},
 * which then moves on by the rotation period) becomes exactly one {@code RotationEvent}.
 */
class CacheRotationTest {
  private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
  private static final Instant ROTATION = START.plus(Duration.ofHours(1));

  @RegisterExtension final GrpcFront front = new GrpcFront();
  private ManualClock clock;
  private ManualScheduler scheduler;
  private GcpSecretManagerSource source;
  private SecretCache cache;

  @BeforeEach
  void setUp() {
    clock = new ManualClock(START);
    scheduler = new ManualScheduler(clock);
    source = front.sourceBuilder().clock(clock).build();
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
  }

  private static String creds(String user, String password) {
    return "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
  }

  @Test
  void aShortNameAndTheFullNameOfOneSecretAreOneCacheEntryAndOneRead() {
    LeakGuard.watch("gcp-one-entry-pw");
    front.fake.secret("api").add("gcp-one-entry-pw");
    String full = "projects/" + FakeSecretManager.PROJECT + "/secrets/api";
    assertThat(source.canonical(SecretRef.parse("gcp-sm://api")))
        .isEqualTo(SecretRef.parse("gcp-sm://" + full));
    assertThat(source.canonical(SecretRef.of("api").withVersion("3")))
        .isEqualTo(SecretRef.parse("gcp-sm://" + full + "?version=3"));
    assertThat(source.canonical(SecretRef.parse("gcp-sm://" + full + "/versions/latest")))
        .isEqualTo(SecretRef.parse("gcp-sm://" + full));
    assertThat(source.canonical(SecretRef.parse("gcp-sm://not/a/valid/name")))
        .as("left as it is").isEqualTo(SecretRef.parse("gcp-sm://not/a/valid/name"));

    var byShort = cache.get(SecretRef.parse("gcp-sm://api"));
    var byFull = cache.get(SecretRef.parse("gcp-sm://" + full));
    var unschemed = cache.get(SecretRef.of("api"));
    assertThat(byFull).isSameAs(byShort).isSameAs(unschemed);
    assertThat(front.fake.calls("AccessSecretVersion")).as("one read for three spellings").isEqualTo(1);
  }

  @Test
  void aRotationOnTheServerBecomesExactlyOneRotationEvent() {
    String oldPw = "gcp-old-pw-A1";
    String newPw = "gcp-new-pw-B2";
    LeakGuard.watch(oldPw);
    LeakGuard.watch(newPw);
    FakeSecret s = front.fake.secret("db");
    s.add(creds("app_a", oldPw));
    s.nextRotationTime = ROTATION;
    SecretRef ref = SecretRef.parse("gcp-sm://db");
    List<RotationEvent> events = new CopyOnWriteArrayList<>();
    cache.onRotation(ref, events::add);

    assertThat(cache.get(ref).versionId()).isEqualTo("1");
    assertThat(cache.get(ref).nextRotationAt()).contains(ROTATION);
    assertThat(front.fake.calls("GetSecret")).isEqualTo(1);

    // The rotation handler adds version 2 just before the published time; Google moves the schedule on.
    clock.advance(Duration.ofMinutes(59));
    s.add(creds("app_b", newPw));
    s.nextRotationTime = ROTATION.plus(Duration.ofDays(30));
    int accesses = front.fake.calls("AccessSecretVersion");
    scheduler.advance(Duration.between(clock.instant(), ROTATION).plusSeconds(5));

    assertThat(front.fake.calls("AccessSecretVersion")).as("one refresh after the rotation time")
        .isEqualTo(accesses + 1);
    assertThat(events).hasSize(1);
    RotationEvent event = events.get(0);
    assertThat(event.current().versionId()).isEqualTo("2");
    assertThat(event.previous()).hasValueSatisfying(p -> assertThat(p.versionId()).isEqualTo("1"));
    assertThat(event.current().nextRotationAt()).contains(ROTATION.plus(Duration.ofDays(30)));
    Credentials current = Credentials.from(cache.get(ref));
    assertThat(current.username()).isEqualTo("app_b");
    List<SecretValue> accepted = cache.accepted(ref.withField("password"));
    assertThat(accepted).hasSize(2);
    assertThat(accepted.get(0).contentEquals(newPw.toCharArray())).isTrue();
    assertThat(accepted.get(1).contentEquals(oldPw.toCharArray())).isTrue();
    assertThat(front.fake.calls("GetSecret")).isEqualTo(2);

    // Later refreshes find the same version: no further event, no further GetSecret.
    scheduler.advance(Duration.ofHours(48));
    assertThat(events).hasSize(1);
    assertThat(front.fake.calls("GetSecret")).isEqualTo(2);
    assertThat(cache.previous(ref)).as("the overlap has ended").isEmpty();
  }
}
