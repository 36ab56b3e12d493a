package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.BatchResult;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionCheck;
import io.secretsdk.VersionChecks;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scheduled refreshes of many secrets of one backend are one version-check call, and only what
 * changed is fetched, with one batch fetch (issue 14); the per-backend suggested lifetime.
 */
class BatchedChecksTest {
  private static final int N = 100;

  private final ManualClock manual = new ManualClock();
  private final SteppedClock wall = new SteppedClock(manual);
  private final ManualScheduler scheduler = new ManualScheduler(manual);
  private final FakeSource fake = new FakeSource(manual);
  private final Checks checks = new Checks(fake);
  private final List<RotationEvent> events = new CopyOnWriteArrayList<>();
  private final List<SecretRef> refs = new ArrayList<>();
  private SecretCache cache;

  @BeforeEach
  void setUp() {
    LeakGuard.watch("batched-secret-");
    for (int i = 0; i < N; i++) {
      checks.put("s" + i, "batched-secret-" + i);
      refs.add(SecretRef.of("s" + i));
    }
  }

  @AfterEach
  void tearDown() {
    if (cache != null) {
      cache.close();
    }
  }

  private SecretCache.Builder builder() {
    return SecretCache.builder(checks).clock(wall).scheduler(scheduler).listenerExecutor(Runnable::run)
        .resilience(ResiliencePolicy.none()).clockCheck(Duration.ZERO).defaultTtl(Duration.ofSeconds(100))
        .overlap(Duration.ofSeconds(30));
  }

  private SecretCache build(SecretCache.Builder b) {
    cache = b.build();
    cache.onRotation(events::add);
    return cache;
  }

  private Map<SecretRef, Secret> held() {
    Map<SecretRef, Secret> held = new HashMap<>();
    for (SecretRef ref : refs) {
      held.put(ref, cache.get(ref));
    }
    return held;
  }

  @Test
  void aHundredSecretsWarmedTogetherCostOneCheckCallPerLifetimeAndUnchangedOnesAreNeitherFetchedNorCopied() {
    build(builder());
    cache.prefetch(refs);
    assertThat(fake.fetchAlls).as("warm-up is one batch fetch").hasValue(1);
    Map<SecretRef, Secret> first = held();
    int handedOut = fake.handedOut.size();
    manual.advance(Duration.ofSeconds(1000)); // ten lifetimes
    assertThat(checks.asked).as("every check call covered all hundred secrets")
        .isNotEmpty().allSatisfy(batch -> assertThat(batch).hasSize(N));
    // One call per refresh round: a round every 0.7 to 0.8 of the 100 s lifetime.
    assertThat(checks.asked.size()).isBetween(12, 15);
    assertThat(checks.singleChecks).as("no check of one secret on its own").hasValue(0);
    assertThat(fake.fetchAlls).as("nothing fetched while unchanged").hasValue(1);
    assertThat(fake.fetches).hasValue(0);
    assertThat(fake.handedOut).as("no value copied").hasSize(handedOut);
    assertThat(held()).as("the same borrowed secrets").isEqualTo(first);
    first.forEach((ref, s) -> assertThat(s).isSameAs(cache.get(ref)));
    assertThat(cache.stats().refreshes()).isEqualTo((long) N * checks.asked.size());
    assertThat(events).isEmpty();
  }

