package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretExpiredException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The promises of issue 9: each test drives the cache into one of the races, bad answers or clock
 * steps a review found, with a manual clock and scheduler, latches and counted backend calls.
 */
class CachePromisesTest {
  private static final SecretRef DB = SecretRef.of("prod/db");

  private final ManualClock manual = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(manual);
  private final SteppedClock wall = new SteppedClock(manual);
  private final FakeSource source = new FakeSource(wall);
  private final List<RotationEvent> events = new CopyOnWriteArrayList<>();
  private FakeSource.Spec spec;
  private SecretCache cache;

  @BeforeEach
  void setUp() {
    LeakGuard.watch("hunter2-first");
    LeakGuard.watch("hunter2-second");
    LeakGuard.watch("hunter2-third");
    spec = source.put("prod/db", "hunter2-first");
  }

  @AfterEach
  void tearDown() {
    if (cache != null) {
      cache.close();
    }
  }

  private SecretCache.Builder builder(SecretSource over) {
    return SecretCache.builder(over)
        .clock(wall)
        .scheduler(scheduler)
        .listenerExecutor(Runnable::run)
        .resilience(ResiliencePolicy.none())
        .refreshJitter(0)
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

  // ------------------------------------------------------------------ 1. zeroed under its reader

  @Test
  void aSameVersionRefreshRacingAnInvalidationAnswersALiveValueAndZeroesItLater() throws Exception {
    build(builder(source));
    cache.get(DB);
    var gate = source.stall();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Future<Secret> refreshed = other.submit(() -> cache.refresh(DB).join());
      assertThat(source.entered.await(5, TimeUnit.SECONDS)).isTrue();
      while (source.fetches.get() < 2) {
        Thread.onSpinWait();
      }
      cache.invalidate(DB); // zeroes v1 while the refresh of the same version v1 is in the backend
      gate.countDown();
      Secret s = refreshed.get(5, TimeUnit.SECONDS);
      assertThat(holds(s, "hunter2-first")).as("the refresh's answer is readable").isTrue();
      // Invalidation wins: the answer is not kept; the next read fetches.
      Secret next = cache.get(DB);
      assertThat(source.fetches).hasValue(3);
      assertThat(holds(next, "hunter2-first")).isTrue();
      manual.advance(Duration.ofMillis(DefaultSecretCache.EVICTION_GRACE_MILLIS));
      assertThat(s.value().isDestroyed()).as("the orphaned answer is zeroed after the grace").isTrue();
      assertThat(next.value().isDestroyed()).isFalse();
    } finally {
      source.unstall();
      other.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ 2. answers that cannot be installed

  @Test
  void aSourceAnsweringNullIsAFailedRefreshThatIsCountedAndRetried() {
    NullOnDemand nulls = new NullOnDemand(source);
    build(builder(nulls));
    cache.get(DB);
    nulls.answerNull = true;
    manual.advance(Duration.ofSeconds(75));
    assertThat(cache.stats().refreshFailures()).isEqualTo(1);
    assertThat(cache.stats().refreshes()).isZero();
    nulls.answerNull = false;
    manual.advance(Duration.ofSeconds(2)); // the backoff: 0.5 to 1.5 s
    assertThat(source.fetches).hasValue(3);
    assertThat(cache.stats().refreshes()).isEqualTo(1);
    assertThat(holds(cache.get(DB), "hunter2-first")).isTrue();
  }

  @Test
  void aLeaseTooLongForInstantArithmeticIsServedAndRefreshedWithoutArithmeticErrors() {
    spec.leaseTtl = Duration.ofSeconds(Long.MAX_VALUE);
    build(builder(source));
    Secret s = cache.get(DB);
    assertThat(holds(s, "hunter2-first")).isTrue();
    assertThat(cache.refresh(DB).join().versionId()).isEqualTo("v1");
    manual.advance(Duration.ofDays(365));
    assertThat(holds(cache.get(DB), "hunter2-first")).isTrue();
    assertThat(cache.stats().refreshFailures()).isZero();
    // The same-version answers were zeroed: only the one held is alive.
    assertThat(source.handedOut.stream().filter(v -> !v.isDestroyed())).hasSize(1);
  }

  // ------------------------------------------------------------------ 3, 4. slow backends, real threads

  @Test
  void twoStalledBackendCallsDoNotDelayTheEndOfALease() throws Exception {
    BlockingSource blocking = new BlockingSource();
    SecretCache real = SecretCache.builder(blocking).resilience(ResiliencePolicy.none()).build();
    try {
      real.get(SecretRef.of("lease"));
      Instant leaseEnd = blocking.leaseEnd;
      real.getAsync(SecretRef.of("slow-1"));
      real.getAsync(SecretRef.of("slow-2"));
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (blocking.blocked.get() < 2 && System.nanoTime() < waitUntil) {
        Thread.sleep(5);
      }
      assertThat(blocking.blocked.get()).as("both slow calls are in the backend").isEqualTo(2);
      Instant refusedAt = null;
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
      while (refusedAt == null && System.nanoTime() < giveUp) {
        try {
          real.get(SecretRef.of("lease"));
          Thread.sleep(5);
        } catch (SecretExpiredException expired) {
          refusedAt = Instant.now();
        }
      }
      assertThat(refusedAt).as("the lease stopped being served although two backend calls hang").isNotNull();
      assertThat(Duration.between(leaseEnd, refusedAt)).isLessThan(Duration.ofSeconds(2));
    } finally {
      blocking.release.countDown();
      real.close();
    }
  }

  @Test
  void getAsyncCompletesWhenTheCacheClosesWithItsTaskStillQueued() throws Exception {
    BlockingSource blocking = new BlockingSource();
    SecretCache real = SecretCache.builder(blocking).resilience(ResiliencePolicy.none()).build();
    List<CompletableFuture<Secret>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        futures.add(real.getAsync(SecretRef.of("slow-" + i)));
      }
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (blocking.blocked.get() < 2 && System.nanoTime() < waitUntil) {
        Thread.sleep(5);
      }
      real.close();
      for (CompletableFuture<Secret> f : futures) {
        Throwable outcome = f.handle((s, t) -> t).get(5, TimeUnit.SECONDS);
        assertThat(outcome).as("completed exceptionally: the cache closed").isNotNull();
      }
    } finally {
      blocking.release.countDown();
      real.close();
    }
  }

