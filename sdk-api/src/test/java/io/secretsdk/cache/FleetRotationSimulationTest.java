package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionCheck;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 4: a fleet of 10,000 cache instances (one JVM, one manual clock and scheduler)
 * reading one AWS-like secret whose rotation time all of them learned, through one rotation,
 * against a backend with the per-account quota of AWS Secrets Manager's read calls: a token bucket
 * of 10,000 calls per second shared by DescribeSecret (the version check) and GetSecretValue (the
 * fetch), as the "Combined rate of DescribeSecret and GetSecretValue API requests" quota states
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html).
 */
class FleetRotationSimulationTest {
  private static final int INSTANCES = 10_000;
  private static final int QUOTA_PER_SECOND = 10_000;
  private static final SecretRef DB = SecretRef.of("prod/db");
  private static final Duration SPREAD = Duration.ofSeconds(10);

  /** What one run of the fleet saw. */
  private static final class Run {
    final TreeMap<Long, Integer> callsPerSecond = new TreeMap<>();
    long throttled;
    long surfaced;
    long servedPastEnd;
    final List<Long> adoptedAfterRotationMillis = new ArrayList<>();

    int peak() {
      return callsPerSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    long latest() {
      return adoptedAfterRotationMillis.stream().mapToLong(Long::longValue).max().orElse(Long.MAX_VALUE);
    }

    long earliest() {
      return adoptedAfterRotationMillis.stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
    }
  }

  @Test
  void aFleetOfTenThousandSpreadsItsRefreshAfterARotationBelowTheQuotaAndAdoptsWithinTheBound() {
    Run run = simulate(null);
    System.out.printf("fleet of %d, spread %s: peak %d calls/s (quota %d), %d throttled, adoption %d..%d ms after the"
            + " rotation time, %d reads failed, %d served past their end%n", INSTANCES, SPREAD, run.peak(),
        QUOTA_PER_SECOND, run.throttled, run.earliest(), run.latest(), run.surfaced, run.servedPastEnd);
    assertThat(run.peak()).as("peak calls per second").isLessThanOrEqualTo(QUOTA_PER_SECOND);
    // 10,000 checks and 10,000 fetches over the 10 s spread: about 2,000 a second.
    assertThat(run.peak()).isLessThan(3 * 2 * INSTANCES / (int) SPREAD.toSeconds());
    assertThat(run.throttled).isZero();
    assertThat(run.surfaced).as("reads that failed").isZero();
    assertThat(run.servedPastEnd).isZero();
    assertThat(run.adoptedAfterRotationMillis).as("every instance adopted the new version").hasSize(INSTANCES);
    assertThat(run.earliest()).isGreaterThanOrEqualTo(DefaultSecretCache.AFTER_ROTATION_MILLIS);
    assertThat(run.latest()).as("the documented bound: 1 s + rotationSpread")
        .isLessThanOrEqualTo(DefaultSecretCache.AFTER_ROTATION_MILLIS + SPREAD.toMillis());
    assertThat(run.latest() - run.earliest()).as("spread over most of the window").isGreaterThan(SPREAD.toMillis() * 9 / 10);
  }

  @Test
  void withoutTheSpreadTheSameFleetHitsTheBackendInOneSecondAndIsThrottled() {
    Run run = simulate(Duration.ZERO);
    System.out.printf("fleet of %d, no spread: peak %d calls/s (quota %d), %d throttled, adoption %d..%d ms after the"
            + " rotation time, %d reads failed%n", INSTANCES, run.peak(), QUOTA_PER_SECOND, run.throttled,
        run.earliest(), run.latest(), run.surfaced);
    assertThat(run.peak()).as("the herd").isGreaterThan(QUOTA_PER_SECOND);
    assertThat(run.throttled).isPositive();
    // Throttled refreshes are retried with backoff while the held value is served: callers see nothing.
    assertThat(run.surfaced).isZero();
    assertThat(run.servedPastEnd).isZero();
    assertThat(run.adoptedAfterRotationMillis).hasSize(INSTANCES);
  }