  @Test
  void onlyTheSecretsThatChangedAreFetchedWithOneBatchFetchAndTheOthersKeepTheirValue() {
    build(builder().refreshJitter(0));
    cache.prefetch(refs);
    Map<SecretRef, Secret> first = held();
    int handedOut = fake.handedOut.size();
    for (int i = 0; i < 3; i++) {
      checks.rotate("s" + i, "batched-secret-new-" + i);
    }
    manual.advance(Duration.ofSeconds(75));
    assertThat(checks.asked).hasSize(1);
    assertThat(fake.fetchAlls).hasValue(2);
    assertThat(checks.fetchedTogether).singleElement()
        .satisfies(batch -> assertThat(batch).extracting(SecretRef::name).containsExactlyInAnyOrder("s0", "s1", "s2"));
    assertThat(fake.handedOut).hasSize(handedOut + 3);
    assertThat(events).hasSize(3).allSatisfy(e -> {
      assertThat(e.reason()).isEqualTo(RotationEvent.Reason.SCHEDULED_REFRESH);
      assertThat(e.current().versionId()).isEqualTo("v2");
    });
    for (int i = 0; i < N; i++) {
      Secret now = cache.get(refs.get(i));
      if (i < 3) {
        assertThat(now.versionId()).isEqualTo("v2");
        assertThat(cache.previous(refs.get(i))).contains(first.get(refs.get(i)));
      } else {
        assertThat(now).isSameAs(first.get(refs.get(i)));
      }
    }
    // Fetched and confirmed together, the hundred stay aligned: the next round is one call again.
    manual.advance(Duration.ofSeconds(75));
    assertThat(checks.asked).hasSize(2).last().satisfies(batch -> assertThat(batch).hasSize(N));
  }

  @Test
  void secretsLoadedOneByOneAreGatheredIntoOneCheckAndStayAligned() {
    build(builder());
    for (SecretRef ref : refs) {
      cache.get(ref);
      manual.advance(Duration.ofMillis(20)); // two seconds of cold reads
    }
    manual.advance(Duration.ofSeconds(100));
    assertThat(checks.asked).as("the first round gathers them all").hasSize(1);
    assertThat(checks.asked.get(0)).hasSize(N);
    manual.advance(Duration.ofSeconds(300));
    assertThat(checks.asked).allSatisfy(batch -> assertThat(batch).hasSize(N));
    assertThat(checks.singleChecks).hasValue(0);
  }

  @Test
  void aSecretTheCheckLeavesOutIsFetchedAndOneItFailsForIsRetriedOnItsOwn() {
    build(builder().refreshJitter(0));
    cache.prefetch(refs);
    Map<SecretRef, Secret> first = held();
    checks.leftOut.add("s1");
    checks.failing.add("s2");
    manual.advance(Duration.ofSeconds(75));
    assertThat(checks.asked).hasSize(1);
    assertThat(checks.fetchedTogether).as("the one left out, alone, is a plain fetch").isEmpty();
    assertThat(fake.fetches).hasValue(1);
    // Fetched: the same version, so the held value stays and the fetched copy is zeroed.
    assertThat(cache.get(refs.get(1))).isSameAs(first.get(refs.get(1)));
    assertThat(fake.handedOut.get(fake.handedOut.size() - 1).isDestroyed()).isTrue();
    assertThat(cache.stats().refreshFailures()).isEqualTo(1);
    assertThat(cache.get(refs.get(2))).as("the failing one keeps being served").isSameAs(first.get(refs.get(2)));
    checks.failing.clear();
    manual.advance(Duration.ofSeconds(3)); // its backoff: about a second, jittered
    assertThat(checks.singleChecks).as("the retry checks it alone").hasValue(1);
    assertThat(checks.asked).hasSize(1);
    assertThat(cache.get(refs.get(2))).isSameAs(first.get(refs.get(2)));
    assertThat(cache.stats().refreshFailures()).isEqualTo(1);
  }

