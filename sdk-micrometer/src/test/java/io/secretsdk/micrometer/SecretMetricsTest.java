package io.secretsdk.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsdk.Secret;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretMetricsTest {
  private static final SecretRef DB = SecretRef.parse("file://prod-db.json");
  private static final String FIRST = "Metr1cs-first-pw";
  private static final String SECOND = "Metr1cs-second-pw";

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final List<SecretCache> caches = new ArrayList<>();
  private OutageSource source;

  /** The file backend with an outage switch, counting the reads that reach it. */
  static final class OutageSource implements SecretSource {
    private final FileSecretSource files;
    final AtomicInteger fetches = new AtomicInteger();
    volatile boolean down;

    OutageSource(Path root) {
      this.files = FileSecretSource.of(root);
    }

    @Override
    public String scheme() {
      return files.scheme();
    }

    @Override
    public Secret fetch(SecretRef ref) {
      fetches.incrementAndGet();
      if (down) {
        throw new SecretUnavailableException("the secret store is unreachable (test outage)", ref);
      }
      return files.fetch(ref);
    }

    @Override
    public SecretRef canonical(SecretRef ref) {
      return files.canonical(ref);
    }

    @Override
    public void close() {
      files.close();
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    LeakGuard.watch(FIRST);
    LeakGuard.watch(SECOND);
    write(FIRST);
    source = new OutageSource(dir);
  }

  @AfterEach
  void tearDown() {
    caches.forEach(SecretCache::close);
    source.close();
  }

  private void write(String password) throws IOException {
    Files.writeString(dir.resolve("prod-db.json"), "{\"username\":\"app\",\"password\":\"" + password + "\"}");
  }

  private SecretCache cache(SecretMetrics metrics) {
    SecretCache cache = SecretCache.builder(source)
        .clock(clock)
        .scheduler(scheduler)
        .listenerExecutor(Runnable::run)
        .resilience(ResiliencePolicy.none())
        .refreshJitter(0)
        .defaultTtl(Duration.ofSeconds(100))
        .overlap(Duration.ofSeconds(30))
        .maxStale(Duration.ofSeconds(300))
        .observer(metrics.observer())
        .build();
    caches.add(cache);
    metrics.track(cache);
    return cache;
  }

  private static Timer calls(MeterRegistry registry, String operation, String outcome) {
    return registry.get(SecretMetrics.BACKEND_CALLS)
        .tags("scheme", "file", "operation", operation, "outcome", outcome).timer();
  }

  private static double gets(MeterRegistry registry, String result) {
    return registry.get(SecretMetrics.CACHE_GETS).tag("result", result).functionCounter().count();
  }

  @Test
  void aCacheWithTheObserverCountsGetsTimesCallsAndCountsARotationAndAFailedRefreshByScheme() throws IOException {
    SecretMetrics metrics = SecretMetrics.create();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    metrics.bindTo(registry);
    SecretCache cache = cache(metrics);

    assertThat(gets(registry, "miss")).isZero();
    cache.get(DB);
    cache.get(DB);
    cache.get(DB);
    assertThat(gets(registry, "miss")).isEqualTo(1);
    assertThat(gets(registry, "hit")).isEqualTo(2);
    assertThat(calls(registry, "fetch", "ok").count()).isEqualTo(1);
    assertThat(registry.find(SecretMetrics.ROTATIONS).counter()).isNull();

    write(SECOND);
    clock.advance(Duration.ofSeconds(75)); // the scheduled refresh finds the new version
    assertThat(registry.get(SecretMetrics.ROTATIONS).tag("scheme", "file").counter().count()).isEqualTo(1);
    assertThat(calls(registry, "fetch", "ok").count()).isEqualTo(2);
    assertThat(cache.get(DB).versionId()).isNotEmpty();

    source.down = true;
    clock.advance(Duration.ofSeconds(75)); // the next refresh fails: the held version is served on
    assertThat(registry.get(SecretMetrics.REFRESH_FAILURES).tag("scheme", "file").counter().count()).isEqualTo(1);
    assertThat(calls(registry, "fetch", "unavailable").count()).isEqualTo(1);
    cache.get(DB);
    assertThat(registry.get(SecretMetrics.ROTATIONS).counter().count()).isEqualTo(1);

    // Every call the source saw is timed, and nothing else is.
    double timed = registry.find(SecretMetrics.BACKEND_CALLS).timers().stream().mapToLong(Timer::count).sum();
    assertThat(timed).isEqualTo(source.fetches.get());
    for (Meter m : registry.getMeters()) {
      assertThat(m.getId().getName()).startsWith("secrets.");
      for (Tag t : m.getId().getTags()) {
        assertThat(t.getKey()).isIn("scheme", "operation", "outcome", "result");
        assertThat(t.getValue()).matches("[a-z_]+").doesNotContain("prod").doesNotContain("Metr1cs");
      }
    }
  }

  @Test
  void aFailedFirstLoadIsACallWithItsOutcomeButNotAFailedRefresh() {
    SecretMetrics metrics = SecretMetrics.create();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    metrics.bindTo(registry);
    SecretCache cache = cache(metrics);

    assertThatThrownBy(() -> cache.get(SecretRef.parse("file://missing"))).isInstanceOf(SecretNotFoundException.class);
    assertThat(calls(registry, "fetch", "not_found").count()).isEqualTo(1);
    assertThat(gets(registry, "miss")).isEqualTo(1);
    assertThat(registry.find(SecretMetrics.REFRESH_FAILURES).counter()).isNull();
  }

  @Test
  void oneBinderFeedsEveryRegistryItIsBoundToOnceAndSumsTheGetsOfEveryTrackedCache() {
    SecretMetrics metrics = SecretMetrics.create();
    SimpleMeterRegistry a = new SimpleMeterRegistry();
    SimpleMeterRegistry b = new SimpleMeterRegistry();
    metrics.bindTo(a);
    metrics.bindTo(b);
    metrics.bindTo(a); // again: ignored, so nothing is recorded twice
    SecretCache one = cache(metrics);
    SecretCache two = cache(metrics);
    metrics.track(one); // again: ignored

    one.get(DB);
    one.get(DB);
    two.get(DB);
    for (MeterRegistry r : List.of(a, b)) {
      assertThat(gets(r, "miss")).isEqualTo(2);
      assertThat(gets(r, "hit")).isEqualTo(1);
      assertThat(calls(r, "fetch", "ok").count()).isEqualTo(2);
    }

    metrics.untrack(one); // its reads stay in the totals; later ones are not counted
    one.get(DB);
    two.get(DB);
    assertThat(gets(a, "hit")).isEqualTo(2);
    assertThat(gets(a, "miss")).isEqualTo(2);
  }

  @Test
  void callsMadeBeforeTheFirstRegistryIsBoundAreNotRecordedButTheGetsAreTotals() {
    SecretMetrics metrics = SecretMetrics.create();
    SecretCache cache = cache(metrics);
    cache.get(DB);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    metrics.bindTo(registry);
    cache.get(DB);

    assertThat(gets(registry, "miss")).isEqualTo(1);
    assertThat(gets(registry, "hit")).isEqualTo(1);
    assertThat(registry.find(SecretMetrics.BACKEND_CALLS).timer()).isNull();
  }

  @Test
  void manyThreadsReadingAtOnceAreAllCountedAndEveryBackendCallIsTimedOnce() throws Exception {
    SecretMetrics metrics = SecretMetrics.create();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    metrics.bindTo(registry);
    SecretCache cache = cache(metrics);
    int threads = 8;
    int reads = 500;
    List<SecretRef> refs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Files.writeString(dir.resolve("s" + i), "Concurrent-value-" + i);
      LeakGuard.watch("Concurrent-value-" + i);
      refs.add(SecretRef.parse("file://s" + i));
    }
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < reads; i++) {
            cache.get(refs.get((i + offset) % refs.size()));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(gets(registry, "hit") + gets(registry, "miss")).isEqualTo(threads * reads);
    assertThat(calls(registry, "fetch", "ok").count()).isEqualTo(source.fetches.get()).isEqualTo(refs.size());
  }

  @Test
  void aSchemeThatIsNoTagWordIsShownAsOther() {
    assertThat(SecretMetrics.schemeTag("aws-sm")).isEqualTo("aws-sm");
    assertThat(SecretMetrics.schemeTag("gcp-sm")).isEqualTo("gcp-sm");
    assertThat(SecretMetrics.schemeTag("Bad Scheme")).isEqualTo("other");
    assertThat(SecretMetrics.schemeTag("")).isEqualTo("other");
    assertThat(SecretMetrics.schemeTag("x".repeat(33))).isEqualTo("other");
  }
}
