package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.cache.CacheSnapshot.Circuit;
import io.secretsdk.cache.CacheSnapshot.Overlap;
import io.secretsdk.cache.CacheSnapshot.Phase;
import io.secretsdk.cache.CacheSnapshot.SecretState;
import io.secretsdk.cache.CacheSnapshot.Step;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link SecretCache#snapshot()}: the cache's own view of each entry and backend, moved through time. */
class CacheSnapshotTest {
  private static final SecretRef DB = SecretRef.parse("fake://prod/db");
  private static final String FIRST = "snapshot-first-value";
  private static final String SECOND = "snapshot-second-value";
  private static final String THIRD = "snapshot-third-value";

  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeSource source = new FakeSource(clock);
  private SecretCache cache;

  @BeforeEach
  void setUp() {
    LeakGuard.watch(FIRST);
    LeakGuard.watch(SECOND);
    LeakGuard.watch(THIRD);
    source.put("prod/db", FIRST);
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
        .refreshAhead(0.5)
        .refreshJitter(0)
        .clockCheck(Duration.ZERO)
        .defaultTtl(Duration.ofSeconds(100))
        .overlap(Duration.ofSeconds(30))
        .maxStale(Duration.ofSeconds(300));
  }

  private SecretState entry() {
    return cache.snapshot().secret(DB).orElseThrow();
  }

  private static void assertNoValue(Object shown) {
    assertThat(shown.toString()).doesNotContain(FIRST).doesNotContain(SECOND).doesNotContain(THIRD)
        .doesNotContain("lease-");
  }

  @Test
  void aFreshEntryShowsItsVersionTimesAndPlannedRefresh() {
    cache = builder().build();
    Instant fetched = clock.instant();
    cache.get(DB);

    CacheSnapshot snap = cache.snapshot();
    SecretState s = snap.secret(SecretRef.parse("fake://prod/db#password")).orElseThrow();
    assertThat(snap.takenAt()).isEqualTo(fetched);
    assertThat(s.ref()).isEqualTo(DB);
    assertThat(s.backend()).isEqualTo("fake");
    assertThat(s.phase()).isEqualTo(Phase.FRESH);
    assertThat(s.servable()).isTrue();
    assertThat(s.versionId()).isEqualTo("v1");
    assertThat(s.fetchedAt()).isEqualTo(fetched);
    assertThat(s.endsAt()).isEqualTo(fetched.plusSeconds(100));
    assertThat(s.serveUntil()).isEqualTo(fetched.plusSeconds(400));
    assertThat(s.nextStep()).isEqualTo(Step.REFRESH);
    assertThat(s.nextStepAt()).isEqualTo(fetched.plusSeconds(50));
    assertThat(s.lease()).isNull();
    assertThat(s.previous()).isNull();
    assertThat(s.consecutiveFailures()).isZero();
    assertThat(s.lastFailure()).isNull();
    assertThat(snap.backends()).singleElement().satisfies(b -> {
      assertThat(b.scheme()).isEqualTo("fake");
      assertThat(b.circuit()).isEqualTo(Circuit.DISABLED);
      assertThat(b.entries()).isEqualTo(1);
      assertThat(b.failingEntries()).isZero();
    });
    assertThat(snap.stats().loads()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(20));
    assertThat(entry().age(clock.instant())).contains(Duration.ofSeconds(20));
    assertNoValue(snap);
  }