  @Test
  void theRetriesOfABatchThatWasThrottledAsAWholeAreOneBatchAgainNotOneCallPerSecret() {
    build(builder().refreshJitter(0));
    cache.prefetch(refs);
    Map<SecretRef, Secret> first = held();
    for (int i = 0; i < N; i++) {
      checks.rotate("s" + i, "batched-secret-new-" + i);
    }
    checks.throttleFetchAll = true;
    manual.advance(Duration.ofSeconds(75));
    assertThat(cache.stats().refreshFailures()).isEqualTo(N);
    assertThat(held()).as("the held values are served meanwhile").isEqualTo(first);
    checks.throttleFetchAll = false;
    manual.advance(Duration.ofSeconds(3)); // the backoffs: 0.5 to 1.5 s, one retry gathers them all
    assertThat(checks.asked).hasSize(2).allSatisfy(batch -> assertThat(batch).hasSize(N));
    assertThat(checks.fetchedTogether).hasSize(2).allSatisfy(batch -> assertThat(batch).hasSize(N));
    assertThat(checks.singleChecks).hasValue(0);
    assertThat(fake.fetches).hasValue(0);
    assertThat(held().values()).allSatisfy(s -> assertThat(s.versionId()).isEqualTo("v2"));
    assertThat(events).hasSize(N);
  }

  @Test
  void aBackendThatMayReadValuesButNotTheirMetadataIsFetchedInsteadOfFailingEveryRefresh() {
    build(builder().refreshJitter(0));
    cache.prefetch(refs);
    Map<SecretRef, Secret> first = held();
    checks.refuseChecks = true;
    manual.advance(Duration.ofSeconds(75));
    assertThat(fake.fetchAlls).as("the refused check call: everything fetched, in one call").hasValue(2);
    assertThat(cache.stats().refreshFailures()).isZero();
    checks.refuseEach = true; // the call answers, refusing each reference
    manual.advance(Duration.ofSeconds(75));
    assertThat(fake.fetchAlls).hasValue(3);
    assertThat(cache.stats().refreshFailures()).isZero();
    assertThat(held()).as("same versions: the held values stay").isEqualTo(first);
    assertThat(events).isEmpty();
  }

  @Test
  void aCheckAnsweringNothingOrOtherSecretsFallsBackToOneBatchFetch() {
    build(builder().refreshJitter(0));
    cache.prefetch(refs);
    Map<SecretRef, Secret> first = held();
    checks.answerNull = true;
    manual.advance(Duration.ofSeconds(75));
    assertThat(fake.fetchAlls).as("a null answer: everything fetched, in one call").hasValue(2);
    assertThat(checks.fetchedTogether.get(0)).hasSize(N);
    assertThat(held()).isEqualTo(first);
    checks.answerNull = false;
    checks.answerOthers = true; // answers for references never asked about, none for those asked
    manual.advance(Duration.ofSeconds(75));
    assertThat(fake.fetchAlls).hasValue(3);
    assertThat(held()).as("same versions: the held values stay").isEqualTo(first);
    assertThat(events).isEmpty();
    assertThat(cache.stats().refreshFailures()).isZero();
  }

  @Test
  void aBackendThatSaysChangedAndThenServesTheHeldVersionKeepsTheHeldValue() {
    build(builder().refreshJitter(0));
    cache.prefetch(refs);
    Map<SecretRef, Secret> first = held();
    int handedOut = fake.handedOut.size();
    checks.claimVersion = "v9"; // an eventually consistent listing ahead of the read path
    manual.advance(Duration.ofSeconds(75));
    assertThat(fake.fetchAlls).hasValue(2);
    assertThat(held()).isEqualTo(first);
    assertThat(events).isEmpty();
    assertThat(fake.handedOut.subList(handedOut, fake.handedOut.size()))
        .hasSize(N).allSatisfy(v -> assertThat(v.isDestroyed()).as("the fetched copy is zeroed").isTrue());
    first.values().forEach(s -> assertThat(s.value().isDestroyed()).isFalse());
  }

  @Test
  void aBatchFetchHandingOneValueObjectToTwoSecretsGivesEachItsOwn() {
    build(builder().refreshJitter(0));
    cache.prefetch(refs.subList(0, 2));
    checks.rotate("s0", "batched-secret-new-0");
    checks.rotate("s1", "batched-secret-new-1");
    checks.shareValues = true;
    manual.advance(Duration.ofSeconds(75));
    Secret a = cache.get(refs.get(0));
    Secret b = cache.get(refs.get(1));
    assertThat(a.versionId()).isEqualTo("v2");
    assertThat(b.versionId()).isEqualTo("v2");
    cache.invalidate(refs.get(0));
    assertThat(a.value().isDestroyed()).isTrue();
    assertThat(b.value().isDestroyed()).as("zeroing one never zeroes the other").isFalse();
  }