  // ------------------------------------------------------------------ 6. non-SDK exceptions

  @Test
  void aNonSdkExceptionAtLeaseEndReachesTheReaderAsSecretExpiredException() {
    spec.leaseTtl = Duration.ofSeconds(60);
    build(builder(source));
    cache.get(DB);
    source.fail(() -> new IllegalStateException("Connection pool shut down"));
    manual.advance(Duration.ofSeconds(61));
    assertThatThrownBy(() -> cache.get(DB))
        .isInstanceOf(SecretExpiredException.class)
        .hasMessageContaining("fake://prod/db")
        .hasRootCauseInstanceOf(IllegalStateException.class);
  }

  // ------------------------------------------------------------------ 7. parsed field copies

  @Test
  void sameVersionRefreshesAndRenewalsAttachNoNewParsedFieldCopies() throws Exception {
    LeakGuard.watch("hunter2-json");
    spec.content = "{\"username\":\"app\",\"password\":\"hunter2-json\"}";
    spec.leaseTtl = Duration.ofSeconds(100);
    spec.renewable = true;
    build(builder(source));
    Secret first = cache.get(DB);
    assertThat(first.field("password").contentEquals("hunter2-json".toCharArray())).isTrue();
    assertThat(first.field("username").contentEquals("app".toCharArray())).isTrue(); // fields are read one by one
    int attached = dependents(first.value());
    for (int i = 0; i < 10; i++) {
      manual.advance(Duration.ofSeconds(75)); // a renewal each time
      assertThat(cache.get(DB).field("password").contentEquals("hunter2-json".toCharArray())).isTrue();
      assertThat(cache.get(DB).field("username").contentEquals("app".toCharArray())).isTrue();
      assertThat(cache.refresh(DB).join().field("password").length()).isEqualTo(12); // a same-version fetch
    }
    assertThat(source.renewals.get()).isGreaterThanOrEqualTo(10);
    assertThat(cache.get(DB).versionId()).isEqualTo("v1");
    assertThat(dependents(first.value())).isEqualTo(attached).isEqualTo(2);
  }

  /** How many derived values (parsed fields) are attached to a value's content, to be zeroed with it. */
  private static int dependents(SecretValue value) throws ReflectiveOperationException {
    var storeField = SecretValue.class.getDeclaredField("store");
    storeField.setAccessible(true);
    Object store = storeField.get(value);
    Class<?> type = store.getClass();
    while (java.util.Arrays.stream(type.getDeclaredFields()).noneMatch(f -> f.getName().equals("dependents"))) {
      type = type.getSuperclass(); // the field lives in the stores that own content
    }
    var dependents = type.getDeclaredField("dependents");
    dependents.setAccessible(true);
    List<?> list = (List<?>) dependents.get(store);
    return list == null ? 0 : list.size();
  }

  // ------------------------------------------------------------------ 8. retired versions