  @Test
  void aFailingRefreshMovesTheEntryFromFailingToStaleToUnavailable() {
    cache = builder().build();
    Instant fetched = clock.instant();
    cache.get(DB);
    source.fail(() -> new SecretUnavailableException("backend 'fake' is down", DB));

    clock.advance(Duration.ofSeconds(50));
    SecretState failing = entry();
    assertThat(failing.phase()).isEqualTo(Phase.FAILING);
    assertThat(failing.consecutiveFailures()).isEqualTo(1);
    assertThat(failing.lastFailure()).isEqualTo("SecretUnavailableException");
    assertThat(failing.lastFailureAt()).isEqualTo(fetched.plusSeconds(50));
    assertThat(failing.nextStep()).isEqualTo(Step.RETRY);
    assertThat(failing.nextStepAt()).isAfter(clock.instant()).isBefore(failing.serveUntil());
    assertThat(cache.snapshot().backend("fake").orElseThrow().failingEntries()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(60));
    SecretState stale = entry();
    assertThat(stale.phase()).isEqualTo(Phase.STALE);
    assertThat(stale.consecutiveFailures()).isGreaterThan(1);
    assertThat(cache.get(DB).versionId()).isEqualTo("v1");

    clock.advance(Duration.ofSeconds(300));
    SecretState over = entry();
    assertThat(over.phase()).isEqualTo(Phase.UNAVAILABLE);
    assertThat(over.servable()).isFalse();
    assertThatThrownBy(() -> cache.get(DB)).isInstanceOf(SecretUnavailableException.class);

    source.heal();
    clock.advance(Duration.ofSeconds(2));
    cache.get(DB);
    SecretState healed = entry();
    assertThat(healed.phase()).isEqualTo(Phase.FRESH);
    assertThat(healed.consecutiveFailures()).isZero();
    assertThat(healed.lastFailure()).isNull();
    assertNoValue(cache.snapshot());
  }

  @Test
  void aRotationShowsThePreviousVersionUntilItsOverlapEndsAndASecondOneRetiresIt() {
    cache = builder().build();
    cache.get(DB);
    source.rotate("prod/db", SECOND);
    cache.refresh(DB).join();
    Instant firstRotation = clock.instant();

    SecretState once = entry();
    assertThat(once.versionId()).isEqualTo("v2");
    assertThat(once.previous()).isEqualTo(new Overlap("v1", firstRotation.plusSeconds(30)));
    assertThat(once.retired()).isEmpty();

    clock.advance(Duration.ofSeconds(10));
    source.rotate("prod/db", THIRD);
    cache.refresh(DB).join();
    SecretState twice = entry();
    assertThat(twice.versionId()).isEqualTo("v3");
    assertThat(twice.previous()).isEqualTo(new Overlap("v2", clock.instant().plusSeconds(30)));
    assertThat(twice.retired()).containsExactly(new Overlap("v1", firstRotation.plusSeconds(30)));

    clock.advance(Duration.ofSeconds(25));
    SecretState later = entry();
    assertThat(later.retired()).isEmpty();
    assertThat(later.previous()).isNotNull();
    clock.advance(Duration.ofSeconds(10));
    assertThat(entry().previous()).isNull();
    assertNoValue(cache.snapshot());
  }

  @Test
  void aRenewableLeaseIsRenewedAndAnUnrenewableOneGetsNewCredentials() {
    source.put("prod/db", FIRST).leaseTtl = Duration.ofSeconds(60);
    FakeSource.Spec api = source.put("prod/api", SECOND);
    api.leaseTtl = Duration.ofSeconds(60);
    api.renewable = true;
    cache = builder().build();
    Instant issued = clock.instant();
    cache.get(DB);
    SecretRef apiRef = SecretRef.parse("fake://prod/api");
    cache.get(apiRef);

    SecretState db = entry();
    assertThat(db.lease()).isNotNull();
    assertThat(db.lease().renewable()).isFalse();
    assertThat(db.lease().expiresAt()).isEqualTo(issued.plusSeconds(60));
    assertThat(db.serveUntil()).isEqualTo(issued.plusSeconds(60));
    assertThat(db.nextStep()).isEqualTo(Step.NEW_CREDENTIALS);
    SecretState renewable = cache.snapshot().secret(apiRef).orElseThrow();
    assertThat(renewable.lease().renewable()).isTrue();
    assertThat(renewable.nextStep()).isEqualTo(Step.RENEW);
    assertThat(renewable.nextStepAt()).isEqualTo(issued.plusSeconds(30));

    assertThat(db.lease().fractionLeft(issued.plusSeconds(57))).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(db.lease().remaining(issued.plusSeconds(57))).isEqualTo(Duration.ofSeconds(3));

    clock.advance(Duration.ofSeconds(30));
    SecretState renewed = cache.snapshot().secret(apiRef).orElseThrow();
    assertThat(renewed.lease().issuedAt()).isEqualTo(issued.plusSeconds(30));
    assertThat(renewed.versionId()).isEqualTo("v1");
    SecretState newCredentials = entry();
    assertThat(newCredentials.lease().issuedAt()).isEqualTo(issued.plusSeconds(30));
    assertThat(newCredentials.lease().expiresAt()).isEqualTo(issued.plusSeconds(90));
    assertThat(newCredentials.nextStep()).isEqualTo(Step.NEW_CREDENTIALS);
    assertThat(cache.snapshot().secrets()).extracting(s -> s.ref().toUri())
        .containsExactly("fake://prod/api", "fake://prod/db");
    assertNoValue(cache.snapshot());
  }