  @Test
  void invalidateAndCloseRacingABatchedCheckNeitherReviveAnEntryNorLeakAValue() throws Exception {
    build(builder().refreshJitter(0));
    cache.prefetch(refs);
    Map<SecretRef, Secret> first = held();
    for (int i = 0; i < 10; i++) {
      checks.rotate("s" + i, "batched-secret-new-" + i);
    }
    CountDownLatch gate = checks.stall();
    ExecutorService mover = Executors.newSingleThreadExecutor();
    try {
      Future<?> moved = mover.submit(() -> manual.advance(Duration.ofSeconds(75)));
      assertThat(checks.entered.await(5, TimeUnit.SECONDS)).isTrue();
      cache.invalidate(refs.get(0)); // changed, about to be fetched
      cache.invalidate(refs.get(50)); // unchanged, about to be confirmed
      assertThat(first.get(refs.get(0)).value().isDestroyed()).isTrue();
      gate.countDown();
      moved.get(5, TimeUnit.SECONDS);
      assertThat(first.get(refs.get(50)).value().isDestroyed()).as("not revived by the confirmation").isTrue();
      int fetchesBefore = fake.fetches.get();
      assertThat(cache.get(refs.get(0)).versionId()).isEqualTo("v2");
      assertThat(cache.get(refs.get(50)).versionId()).isEqualTo("v1");
      assertThat(fake.fetches.get() - fetchesBefore).as("both invalidated: read again").isEqualTo(2);
      assertThat(cache.get(refs.get(1)).versionId()).isEqualTo("v2");
      assertThat(cache.get(refs.get(51))).isSameAs(first.get(refs.get(51)));

      // close() while a batch is in the backend: the batch ends quietly, nothing survives.
      CountDownLatch again = checks.stall();
      Future<?> next = mover.submit(() -> manual.advance(Duration.ofSeconds(75)));
      assertThat(checks.entered.await(5, TimeUnit.SECONDS)).isTrue();
      for (int i = 10; i < 20; i++) {
        checks.rotate("s" + i, "batched-secret-new-" + i);
      }
      cache.close();
      again.countDown();
      next.get(5, TimeUnit.SECONDS);
      assertThat(fake.handedOut).allSatisfy(v -> assertThat(v.isDestroyed()).isTrue());
    } finally {
      checks.unstall();
      mover.shutdownNow();
    }
  }

