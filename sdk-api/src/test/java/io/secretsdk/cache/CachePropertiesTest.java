package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class CachePropertiesTest {
  private static final SecretRef REF = SecretRef.of("db/creds");

  @Property(tries = 200)
  void aLeasedValueIsRefreshedAtItsFractionOfTheLeaseAndAlwaysBeforeItEnds(
      @ForAll @LongRange(min = 10, max = 7 * 24 * 3600) long ttlSeconds,
      @ForAll @DoubleRange(min = 0.05, max = 0.95) double refreshAhead,
      @ForAll @DoubleRange(min = 0, max = 1) double jitter) {
    ManualClock clock = new ManualClock();
    ManualScheduler scheduler = new ManualScheduler(clock);
    FakeSource source = new FakeSource(clock);
    source.put("db/creds", "user-pass").leaseTtl = Duration.ofSeconds(ttlSeconds);
    try (SecretCache cache = SecretCache.builder(source).clock(clock).scheduler(scheduler)
        .resilience(ResiliencePolicy.none()).refreshAhead(refreshAhead).refreshJitter(jitter)
        .clockCheck(Duration.ZERO).build()) {
      Instant start = clock.instant();
      cache.get(REF);
      Instant due = scheduler.nextDue();
      Instant leaseEnd = start.plusSeconds(ttlSeconds);
      assertThat(due).isNotNull().isAfter(start).isBefore(leaseEnd);
      double at = Duration.between(start, due).toMillis() / (ttlSeconds * 1000.0);
      double low = Math.max(0.01, refreshAhead - jitter / 2);
      double high = Math.min(0.99, refreshAhead + jitter / 2);
      assertThat(at).isBetween(low - 0.001, high + 0.001);
    }
  }

  /**
   * Whatever mix of rotations, outages and passing time: a read either returns a live value or
   * fails only when nothing usable is held, every version change is announced once, and close()
   * zeroes all that the cache was handed.
   */
  @Property(tries = 100)
  void anyMixOfRotationsOutagesAndTimeKeepsTheCachesPromises(
      @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 9) Integer> actions,
      @ForAll @Size(min = 60, max = 60) List<@IntRange(min = 1, max = 900) Integer> seconds) {
    ManualClock clock = new ManualClock();
    ManualScheduler scheduler = new ManualScheduler(clock);
    FakeSource source = new FakeSource(clock);
    source.put("db/creds", "value-0");
    List<RotationEvent> events = new ArrayList<>();
    Duration ttl = Duration.ofMinutes(5);
    Duration maxStale = Duration.ofMinutes(10);
    SecretCache cache = SecretCache.builder(source).clock(clock).scheduler(scheduler)
        .listenerExecutor(Runnable::run).resilience(ResiliencePolicy.none())
        .defaultTtl(ttl).maxStale(maxStale).overlap(Duration.ofMinutes(1)).build();
    cache.onRotation(events::add);
    int rotations = 0;
    for (int i = 0; i < actions.size(); i++) {
      int action = actions.get(i);
      if (action <= 1) {
        source.rotate("db/creds", "value-" + (++rotations));
      } else if (action == 2) {
        source.fail(() -> new SecretUnavailableException("backend 'fake' is down"));
      } else if (action == 3) {
        source.heal();
      } else {
        clock.advance(Duration.ofSeconds(seconds.get(i)));
      }
      Instant servedUntil = source.lastSuccess == null ? null : source.lastSuccess.plus(ttl).plus(maxStale);
      try {
        Secret s = cache.get(REF);
        assertThat(s.value().isDestroyed()).isFalse();
        assertThat(Integer.parseInt(s.versionId().substring(1))).isBetween(1, rotations + 1);
      } catch (SecretException e) {
        assertThat(e).isInstanceOf(SecretUnavailableException.class);
        // Only when nothing usable was held: never fetched, or past its lifetime and max-stale.
        assertThat(servedUntil == null || !clock.instant().isBefore(servedUntil))
            .as("failed at %s though a value was usable until %s", clock.instant(), servedUntil).isTrue();
      }
    }
    CacheStats stats = cache.stats();
    assertThat(events).hasSize((int) stats.rotations());
    int breaks = 0;
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).previous()).isPresent();
      assertThat(events.get(i).previous().get().versionId()).isNotEqualTo(events.get(i).current().versionId());
      if (i > 0 && !events.get(i).previous().get().versionId().equals(events.get(i - 1).current().versionId())) {
        breaks++;
      }
    }
    // Events chain version to version, except across an entry dropped for being unusable too long.
    assertThat(breaks).isLessThanOrEqualTo((int) stats.evictions());
    cache.close();
    assertThat(source.handedOut).allSatisfy(v -> assertThat(v.isDestroyed()).isTrue());
  }

}