  @Test
  void aVersionCutOutByASecondRotationOutlivesTheEntrysDropUntilItsPromisedEnd() {
    build(builder(source).overlap(Duration.ofSeconds(300)));
    Instant t0 = manual.instant();
    cache.get(DB);
    manual.advance(Duration.ofSeconds(10));
    spec.expiresAt = t0.plusSeconds(40);
    source.rotate("prod/db", "hunter2-second");
    cache.refresh(DB).join();
    Secret v1 = events.get(0).previous().orElseThrow();
    assertThat(events.get(0).overlapUntil()).isEqualTo(t0.plusSeconds(310));
    manual.advance(Duration.ofSeconds(10));
    spec.expiresAt = t0.plusSeconds(22);
    source.rotate("prod/db", "hunter2-third");
    cache.refresh(DB).join();
    source.fail(() -> new SecretUnavailableException("backend 'fake' is down"));
    // v3 is over at 22 s and the entry dead a grace period later; v1 was promised until 310 s.
    manual.advance(Duration.ofSeconds(180));
    assertThat(holds(v1, "hunter2-first")).as("v1 readable until its promised end").isTrue();
    manual.advanceTo(t0.plusSeconds(309));
    assertThat(v1.value().isDestroyed()).isFalse();
    manual.advanceTo(t0.plusSeconds(311));
    assertThat(v1.value().isDestroyed()).isTrue();
  }

  // ------------------------------------------------------------------ 9. listeners calling back

  @Test
  void aListenerOnADirectExecutorMayRefreshTheSameSecretFromWithinItsEvent() throws Exception {
    build(builder(source));
    AtomicReference<Object> outcome = new AtomicReference<>();
    cache.onRotation(DB, event -> {
      try {
        outcome.set(cache.refresh(DB).get(2, TimeUnit.SECONDS));
      } catch (Exception e) {
        outcome.set(e);
      }
    });
    cache.get(DB);
    source.rotate("prod/db", "hunter2-second");
    cache.refresh(DB).get(5, TimeUnit.SECONDS);
    assertThat(outcome.get()).isInstanceOfSatisfying(Secret.class, s -> assertThat(s.versionId()).isEqualTo("v2"));
    assertThat(events).hasSize(1);
  }

  // ------------------------------------------------------------------ 10, 11. the wall clock

  @Test
  void anExpiryTaskThatFiresWhileTheClockReadsEarlyIsPlannedAgain() {
    build(builder(source).clockCheck(Duration.ZERO));
    Secret s = cache.get(DB);
    source.fail(() -> new SecretUnavailableException("backend 'fake' is down"));
    // Served stale until 400 s; the entry is dropped a grace period later, at 460 s.
    manual.advanceTo(ManualClock.DEFAULT_START.plusSeconds(450));
    wall.step(Duration.ofSeconds(-10));
    manual.advanceTo(ManualClock.DEFAULT_START.plusSeconds(462));
    assertThat(s.value().isDestroyed()).as("not dead yet by the wall clock").isFalse();
    manual.advanceTo(ManualClock.DEFAULT_START.plusSeconds(475));
    assertThat(s.value().isDestroyed()).isTrue();
    assertThat(cache.stats().evictions()).isEqualTo(1);
  }

  @Test
  void afterTheWallClockStepsForwardALeaseThatEndedIsNotServedBeyondTheNextClockCheck() {
    spec.leaseTtl = Duration.ofMinutes(30);
    build(builder(source));
    cache.get(DB);
    source.fail(() -> new SecretUnavailableException("backend 'fake' is down"));
    wall.step(Duration.ofMinutes(30).plusSeconds(10)); // the lease ended 10 s ago by the cache's own clock
    manual.advance(Duration.ofSeconds(2));
    assertThatThrownBy(() -> cache.get(DB)).isInstanceOf(SecretExpiredException.class);
    wall.step(Duration.ofMinutes(20)); // and further: the dead entry is dropped, nothing is served
    manual.advance(Duration.ofSeconds(2));
    assertThatThrownBy(() -> cache.get(DB)).isInstanceOf(SecretUnavailableException.class);
    assertThat(source.handedOut).allSatisfy(v -> assertThat(v.isDestroyed()).isTrue());
  }

  @Test
  void aWallClockStepBackwardsNeverMakesALeaseLiveLongerThanItsTtl() {
    spec.leaseTtl = Duration.ofMinutes(30);
    build(builder(source));
    cache.get(DB);
    source.fail(() -> new SecretUnavailableException("backend 'fake' is down"));
    wall.step(Duration.ofHours(-1));
    manual.advance(Duration.ofMinutes(30).plusSeconds(1));
    assertThatThrownBy(() -> cache.get(DB)).isInstanceOf(SecretException.class);
  }