  @Test
  void leaseEndFetchesOfAFleetAreSpreadPerInstanceAndAllStartBeforeTheLeaseEnds() {
    LeakGuard.watch("fleet-secret-lease");
    ManualClock clock = new ManualClock();
    ManualScheduler scheduler = new ManualScheduler(clock);
    FakeSource fake = new FakeSource(clock);
    FakeSource.Spec spec = fake.put("db/creds", "fleet-secret-lease");
    spec.leaseTtl = Duration.ofHours(1);
    spec.maxTtl = Duration.ofHours(1); // the first renewal cannot extend it: new credentials are due
    spec.renewable = true;
    SecretRef creds = SecretRef.of("db/creds");
    Instant start = clock.instant();
    Instant leaseEnd = start.plus(Duration.ofHours(1));
    List<SecretCache> fleet = new ArrayList<>();
    List<Long> fetchedAtSeconds = new ArrayList<>();
    long servedPastEnd = 0;
    try {
      for (int i = 0; i < 200; i++) {
        SecretCache member = SecretCache.builder(fake).clock(clock).scheduler(scheduler)
            .listenerExecutor(Runnable::run).resilience(ResiliencePolicy.none()).clockCheck(Duration.ZERO)
            .seed(i).build();
        fleet.add(member);
        member.get(creds);
      }
      int seen = fake.fetches.get();
      while (clock.instant().isBefore(leaseEnd)) {
        clock.advance(Duration.ofSeconds(10));
        for (int k = seen; k < fake.fetches.get(); k++) {
          fetchedAtSeconds.add(Duration.between(start, clock.instant()).toSeconds());
        }
        seen = fake.fetches.get();
        for (SecretCache member : fleet) {
          Secret s = member.get(creds);
          if (!clock.instant().isBefore(s.lease().orElseThrow().issuedAt().plus(s.lease().orElseThrow().ttl()))) {
            servedPastEnd++;
          }
        }
      }
    } finally {
      fleet.forEach(SecretCache::close);
    }
    // Renewal at 0.70..0.80 of the hour (2520..2880 s); new credentials at 57%..67% of what is left.
    assertThat(fetchedAtSeconds).as("every instance fetched new credentials once").hasSize(200)
        .allSatisfy(t -> assertThat(t).isBetween(2520L + 1080L * 17 / 30, 2880L + 720L * 2 / 3 + 10));
    assertThat(fetchedAtSeconds.stream().distinct().count()).as("spread over many 10 s steps").isGreaterThan(15);
    // Without a per-instance share, none would fetch before 2520 s + 2/3 of the 1080 s left.
    assertThat(fetchedAtSeconds.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(3240L);
    assertThat(servedPastEnd).isZero();
  }

  /** One rotation seen by the fleet; {@code spread} null for the default, else set on every instance. */
  private Run simulate(Duration spread) {
    LeakGuard.watch("fleet-secret-");
    long started = System.nanoTime();
    ManualClock clock = new ManualClock();
    // One clock; a scheduler per 100 instances, so that no task queue grows to the whole fleet's.
    List<ManualScheduler> schedulers = new ArrayList<>();
    for (int i = 0; i < INSTANCES / 100; i++) {
      schedulers.add(new ManualScheduler(clock));
    }
    Instant rotation = clock.instant().plusSeconds(120);
    Instant oldEnd = rotation.plusSeconds(300);
    Run run = new Run();
    QuotaBackend backend = new QuotaBackend(clock, rotation, oldEnd, run);
    List<SecretCache> fleet = new ArrayList<>(INSTANCES);
    try {
      for (int i = 0; i < INSTANCES; i++) {
        SecretCache.Builder b = SecretCache.builder(backend).clock(clock).scheduler(schedulers.get(i % schedulers.size()))
            .listenerExecutor(Runnable::run).resilience(ResiliencePolicy.none()).clockCheck(Duration.ZERO)
            .seed(i);
        if (spread != null) {
          b.rotationSpread(spread);
        }
        SecretCache member = b.build();
        member.onRotation(event -> run.adoptedAfterRotationMillis.add(clock.millis() - rotation.toEpochMilli()));
        fleet.add(member);
        member.get(DB);
        if (i % 500 == 499) {
          clock.advance(Duration.ofSeconds(1)); // the fleet starts over 20 seconds
        }
      }
      // Every instance reads: every second through the rotation and the bound, every 10 s before
      // and after it.
      while (clock.instant().isBefore(rotation.plusSeconds(40))) {
        clock.advance(Duration.ofSeconds(1));
        Instant now = clock.instant();
        boolean near = !now.isBefore(rotation.minusSeconds(2)) && now.isBefore(rotation.plusSeconds(15));
        if (!near && now.getEpochSecond() % 10 != 0) {
          continue;
        }
        for (SecretCache member : fleet) {
          try {
            Secret s = member.get(DB);
            if (s.expiresAt().isPresent() && !now.isBefore(s.expiresAt().get())) {
              run.servedPastEnd++;
            }
          } catch (RuntimeException failed) {
            run.surfaced++;
          }
        }
      }
    } finally {
      fleet.forEach(SecretCache::close);
    }
    System.out.printf("simulated in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    return run;
  }

  /**
   * One AWS-like secret: version 1 until the rotation time, then version 2; each answer states its
   * next rotation time (AWS NextRotationDate). Checks and fetches draw from one token bucket of
   * {@link #QUOTA_PER_SECOND}, refilled continuously; a call that finds it empty is throttled.
   * Calls are counted per second of the manual clock.
   */
  private static final class QuotaBackend implements SecretSource {
    private final ManualClock clock;
    private final Instant rotation;
    private final Instant oldEnd;
    private final Run run;
    private double tokens = QUOTA_PER_SECOND;
    private long refilledAt;
    private final AtomicLong sequence = new AtomicLong();

    QuotaBackend(ManualClock clock, Instant rotation, Instant oldEnd, Run run) {
      this.clock = clock;
      this.rotation = rotation;
      this.oldEnd = oldEnd;
      this.run = run;
      this.refilledAt = clock.millis();
    }

    @Override
    public String scheme() {
      return "aws-sm";
    }

    private synchronized void admit(SecretRef ref) {
      long now = clock.millis();
      tokens = Math.min(QUOTA_PER_SECOND, tokens + (now - refilledAt) * (QUOTA_PER_SECOND / 1000.0));
      refilledAt = now;
      run.callsPerSecond.merge(now / 1000, 1, Integer::sum);
      if (tokens < 1) {
        run.throttled++;
        throw new SecretThrottledException("backend 'aws-sm' throttled the call for secret '" + ref + "'", ref);
      }
      tokens -= 1;
    }

    private boolean rotated() {
      return !clock.instant().isBefore(rotation);
    }

    @Override
    public Optional<VersionCheck> checkVersion(SecretRef ref) {
      admit(ref);
      return Optional.of(rotated()
          ? new VersionCheck("v2", Optional.empty(), Optional.of(rotation.plus(Duration.ofDays(30))))
          : new VersionCheck("v1", Optional.of(oldEnd), Optional.of(rotation)));
    }

    @Override
    public Secret fetch(SecretRef ref) {
      admit(ref);
      boolean v2 = rotated();
      SecretValue value = SecretValue.copyOf(("fleet-secret-" + (v2 ? "two-" : "one-") + sequence.incrementAndGet())
          .toCharArray());
      Secret.Builder b = Secret.builder(ref.name()).versionId(v2 ? "v2" : "v1").value(value);
      if (v2) {
        b.nextRotationAt(rotation.plus(Duration.ofDays(30)));
      } else {
        b.expiresAt(oldEnd).nextRotationAt(rotation);
      }
      return b.build();
    }

    @Override
    public Optional<Duration> suggestedTtl(SecretRef ref) {
      return Optional.of(Duration.ofHours(1));
    }
  }
}