  @Test
  void aPublishedRotationTimeIsThePlannedStepWhenItComesFirst() {
    source.put("prod/db", FIRST).nextRotationAt = clock.instant().plusSeconds(20);
    cache = builder().build();
    cache.get(DB);
    SecretState s = entry();
    assertThat(s.nextStep()).isEqualTo(Step.AFTER_ROTATION);
    assertThat(s.nextStepAt()).isEqualTo(s.nextRotationAt().plusSeconds(1));
  }

  @Test
  void theCircuitOfAFailingBackendShowsOpenWithItsWindow() {
    cache = builder().resilience(ResiliencePolicy.custom()
        .circuitBreaker(CircuitBreakerConfig.custom().slidingWindowSize(2).minimumNumberOfCalls(2)
            .failureRateThreshold(50).waitDurationInOpenState(Duration.ofMinutes(1)).build())
        .build()).build();
    assertThat(cache.snapshot().backend("fake").orElseThrow().circuit()).isEqualTo(Circuit.CLOSED);
    source.fail(() -> new SecretUnavailableException("backend 'fake' is down", DB));
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> cache.get(DB)).isInstanceOf(SecretUnavailableException.class);
      clock.advance(Duration.ofSeconds(2));
    }
    CacheSnapshot snap = cache.snapshot();
    assertThat(snap.backend("fake").orElseThrow()).satisfies(b -> {
      assertThat(b.circuit()).isEqualTo(Circuit.OPEN);
      assertThat(b.windowCalls()).isEqualTo(2);
      assertThat(b.windowFailures()).isEqualTo(2);
      assertThat(b.failingEntries()).isEqualTo(1);
    });
    assertThat(snap.secret(DB).orElseThrow().phase()).isEqualTo(Phase.UNAVAILABLE);
  }

  @Test
  void aClosedCacheHasNoSnapshot() {
    cache = builder().build();
    cache.close();
    assertThatThrownBy(cache::snapshot).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void snapshotsTakenWhileManyThreadsReadAndRotateAreWholeAndNeverBlockReads() throws Exception {
    cache = SecretCache.builder(source).resilience(ResiliencePolicy.none()).defaultTtl(Duration.ofMinutes(5)).build();
    cache.get(DB);
    int readers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> reads = new ArrayList<>();
      for (int t = 0; t < readers; t++) {
        reads.add(pool.submit(() -> {
          start.await();
          int n = 0;
          for (int i = 0; i < 20_000; i++) {
            if (cache.get(DB).versionId().startsWith("v")) {
              n++;
            }
          }
          return n;
        }));
      }
      Future<Integer> rotations = pool.submit(() -> {
        start.await();
        for (int i = 0; i < 20; i++) {
          source.rotate("prod/db", i % 2 == 0 ? SECOND : THIRD);
          cache.refresh(DB).join();
        }
        return 20;
      });
      start.countDown();
      int snapshots = 0;
      while (!rotations.isDone() || reads.stream().anyMatch(f -> !f.isDone())) {
        SecretState s = entry();
        assertThat(s.phase()).isIn(Phase.FRESH, Phase.REFRESHING);
        assertThat(s.versionId()).startsWith("v");
        assertThat(s.fetchedAt()).isBeforeOrEqualTo(s.endsAt());
        if (s.previous() != null) {
          assertThat(s.previous().versionId()).isNotEqualTo(s.versionId());
        }
        snapshots++;
      }
      for (Future<Integer> r : reads) {
        assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo(20_000);
      }
      assertThat(rotations.get(30, TimeUnit.SECONDS)).isEqualTo(20);
      assertThat(snapshots).isPositive();
      assertThat(entry().versionId()).isEqualTo("v21");
      assertThat(source.fetches.get()).isEqualTo(21);
    } finally {
      pool.shutdownNow();
    }
  }
}