  // ------------------------------------------------------------------ 12. already-expired leases

  @Test
  void aBackendHandingOutExpiredLeasesIsNotCalledOnEveryReadAndTheCredentialIsNotServed() {
    spec.leaseTtl = Duration.ZERO;
    build(builder(source));
    for (int i = 0; i < 101; i++) {
      assertThatThrownBy(() -> cache.get(DB))
          .isInstanceOf(SecretExpiredException.class)
          .hasMessageContaining("already over");
    }
    assertThat(source.fetches).hasValue(1);
    assertThat(source.handedOut).allSatisfy(v -> assertThat(v.isDestroyed()).isTrue());
    manual.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> cache.get(DB)).isInstanceOf(SecretExpiredException.class);
    assertThat(source.fetches).hasValue(2);
  }

  // ------------------------------------------------------------------ also seen

  @Test
  void aValueEvictedForSizeStaysReadableForAGraceThenIsZeroed() {
    source.put("a", "hunter2-first");
    source.put("b", "hunter2-second");
    build(builder(source).maximumSize(1));
    Secret a = cache.get(SecretRef.of("a"));
    Secret b = cache.get(SecretRef.of("b"));
    assertThat(cache.stats().evictions()).isEqualTo(1);
    assertThat(holds(a, "hunter2-first")).as("a reader who got it just before may finish").isTrue();
    assertThat(holds(b, "hunter2-second")).isTrue();
    manual.advance(Duration.ofMillis(DefaultSecretCache.EVICTION_GRACE_MILLIS));
    assertThat(a.value().isDestroyed() ^ b.value().isDestroyed()).as("the evicted one is zeroed").isTrue();
  }

  @Test
  void anInvalidationDuringAColdLoadWinsOverThatLoad() throws Exception {
    build(builder(source));
    var gate = source.stall();
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try {
      Future<Secret> first = reader.submit(() -> cache.get(DB));
      assertThat(source.entered.await(5, TimeUnit.SECONDS)).isTrue();
      cache.invalidate(DB);
      gate.countDown();
      Secret s = first.get(5, TimeUnit.SECONDS);
      assertThat(holds(s, "hunter2-first")).as("the waiting reader gets the answer").isTrue();
      Secret again = cache.get(DB);
      assertThat(source.fetches).as("the load did not undo the invalidation").hasValue(2);
      manual.advance(Duration.ofMillis(DefaultSecretCache.EVICTION_GRACE_MILLIS));
      assertThat(s.value().isDestroyed()).isTrue();
      assertThat(holds(again, "hunter2-first")).isTrue();
    } finally {
      source.unstall();
      reader.shutdownNow();
    }
  }

  @Test
  void aSourceReturningTheSameValueObjectTwiceNeverHasTheServedValueZeroed() {
    SameObjectSource same = new SameObjectSource();
    build(builder(same));
    Secret s = cache.get(DB);
    cache.refresh(DB).join(); // the same version, the same object
    assertThat(holds(s, "hunter2-first")).isTrue();
    assertThat(holds(cache.get(DB), "hunter2-first")).isTrue();
    same.version = "v2"; // a new version id, still the same object
    cache.refresh(DB).join();
    assertThat(events).hasSize(1);
    manual.advance(Duration.ofSeconds(31)); // the overlap ends: v1 is zeroed
    assertThat(s.value().isDestroyed()).isTrue();
    assertThat(holds(cache.get(DB), "hunter2-first")).as("v2 has a value of its own").isTrue();
    cache.close();
    cache = null;
    assertThat(same.value.isDestroyed()).isTrue();
  }

  // ------------------------------------------------------------------ test doubles

  /** Delegates to a FakeSource, or answers {@code null} when told to. */
  private static final class NullOnDemand implements SecretSource {
    final FakeSource delegate;
    volatile boolean answerNull;

    NullOnDemand(FakeSource delegate) {
      this.delegate = delegate;
    }

    @Override
    public String scheme() {
      return delegate.scheme();
    }

    @Override
    @SuppressWarnings("NullAway")
    public Secret fetch(SecretRef ref) {
      if (answerNull) {
        delegate.fetches.incrementAndGet();
        return null;
      }
      return delegate.fetch(ref);
    }
  }

  /** Hands out the same value object on every fetch, under the version id it is told. */
  private static final class SameObjectSource implements SecretSource {
    final SecretValue value = SecretValue.copyOf("hunter2-first".toCharArray());
    volatile String version = "v1";

    @Override
    public String scheme() {
      return "same";
    }

    @Override
    public Secret fetch(SecretRef ref) {
      return Secret.builder(ref.name()).versionId(version).value(value).build();
    }
  }
}
