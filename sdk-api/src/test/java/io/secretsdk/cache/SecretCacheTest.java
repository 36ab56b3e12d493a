package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretExpiredException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SecretCacheTest {
  private static final SecretRef DB = SecretRef.of("prod/db");

  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeSource source = new FakeSource(clock);
  private final List<RotationEvent> events = new CopyOnWriteArrayList<>();
  private SecretCache cache;

  @BeforeEach
  void setUp() {
    LeakGuard.watch("hunter2-first");
    LeakGuard.watch("hunter2-second");
    source.put("prod/db", "hunter2-first");
  }

  @AfterEach
  void tearDown() {
    if (cache != null) {
      cache.close();
    }
  }

  private SecretCache.Builder builder() {
    return SecretCache.builder(source)
        .clock(clock)
        .scheduler(scheduler)
        .listenerExecutor(Runnable::run)
        .resilience(ResiliencePolicy.none())
        .refreshJitter(0)
        .clockCheck(Duration.ZERO)
        .defaultTtl(Duration.ofSeconds(100))
        .overlap(Duration.ofSeconds(30))
        .maxStale(Duration.ofSeconds(300));
  }

  private SecretCache build(SecretCache.Builder b) {
    cache = b.build();
    cache.onRotation(events::add);
    return cache;
  }

  private static boolean holds(Secret s, String content) {
    return s.value().contentEquals(content.toCharArray());
  }

  @Test
  void aWarmReadIsAnsweredFromTheCacheWithoutCallingTheBackend() {
    build(builder());
    Secret first = cache.get(DB);
    for (int i = 0; i < 100; i++) {
      assertThat(cache.get(DB)).isSameAs(first);
    }
    assertThat(source.fetches).hasValue(1);
    assertThat(holds(first, "hunter2-first")).isTrue();
    CacheStats stats = cache.stats();
    assertThat(stats.misses()).isEqualTo(1);
    assertThat(stats.loads()).isEqualTo(1);
    assertThat(stats.hits()).isEqualTo(100);
  }

  @Test
  void sixtyFourConcurrentColdMissesShareOneBackendCall() throws Exception {
    build(builder());
    CountDownLatch gate = source.stall();
    int threads = 64;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Secret>> results = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          return cache.get(DB);
        }));
      }
      ready.await();
      go.countDown();
      assertThat(source.entered.await(5, TimeUnit.SECONDS)).isTrue();
      // Give the other threads the chance to pile up behind the one fetch, then release it.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (cache.stats().misses() < threads && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      gate.countDown();
      Secret first = results.get(0).get(5, TimeUnit.SECONDS);
      for (Future<Secret> r : results) {
        assertThat(r.get(5, TimeUnit.SECONDS)).isSameAs(first);
      }
    } finally {
      source.unstall();
      pool.shutdownNow();
    }
    assertThat(source.fetches).hasValue(1);
    assertThat(cache.stats().loads()).isEqualTo(1);
  }

  @Test
  void aValueIsRefreshedAtThreeQuartersOfItsLifetime() {
    build(builder());
    cache.get(DB);
    clock.advance(Duration.ofMillis(74_999));
    assertThat(source.fetches).hasValue(1);
    clock.advance(Duration.ofMillis(1));
    assertThat(source.fetches).hasValue(2);
    assertThat(cache.stats().refreshes()).isEqualTo(1);
    assertThat(events).isEmpty();
  }

  @Test
  void refreshTimesAreSpreadByTheJitterAcrossCacheInstances() {
    // Twenty instances (a fleet) each holding the same secret: their refreshes are spread.
    List<SecretCache> fleet = new ArrayList<>();
    List<Long> refreshedAt = new ArrayList<>();
    try {
      Instant start = clock.instant();
      for (int i = 0; i < 20; i++) {
        SecretCache member = builder().refreshJitter(0.2).build();
        fleet.add(member);
        member.get(DB);
      }
      int seen = source.fetches.get();
      for (int s = 0; s < 100 && refreshedAt.size() < 20; s++) {
        clock.advance(Duration.ofSeconds(1));
        int now = source.fetches.get();
        for (int k = seen; k < now; k++) {
          refreshedAt.add(Duration.between(start, clock.instant()).toSeconds());
        }
        seen = now;
      }
    } finally {
      fleet.forEach(SecretCache::close);
    }
    assertThat(refreshedAt).hasSize(20).allSatisfy(t -> assertThat(t).isBetween(65L, 86L));
    assertThat(Set.copyOf(refreshedAt)).hasSizeGreaterThan(1);
  }

  @Test
  void secretsLoadedTogetherByOneInstanceAreRefreshedTogetherWithOneBatchCall() {
    for (int i = 0; i < 20; i++) {
      source.put("spread/" + i, "hunter2-first");
    }
    build(builder().refreshJitter(0.2));
    for (int i = 0; i < 20; i++) {
      cache.get(SecretRef.of("spread/" + i));
      clock.advance(Duration.ofMillis(50)); // loaded one after another, within a second
    }
    assertThat(source.fetches).hasValue(20);
    clock.advance(Duration.ofSeconds(90));
    // The source cannot check versions: the twenty are fetched together, in one fetchAll.
    assertThat(source.fetchAlls).hasValue(1);
    assertThat(source.fetches).hasValue(20);
    clock.advance(Duration.ofSeconds(90));
    assertThat(source.fetchAlls).as("still aligned one lifetime later").hasValue(2);
    assertThat(source.fetches).hasValue(20);
    assertThat(cache.stats().refreshes()).isEqualTo(40);
  }

  @Test
  void readersKeepGettingTheHeldValueWhileARefreshIsStuckInTheBackend() throws Exception {
    build(builder());
    Secret held = cache.get(DB);
    CountDownLatch gate = source.stall();
    source.rotate("prod/db", "hunter2-second");
    ExecutorService mover = Executors.newSingleThreadExecutor();
    try {
      Future<?> refresh = mover.submit(() -> clock.advance(Duration.ofSeconds(80)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (source.fetches.get() < 2 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(source.fetches).hasValue(2);
      for (int i = 0; i < 1000; i++) {
        assertThat(cache.get(DB)).isSameAs(held);
      }
      gate.countDown();
      refresh.get(5, TimeUnit.SECONDS);
    } finally {
      source.unstall();
      mover.shutdownNow();
    }
    assertThat(holds(cache.get(DB), "hunter2-second")).isTrue();
  }

  @Test
  void aRotationIsAnnouncedWithThePreviousVersionReadableUntilTheOverlapEnds() {
    build(builder());
    Secret v1 = cache.get(DB);
    source.rotate("prod/db", "hunter2-second");
    clock.advance(Duration.ofSeconds(75));

    assertThat(events).hasSize(1);
    RotationEvent event = events.get(0);
    assertThat(event.ref()).isEqualTo(source.canonical(DB));
    assertThat(event.reason()).isEqualTo(RotationEvent.Reason.SCHEDULED_REFRESH);
    assertThat(event.previous()).containsSame(v1);
    assertThat(event.current().versionId()).isEqualTo("v2");
    assertThat(event.overlapUntil()).isEqualTo(clock.instant().plusSeconds(30));
    assertThat(holds(cache.get(DB), "hunter2-second")).isTrue();
    assertThat(cache.previous(DB)).containsSame(v1);
    List<SecretValue> accepted = cache.accepted(DB);
    assertThat(accepted).hasSize(2);
    assertThat(accepted.get(0).contentEquals("hunter2-second".toCharArray())).isTrue();
    assertThat(accepted.get(1).contentEquals("hunter2-first".toCharArray())).isTrue();
    assertThat(cache.stats().rotations()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(29));
    assertThat(cache.accepted(DB)).hasSize(2);
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.previous(DB)).isEmpty();
    assertThat(cache.accepted(DB)).hasSize(1);
    assertThat(v1.value().isDestroyed()).isTrue();
    assertThat(source.handedOut.get(0).isDestroyed()).isTrue();
  }

  @Test
  void aSecondRotationWithinTheOverlapKeepsTheFirstVersionReadableUntilItsPromisedEnd() {
    LeakGuard.watch("hunter2-third");
    build(builder());
    Secret v1 = cache.get(DB);
    source.rotate("prod/db", "hunter2-second");
    Secret v2 = cache.refresh(DB).join();
    Instant v1PromisedUntil = events.get(0).overlapUntil();
    clock.advance(Duration.ofSeconds(10));
    source.rotate("prod/db", "hunter2-third");
    cache.refresh(DB).join();

    assertThat(events).hasSize(2);
    assertThat(cache.previous(DB)).containsSame(v2);
    // v1 is no longer previous(), but a reader that took it from the first event may still use it.
    assertThat(v1.value().isDestroyed()).isFalse();
    assertThat(holds(v1, "hunter2-first")).isTrue();
    clock.advanceTo(v1PromisedUntil.minusMillis(1));
    assertThat(v1.value().isDestroyed()).isFalse();
    clock.advanceTo(v1PromisedUntil);
    assertThat(v1.value().isDestroyed()).isTrue();
    assertThat(v2.value().isDestroyed()).isFalse();
    clock.advance(Duration.ofSeconds(10));
    assertThat(v2.value().isDestroyed()).isTrue();
  }

  @Test
  void closingZeroesAVersionCutOutOfItsOverlapAndLeavesNoTask() {
    LeakGuard.watch("hunter2-third");
    build(builder());
    Secret v1 = cache.get(DB);
    source.rotate("prod/db", "hunter2-second");
    cache.refresh(DB).join();
    source.rotate("prod/db", "hunter2-third");
    cache.refresh(DB).join();
    assertThat(v1.value().isDestroyed()).isFalse();
    cache.close();
    assertThat(v1.value().isDestroyed()).isTrue();
    assertThat(source.handedOut).hasSize(3).allSatisfy(v -> assertThat(v.isDestroyed()).isTrue());
    assertThat(scheduler.queued()).isZero();
    cache = null;
  }

  @Test
  void acceptedAppliesTheReferencesFieldToBothVersions() {
    LeakGuard.watch("pw-one-secret");
    LeakGuard.watch("pw-two-secret");
    source.put("prod/json", "{\"username\":\"app\",\"password\":\"pw-one-secret\"}");
    build(builder());
    SecretRef ref = SecretRef.parse("prod/json#password");
    assertThat(cache.value("prod/json#password").contentEquals("pw-one-secret".toCharArray())).isTrue();
    source.rotate("prod/json", "{\"username\":\"app\",\"password\":\"pw-two-secret\"}");
    cache.refresh(ref).join();
    List<SecretValue> accepted = cache.accepted(ref);
    assertThat(accepted).hasSize(2);
    assertThat(accepted.get(0).contentEquals("pw-two-secret".toCharArray())).isTrue();
    assertThat(accepted.get(1).contentEquals("pw-one-secret".toCharArray())).isTrue();
    assertThat(events).singleElement().extracting(RotationEvent::reason).isEqualTo(RotationEvent.Reason.FORCED);
  }

  @Test
  void aListenerThatThrowsDisturbsNeitherTheCacheNorOtherListeners() {
    build(builder());
    List<RotationEvent> second = new ArrayList<>();
    cache.onRotation(DB, e -> {
      throw new IllegalStateException("listener bug");
    });
    cache.onRotation(DB, second::add);
    cache.get(DB);
    source.rotate("prod/db", "hunter2-second");
    cache.refresh(DB).join();
    assertThat(second).hasSize(1);
    assertThat(events).hasSize(1);
    assertThat(holds(cache.get(DB), "hunter2-second")).isTrue();
    assertThat(LeakGuard.captured()).anySatisfy(line -> assertThat(line).contains("rotation listener").contains("IllegalStateException"));
  }

  @Test
  void aClosedSubscriptionHearsNoMoreRotations() {
    build(builder());
    List<RotationEvent> heard = new ArrayList<>();
    Subscription sub = cache.onRotation(DB, heard::add);
    cache.get(DB);
    source.rotate("prod/db", "hunter2-second");
    cache.refresh(DB).join();
    sub.close();
    sub.close();
    source.rotate("prod/db", "hunter2-third");
    cache.refresh(DB).join();
    assertThat(heard).hasSize(1);
    assertThat(events).hasSize(2);
  }

  @Test
  void aFailedRefreshKeepsServingTheValueAndRetriesWithGrowingBackoff() {
    build(builder());
    Secret held = cache.get(DB);
    source.fail(() -> new SecretUnavailableException("backend 'fake' is down"));
    clock.advance(Duration.ofSeconds(75));
    assertThat(source.fetches).hasValue(2);
    assertThat(cache.get(DB)).isSameAs(held);
    // Backoff starts near 1 s (jittered 0.5x..1.5x) and doubles.
    List<Instant> attempts = new ArrayList<>();
    int seen = source.fetches.get();
    for (int i = 0; i < 60; i++) {
      clock.advance(Duration.ofSeconds(1));
      if (source.fetches.get() > seen) {
        seen = source.fetches.get();
        attempts.add(clock.instant());
      }
    }
    assertThat(attempts.size()).isBetween(4, 8);
    for (int i = 2; i < attempts.size(); i++) {
      Duration gap = Duration.between(attempts.get(i - 1), attempts.get(i));
      Duration before = Duration.between(attempts.get(i - 2), attempts.get(i - 1));
      assertThat(gap.toMillis()).isGreaterThan(before.toMillis() / 4);
    }
    assertThat(cache.get(DB)).isSameAs(held);
    assertThat(cache.stats().refreshFailures()).isEqualTo(seen - 1);
    source.heal();
    clock.advance(Duration.ofSeconds(120));
    assertThat(cache.get(DB).versionId()).isEqualTo("v1");
    assertThat(cache.stats().refreshes()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void anUnleasedValueIsServedStaleUpToMaxStaleThenTheLastErrorIsThrown() {
    build(builder());
    Secret held = cache.get(DB);
    source.fail(() -> new SecretUnavailableException("backend 'fake' is down"));
    clock.advance(Duration.ofSeconds(150));
    assertThat(cache.get(DB)).isSameAs(held);
    assertThat(cache.stats().staleServed()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(249));
    assertThat(cache.get(DB)).isSameAs(held);
    clock.advance(Duration.ofSeconds(1));
    int before = source.fetches.get();
    assertThatThrownBy(() -> cache.get(DB))
        .isInstanceOf(SecretUnavailableException.class)
        .hasMessageContaining("down");
    assertThat(source.fetches.get() - before).isLessThanOrEqualTo(1);
    assertThat(held.value().isDestroyed()).isFalse();
    source.heal();
    clock.advance(Duration.ofMinutes(2));
    assertThat(holds(cache.get(DB), "hunter2-first")).isTrue();
  }

  @Test
  void anEntryThatKeepsBeingRefreshedIsNeverDroppedWhileAClockFarFromTheEpochMoves() {
    build(builder());
    Secret held = cache.get(DB);
    for (int i = 0; i < 24 * 60; i++) {
      clock.advance(Duration.ofMinutes(1));
      assertThat(cache.get(DB).versionId()).isEqualTo("v1");
    }
    // Each refresh found the same version: the value first held is still the one served.
    assertThat(held.value().isDestroyed()).isFalse();
    assertThat(cache.get(DB).value().contentEquals(held.value())).isTrue();
    assertThat(source.fetches.get()).isGreaterThan(24 * 60 / 2);
    assertThat(cache.stats().misses()).isEqualTo(1);
    assertThat(cache.stats().evictions()).isZero();
  }

  @Test
  void anEntryPastItsServingLimitIsDroppedAndZeroedAfterAGracePeriod() {
    build(builder());
    Secret held = cache.get(DB);
    source.fail(() -> new SecretUnavailableException("backend 'fake' is down"));
    clock.advance(Duration.ofSeconds(400).plus(Duration.ofMillis(DefaultSecretCache.GRACE_MILLIS - 1)));
    assertThatThrownBy(() -> cache.get(DB)).isInstanceOf(SecretUnavailableException.class);
    assertThat(held.value().isDestroyed()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> cache.get(DB)).isInstanceOf(SecretUnavailableException.class);
    assertThat(held.value().isDestroyed()).isTrue();
    assertThat(cache.stats().evictions()).isEqualTo(1);
  }

  @Test
  void aThrottledRefreshWaitsAtLeastTheBackendsRetryAfter() {
    build(builder());
    cache.get(DB);
    source.fail(() -> new SecretThrottledException("slow down", DB, null, Duration.ofSeconds(40)));
    clock.advance(Duration.ofSeconds(75));
    assertThat(source.fetches).hasValue(2);
    clock.advance(Duration.ofSeconds(39));
    assertThat(source.fetches).hasValue(2);
    clock.advance(Duration.ofSeconds(1));
    assertThat(source.fetches).hasValue(3);
  }

  @Test
  void aRenewableLeaseIsRenewedUntilItsMaximumThenNewCredentialsOverlapTheOld() {
    FakeSource.Spec spec = source.put("db/creds", "user-pass");
    spec.leaseTtl = Duration.ofSeconds(100);
    spec.maxTtl = Duration.ofSeconds(230);
    spec.renewable = true;
    spec.newVersionEachFetch = true;
    LeakGuard.watch("user-pass-2");
    LeakGuard.watch("user-pass-3");
    SecretRef creds = SecretRef.of("db/creds");
    build(builder().overlap(Duration.ofHours(1)));
    Secret first = cache.get(creds);
    assertThat(first.versionId()).isEqualTo("v2");
    Instant issued = clock.instant();

    clock.advance(Duration.ofSeconds(75)); // renewed for the full 100 s: ends at 175
    assertThat(source.renewals).hasValue(1);
    assertThat(cache.get(creds).lease().map(Lease::expiresAt)).contains(issued.plusSeconds(175));
    assertThat(cache.get(creds).versionId()).isEqualTo("v2");
    clock.advance(Duration.ofSeconds(75)); // t=150: granted only up to the 230 s maximum
    assertThat(source.renewals).hasValue(2);
    assertThat(cache.get(creds).lease().map(Lease::expiresAt)).contains(issued.plusSeconds(230));
    assertThat(source.fetches).hasValue(1);
    // No further renewal: new credentials at two thirds of the remaining 80 s, t=203.3.
    clock.advance(Duration.ofSeconds(53));
    assertThat(source.fetches).hasValue(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(source.fetches).hasValue(2);
    assertThat(source.renewals).hasValue(2);
    assertThat(cache.get(creds).versionId()).isEqualTo("v3");
    RotationEvent event = events.get(events.size() - 1);
    assertThat(event.reason()).isEqualTo(RotationEvent.Reason.LEASE_ENDING);
    // The overlap is an hour, but never past the old lease's end.
    assertThat(event.overlapUntil()).isEqualTo(issued.plusSeconds(230));
    assertThat(cache.previous(creds).map(Secret::versionId)).contains("v2");
    assertThat(first.value().isDestroyed()).isFalse();
    clock.advance(Duration.ofSeconds(26));
    assertThat(cache.previous(creds)).isEmpty();
    assertThat(first.value().isDestroyed()).isTrue();
  }

  @Test
  void aLeasedValueEndsAtItsLeaseEndWhenTheBackendCannotReplaceIt() {
    FakeSource.Spec spec = source.put("db/creds", "user-pass");
    spec.leaseTtl = Duration.ofSeconds(100);
    SecretRef creds = SecretRef.of("db/creds");
    build(builder());
    Secret held = cache.get(creds);
    source.fail(() -> new SecretUnavailableException("backend 'fake' is down"));
    clock.advance(Duration.ofSeconds(99));
    assertThat(cache.get(creds)).isSameAs(held);
    assertThat(source.fetches.get()).isGreaterThan(2);
    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> cache.get(creds))
        .isInstanceOf(SecretExpiredException.class)
        .hasMessageContaining("db/creds")
        .hasCauseInstanceOf(SecretUnavailableException.class);
    // No retry was scheduled past the lease end.
    int atEnd = source.fetches.get();
    clock.advance(Duration.ofSeconds(30));
    assertThat(source.fetches.get()).isEqualTo(atEnd);
  }

  @Test
  void retriesOfALeasedValueAreNeverScheduledPastItsLeaseEnd() {
    FakeSource.Spec spec = source.put("db/creds", "user-pass");
    spec.leaseTtl = Duration.ofSeconds(100);
    SecretRef creds = SecretRef.of("db/creds");
    build(builder());
    cache.get(creds);
    Instant leaseEnd = clock.instant().plusSeconds(100);
    source.fail(() -> new SecretThrottledException("slow down", creds, null, Duration.ofSeconds(60)));
    clock.advance(Duration.ofSeconds(75));
    assertThat(source.fetches).hasValue(2);
    assertThat(scheduler.nextDue()).isNotNull().isBefore(leaseEnd);
  }

  @Test
  void aNotFoundAnswerIsRememberedForTheNegativeTtl() {
    build(builder().negativeTtl(Duration.ofSeconds(10)));
    SecretRef missing = SecretRef.of("nope");
    assertThatThrownBy(() -> cache.get(missing)).isInstanceOf(SecretNotFoundException.class);
    assertThatThrownBy(() -> cache.get(missing)).isInstanceOf(SecretNotFoundException.class);
    assertThat(source.fetches).hasValue(1);
    clock.advance(Duration.ofSeconds(10));
    source.put("nope", "hunter2-first");
    assertThat(holds(cache.get(missing), "hunter2-first")).isTrue();
    assertThat(source.fetches).hasValue(2);
    assertThat(cache.stats().loadFailures()).isEqualTo(1);
  }

  @Test
  void aPublishedRotationTimeIsFollowedByARefreshRightAfterIt() {
    FakeSource.Spec spec = source.put("rotating", "hunter2-first");
    spec.nextRotationAt = clock.instant().plusSeconds(20);
    build(builder());
    cache.get(SecretRef.of("rotating"));
    source.rotate("rotating", "hunter2-second");
    spec.nextRotationAt = null;
    clock.advance(Duration.ofSeconds(20));
    assertThat(source.fetches).hasValue(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(source.fetches).hasValue(2);
    assertThat(events).singleElement().extracting(e -> e.current().versionId()).isEqualTo("v2");
  }

  @Test
  void anExpiryStatedByTheBackendEndsTheValueEvenWithinMaxStale() {
    FakeSource.Spec spec = source.put("expiring", "hunter2-first");
    spec.expiresAt = clock.instant().plusSeconds(40);
    SecretRef ref = SecretRef.of("expiring");
    build(builder());
    cache.get(ref);
    source.fail(() -> new SecretUnavailableException("backend 'fake' is down"));
    clock.advance(Duration.ofSeconds(39));
    assertThat(holds(cache.get(ref), "hunter2-first")).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> cache.get(ref)).isInstanceOf(SecretExpiredException.class);
  }

  @Test
  void valuesHandedOutAreBorrowedAndCannotBeDestroyedByTheCaller() {
    build(builder());
    Secret s = cache.get(DB);
    assertThat(s.value().isBorrowed()).isTrue();
    assertThatThrownBy(() -> s.value().destroy()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> cache.value("prod/db").close()).isInstanceOf(UnsupportedOperationException.class);
    assertThat(holds(cache.get(DB), "hunter2-first")).isTrue();
  }

  @Test
  void closingCancelsSchedulesDestroysEveryValueAndRefusesLaterCalls() {
    build(builder());
    Secret v1 = cache.get(DB);
    source.rotate("prod/db", "hunter2-second");
    cache.refresh(DB).join();
    assertThat(scheduler.queued()).isGreaterThan(0);
    cache.close();
    cache.close();
    assertThat(scheduler.queued()).isZero();
    assertThat(source.handedOut).hasSize(2).allSatisfy(v -> assertThat(v.isDestroyed()).isTrue());
    assertThat(v1.value().isDestroyed()).isTrue();
    assertThatThrownBy(() -> cache.get(DB)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> cache.refresh(DB)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cache.prefetch(List.of(DB))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cache.onRotation(e -> {})).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cache.getAsync(DB)).isInstanceOf(IllegalStateException.class);
    cache = null;
  }

  @Test
  void invalidationDropsAndZeroesWhatIsHeld() {
    build(builder());
    Secret v1 = cache.get(DB);
    int tasksOfOneEntry = scheduler.queued();
    cache.invalidate(DB);
    assertThat(v1.value().isDestroyed()).isTrue();
    assertThat(scheduler.queued()).isZero();
    assertThat(holds(cache.get(DB), "hunter2-first")).isTrue();
    assertThat(source.fetches).hasValue(2);
    assertThat(scheduler.queued()).isEqualTo(tasksOfOneEntry);
  }

  @Test
  void prefetchWarmsThroughOneBatchCallAndReportsEachFailure() {
    source.put("a", "hunter2-first");
    source.put("b", "hunter2-second");
    build(builder());
    List<SecretRef> refs = List.of(SecretRef.of("a"), SecretRef.parse("b#x"), SecretRef.of("missing"));
    assertThatThrownBy(() -> cache.prefetch(refs))
        .isInstanceOfSatisfying(PrefetchException.class, e -> {
          assertThat(e.failures()).containsOnlyKeys(SecretRef.of("missing"));
          assertThat(e.failures().get(SecretRef.of("missing"))).isInstanceOf(SecretNotFoundException.class);
          assertThat(e.getMessage()).contains("2 of 3").contains("missing");
        });
    assertThat(source.fetchAlls).hasValue(1);
    assertThat(source.fetches).hasValue(0);
    assertThat(holds(cache.get(SecretRef.of("a")), "hunter2-first")).isTrue();
    assertThat(holds(cache.get(SecretRef.of("b")), "hunter2-second")).isTrue();
    assertThat(source.fetches).hasValue(0);
    cache.prefetch(List.of(SecretRef.of("a")));
    assertThat(source.fetchAlls).hasValue(1);
  }

  @Test
  void getAsyncAnswersAWarmReadAtOnceAndAColdOneOnTheScheduler() {
    build(builder());
    CompletableFuture<Secret> cold = cache.getAsync(DB);
    assertThat(cold).isNotDone();
    scheduler.runDue();
    assertThat(cold).isCompleted();
    CompletableFuture<Secret> warm = cache.getAsync(DB);
    assertThat(warm).isCompletedWithValue(cold.join());
  }

  @Test
  void refreshReturnsTheSameVersionWithoutAnnouncingARotation() {
    build(builder());
    Secret v1 = cache.get(DB);
    Secret again = cache.refresh(DB).join();
    assertThat(again.versionId()).isEqualTo("v1");
    assertThat(events).isEmpty();
    assertThat(v1.value().isDestroyed()).isFalse();
    assertThat(source.handedOut.get(1).isDestroyed()).isTrue();
  }

  @Test
  void theSizeBoundEvictsAndZeroesTheLeastValuableEntries() {
    for (int i = 0; i < 50; i++) {
      source.put("many/" + i, "hunter2-first");
    }
    build(builder().maximumSize(10));
    for (int i = 0; i < 50; i++) {
      cache.get(SecretRef.of("many/" + i));
    }
    // Zeroed a moment later, not under the feet of a reader who got it just before.
    clock.advance(Duration.ofMillis(DefaultSecretCache.EVICTION_GRACE_MILLIS));
    long alive = source.handedOut.stream().filter(v -> !v.isDestroyed()).count();
    assertThat(alive).isLessThanOrEqualTo(10);
    assertThat(cache.stats().evictions()).isGreaterThanOrEqualTo(40);
  }

  @Test
  void badSettingsAreRefusedWithClearMessages() {
    SecretCache.Builder b = SecretCache.builder(source);
    assertThatThrownBy(() -> b.refreshAhead(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refreshAhead");
    assertThatThrownBy(() -> b.refreshAhead(1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.refreshAhead(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.refreshJitter(1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.defaultTtl(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultTtl");
    assertThatThrownBy(() -> b.maxStale(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxStale");
    assertThatThrownBy(() -> b.overlap(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.negativeTtl(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maximumSize(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SecretCache.builder(null)).isInstanceOf(NullPointerException.class);
  }
}