  @Test
  void threadsThatForceARefreshDuringABatchedCheckJoinItWithoutAnotherBackendCall() throws Exception {
    build(builder().refreshJitter(0));
    cache.prefetch(refs);
    Map<SecretRef, Secret> first = held();
    checks.rotate("s7", "batched-secret-new-7");
    CountDownLatch gate = checks.stall();
    int threads = 32;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    try {
      Future<?> moved = pool.submit(() -> manual.advance(Duration.ofSeconds(75)));
      assertThat(checks.entered.await(5, TimeUnit.SECONDS)).isTrue();
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<CompletableFuture<Secret>>> refreshed = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        SecretRef ref = refs.get(t % 8 == 0 ? 7 : t); // s7, the one changed, from four threads
        refreshed.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          assertThat(cache.get(ref)).as("readers keep the held value meanwhile").isSameAs(first.get(ref));
          return cache.refresh(ref); // joins the batch's in-flight load: returns at once
        }));
      }
      assertThat(ready.await(5, TimeUnit.SECONDS)).isTrue();
      go.countDown();
      List<CompletableFuture<Secret>> joined = new ArrayList<>();
      for (Future<CompletableFuture<Secret>> f : refreshed) {
        joined.add(f.get(5, TimeUnit.SECONDS));
      }
      assertThat(joined).noneMatch(CompletableFuture::isDone);
      assertThat(fake.fetches).hasValue(0);
      gate.countDown();
      moved.get(5, TimeUnit.SECONDS);
      for (int t = 0; t < threads; t++) {
        boolean s7 = t % 8 == 0 || t == 7;
        assertThat(joined.get(t).get(5, TimeUnit.SECONDS).versionId()).isEqualTo(s7 ? "v2" : "v1");
      }
    } finally {
      checks.unstall();
      pool.shutdownNow();
    }
    assertThat(checks.asked).hasSize(1);
    assertThat(checks.singleChecks).hasValue(0);
    assertThat(fake.fetches).as("s7, the one changed, fetched once; nothing else").hasValue(1);
    assertThat(checks.fetchedTogether).isEmpty();
  }

  @Test
  void aWallClockStepForwardBringsTheDueSecretsForwardIntoOneCheck() {
    build(builder().refreshJitter(0).clockCheck(Duration.ofSeconds(1)));
    cache.prefetch(refs);
    manual.advance(Duration.ofSeconds(10));
    wall.step(Duration.ofSeconds(70)); // NTP: the wall clock now says 80 s, past every refresh time
    manual.advance(Duration.ofSeconds(1));
    assertThat(checks.asked).as("re-planned at once, checked together").hasSize(1);
    assertThat(checks.asked.get(0)).hasSize(N);
    wall.step(Duration.ofSeconds(-70)); // and back: nothing is postponed, nothing checked twice
    manual.advance(Duration.ofSeconds(1));
    assertThat(checks.asked).hasSize(1);
    assertThat(checks.singleChecks).hasValue(0);
  }

  @Test
  void theSourcesSuggestedLifetimeIsUsedUnlessTheUserSetDefaultTtl() {
    checks.suggested = Duration.ofHours(1);
    SecretCache.Builder noTtl = SecretCache.builder(checks).clock(wall).scheduler(scheduler)
        .listenerExecutor(Runnable::run).resilience(ResiliencePolicy.none()).clockCheck(Duration.ZERO)
        .refreshJitter(0);
    build(noTtl);
    cache.get(refs.get(0));
    manual.advance(Duration.ofMinutes(44));
    assertThat(checks.singleChecks).as("not before 0.75 of the suggested hour").hasValue(0);
    manual.advance(Duration.ofMinutes(1));
    assertThat(checks.singleChecks).hasValue(1);
    cache.close();

    build(builder().refreshJitter(0)); // defaultTtl(100 s) set explicitly: it wins
    cache.get(refs.get(0));
    manual.advance(Duration.ofSeconds(75));
    assertThat(checks.singleChecks).hasValue(2);
  }

  // ------------------------------------------------------------------ test double

  /**
   * A FakeSource that answers version checks from its specs, in bulk, and records every call,
   * with switches for answers that leave secrets out, fail some, say nothing or lie.
   */
  static final class Checks implements SecretSource {
    final FakeSource fake;
    final Map<String, FakeSource.Spec> specs = new ConcurrentHashMap<>();
    /** The references of each checkVersions call. */
    final List<List<SecretRef>> asked = new CopyOnWriteArrayList<>();
    final AtomicInteger singleChecks = new AtomicInteger();
    /** The references of each fetchAll call after warm-up (the first). */
    final List<List<SecretRef>> fetchedTogether = new CopyOnWriteArrayList<>();
    final Set<String> leftOut = ConcurrentHashMap.newKeySet();
    final Set<String> failing = ConcurrentHashMap.newKeySet();
    volatile boolean answerNull;
    volatile boolean answerOthers;
    volatile boolean shareValues;
    volatile boolean throttleFetchAll;
    /** Refuses the whole check call, or (with {@code refuseEach}) each reference in its answer. */
    volatile boolean refuseChecks;
    volatile boolean refuseEach;
    volatile @Nullable String claimVersion;
    volatile @Nullable Duration suggested;
    volatile CountDownLatch entered = new CountDownLatch(1);
    private volatile @Nullable CountDownLatch gate;
    private int fetchAllCalls;

    Checks(FakeSource fake) {
      this.fake = fake;
    }

    void put(String name, String content) {
      specs.put(name, fake.put(name, content));
    }

    void rotate(String name, String content) {
      fake.rotate(name, content);
    }

    CountDownLatch stall() {
      CountDownLatch g = new CountDownLatch(1);
      entered = new CountDownLatch(1);
      gate = g;
      return g;
    }

    void unstall() {
      CountDownLatch g = gate;
      gate = null;
      if (g != null) {
        g.countDown();
      }
    }

    @Override
    public String scheme() {
      return fake.scheme();
    }

    @Override
    public Secret fetch(SecretRef ref) {
      return fake.fetch(ref);
    }

    @Override
    public synchronized BatchResult fetchAll(Collection<SecretRef> refs) {
      if (fetchAllCalls++ > 0) {
        fetchedTogether.add(List.copyOf(refs));
      }
      if (throttleFetchAll) {
        throw new SecretThrottledException("backend 'fake' throttled a batch of " + refs.size() + " secrets");
      }
      BatchResult result = fake.fetchAll(refs);
      if (!shareValues || result.found().size() < 2) {
        return result;
      }
      // A broken source: one value object handed out for every secret of the answer.
      Map<SecretRef, Secret> shared = new LinkedHashMap<>();
      SecretValue one = null;
      for (Map.Entry<SecretRef, Secret> found : result.found().entrySet()) {
        if (one == null) {
          one = found.getValue().value();
        } else {
          found.getValue().value().destroy();
        }
        shared.put(found.getKey(), found.getValue().toBuilder().value(one).build());
      }
      return new BatchResult(shared, result.failed());
    }

    @Override
    public Optional<VersionCheck> checkVersion(SecretRef ref) {
      singleChecks.incrementAndGet();
      return Optional.ofNullable(answer(ref));
    }

    @Override
    public @Nullable VersionChecks checkVersions(Collection<SecretRef> refs) {
      asked.add(List.copyOf(refs));
      entered.countDown();
      CountDownLatch g = gate;
      if (g != null) {
        try {
          if (!g.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("a test left a check stalled");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
      if (answerNull) {
        return null;
      }
      if (refuseChecks && !refuseEach) {
        throw new SecretAccessDeniedException("backend 'fake' refused the check: no metadata permission", null);
      }
      Map<SecretRef, VersionCheck> found = new LinkedHashMap<>();
      Map<SecretRef, SecretException> failed = new LinkedHashMap<>();
      for (SecretRef ref : refs) {
        if (refuseChecks) {
          failed.put(ref, new SecretAccessDeniedException("backend 'fake' refused the check of '" + ref.name() + "'", ref));
        } else if (answerOthers) {
          found.put(SecretRef.parse("fake://not-asked-" + ref.name()), VersionCheck.of("v1"));
        } else if (failing.contains(ref.name())) {
          failed.put(ref, new SecretUnavailableException("backend 'fake' is down for '" + ref.name() + "'", ref));
        } else {
          VersionCheck check = answer(ref);
          if (check != null) {
            found.put(ref, check);
          }
        }
      }
      return new VersionChecks(found, failed);
    }

    private @Nullable VersionCheck answer(SecretRef ref) {
      if (failing.contains(ref.name())) {
        throw new SecretUnavailableException("backend 'fake' is down for '" + ref.name() + "'", ref);
      }
      FakeSource.Spec spec = specs.get(ref.name());
      if (spec == null || leftOut.contains(ref.name())) {
        return null;
      }
      String claimed = claimVersion;
      return VersionCheck.of(claimed != null ? claimed : "v" + spec.version);
    }

    @Override
    public Optional<Duration> suggestedTtl(SecretRef ref) {
      return Optional.ofNullable(suggested);
    }
  }
}
