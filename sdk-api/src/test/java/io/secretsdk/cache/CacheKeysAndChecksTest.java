package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.secretsdk.Secret;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.file.internal.FileSecretSourceProvider;
import io.secretsdk.internal.RoutingSecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.VersionCheck;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the cache keys entries (canonical references), guards each backend on its own, and uses the
 * SPI's cheap version checks and change watches.
 */
class CacheKeysAndChecksTest {
  private static final SecretRef DB = SecretRef.of("prod/db");

  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeSource fake = new FakeSource(clock);
  private final List<RotationEvent> events = new CopyOnWriteArrayList<>();
  private FakeSource.Spec spec;
  private SecretCache cache;

  @BeforeEach
  void setUp() {
    LeakGuard.watch("hunter2-first");
    LeakGuard.watch("hunter2-second");
    spec = fake.put("prod/db", "hunter2-first");
  }

  @AfterEach
  void tearDown() {
    if (cache != null) {
      cache.close();
    }
  }

  private SecretCache build(SecretSource source) {
    cache = SecretCache.builder(source).clock(clock).scheduler(scheduler).listenerExecutor(Runnable::run)
        .resilience(ResiliencePolicy.none()).refreshJitter(0).defaultTtl(Duration.ofSeconds(100))
        .overlap(Duration.ofSeconds(30)).build();
    cache.onRotation(events::add);
    return cache;
  }

  // ------------------------------------------------------------------ issue 17, item 4

  @Test
  void twoSpellingsOfOneSecretAreOneEntryOneLoadAndOneRotationEvent() {
    build(fake);
    SecretRef plain = DB;
    SecretRef schemed = SecretRef.parse("fake://prod/db");
    List<RotationEvent> onPlain = new CopyOnWriteArrayList<>();
    List<RotationEvent> onSchemed = new CopyOnWriteArrayList<>();
    cache.onRotation(plain, onPlain::add);
    cache.onRotation(schemed, onSchemed::add);
    Secret a = cache.get(plain);
    Secret b = cache.get(schemed);
    assertThat(b).isSameAs(a);
    assertThat(cache.get(plain.withField("x"))).isSameAs(a);
    assertThat(fake.fetches).as("one load").hasValue(1);
    fake.rotate("prod/db", "hunter2-second");
    cache.refresh(plain).join();
    assertThat(cache.get(schemed).versionId()).isEqualTo("v2");
    assertThat(fake.fetches).hasValue(2);
    assertThat(events).as("one event").hasSize(1);
    assertThat(events.get(0).ref()).isEqualTo(schemed);
    assertThat(onPlain).hasSize(1);
    assertThat(onSchemed).hasSize(1);
    assertThat(cache.previous(plain)).isPresent();
    cache.invalidate(schemed);
    assertThat(a.value().isDestroyed()).isTrue();
    cache.get(plain);
    assertThat(fake.fetches).as("invalidating one spelling dropped both").hasValue(3);
  }

  // ------------------------------------------------------------------ issue 17, item 10 (one part)

  @Test
  void aNotFoundAnswerServedFromTheNegativeCacheSaysSo() {
    build(fake);
    SecretRef missing = SecretRef.of("nope");
    assertThatThrownBy(() -> cache.get(missing))
        .isInstanceOf(SecretNotFoundException.class)
        .message().doesNotContain("remembered");
    clock.advance(Duration.ofSeconds(12));
    assertThatThrownBy(() -> cache.get(missing))
        .isInstanceOf(SecretNotFoundException.class)
        .hasMessageContaining("no secret 'nope'")
        .hasMessageContaining("remembered from a lookup 12 s ago")
        .hasMessageContaining("negativeTtl PT30S");
    assertThat(fake.fetches).hasValue(1);
  }

  // ------------------------------------------------------------------ issue 17, item 1

  @Test
  void oneFailingBackendDoesNotOpenTheCircuitOfAnother(@TempDir Path root) throws Exception {
    LeakGuard.watch("file-secret-value");
    Files.writeString(root.resolve("db"), "file-secret-value");
    ResiliencePolicy policy = ResiliencePolicy.custom()
        .circuitBreaker(CircuitBreakerConfig.custom().slidingWindowSize(2).minimumNumberOfCalls(2)
            .failureRateThreshold(50).waitDurationInOpenState(Duration.ofMinutes(1)).build())
        .timeout(Duration.ofSeconds(5))
        .build();
    // What SecretSources.fromProperties builds, with a test-only provider beside the real file one
    // (registered here rather than through META-INF/services, which would show in every test's scheme list).
    try (SecretSource routing = new RoutingSecretSource(
            Map.of("file", new FileSecretSourceProvider(), "down", new DownSourceProvider()),
            Map.of("file.root", root.toString(), "default-scheme", "file"));
        SecretCache c = SecretCache.builder(routing).clock(clock).scheduler(scheduler).resilience(policy).build()) {
      SecretRef down = SecretRef.parse("down://x");
      int before = DownSourceProvider.CALLS.get();
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> c.get(down)).isInstanceOf(SecretUnavailableException.class);
      }
      assertThatThrownBy(() -> c.get(down))
          .isInstanceOf(SecretUnavailableException.class)
          .hasMessageContaining("circuit breaker for backend 'down' is open")
          .message().doesNotContain("routing");
      assertThat(DownSourceProvider.CALLS.get() - before).isEqualTo(2);
      // The file backend has a breaker of its own, closed.
      assertThat(c.get(SecretRef.parse("file://db")).value().contentEquals("file-secret-value".toCharArray())).isTrue();
      assertThat(c.get(SecretRef.of("db")).value().contentEquals("file-secret-value".toCharArray())).isTrue();
      assertThat(c.toString()).contains("down").contains("file").doesNotContain("routing").doesNotContain("@");
      assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
          .anyMatch(n -> n.startsWith("secretsdk-call-file-"))
          .noneMatch(n -> n.contains("routing"));
    }
  }

  // ------------------------------------------------------------------ SPI: version checks

  @Test
  void scheduledRefreshesOfAnUnchangedVersionCheckInsteadOfFetching() {
    Checking checking = new Checking(fake, spec);
    build(checking);
    Secret first = cache.get(DB);
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(75));
    }
    assertThat(checking.checks).hasValue(5);
    assertThat(fake.fetches).as("no fetch while the version is unchanged").hasValue(1);
    assertThat(cache.get(DB)).as("the held secret, no new copy").isSameAs(first);
    assertThat(cache.stats().refreshes()).isEqualTo(5);
    fake.rotate("prod/db", "hunter2-second");
    clock.advance(Duration.ofSeconds(75));
    assertThat(checking.checks).hasValue(6);
    assertThat(fake.fetches).hasValue(2);
    assertThat(events).hasSize(1);
    assertThat(cache.get(DB).versionId()).isEqualTo("v2");
  }

  @Test
  void aVersionCheckMovesThePlanToTheRotationTimeItReports() {
    Checking checking = new Checking(fake, spec);
    build(checking);
    cache.get(DB);
    Instant rotation = clock.instant().plusSeconds(75 + 20);
    checking.nextRotationAt = rotation;
    clock.advance(Duration.ofSeconds(75));
    assertThat(checking.checks).hasValue(1);
    fake.rotate("prod/db", "hunter2-second");
    clock.advanceTo(rotation.plusMillis(DefaultSecretCache.AFTER_ROTATION_MILLIS));
    assertThat(checking.checks).as("a check right after the reported rotation time").hasValue(2);
    assertThat(cache.get(DB).versionId()).isEqualTo("v2");
  }

  @Test
  void aFailedVersionCheckIsAFailedRefreshAndKeepsServing() {
    Checking checking = new Checking(fake, spec);
    build(checking);
    Secret first = cache.get(DB);
    checking.failing = true;
    clock.advance(Duration.ofSeconds(75));
    assertThat(cache.stats().refreshFailures()).isEqualTo(1);
    assertThat(cache.get(DB)).isSameAs(first);
    checking.failing = false;
    clock.advance(Duration.ofSeconds(2));
    assertThat(checking.checks).hasValue(2);
    assertThat(fake.fetches).hasValue(1);
  }

  // ------------------------------------------------------------------ SPI: watches

  @Test
  void aWatchHintRefreshesTheNamedEntriesSoonOffTheWatchThreadAndCloseStopsTheWatch() {
    Watching watching = new Watching(fake);
    fake.put("other", "hunter2-second");
    build(watching);
    cache.get(DB);
    cache.get(SecretRef.of("other"));
    assertThat(watching.listener.get()).as("the cache watches at build").isNotNull();
    fake.rotate("prod/db", "hunter2-second");
    Predicate<SecretRef> onlyDb = ref -> ref.name().equals("prod/db");
    for (int i = 0; i < 3; i++) {
      watching.listener.get().changed(onlyDb); // a burst of hints
    }
    assertThat(fake.fetches).as("no backend call on the watch's thread").hasValue(2);
    clock.advance(Duration.ofMillis(DefaultSecretCache.WATCH_COALESCE_MILLIS));
    assertThat(fake.fetches).as("one refresh for the burst, of the named entry only").hasValue(3);
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.reason()).isEqualTo(RotationEvent.Reason.BACKEND_CHANGED);
      assertThat(e.current().versionId()).isEqualTo("v2");
    });
    cache.close();
    cache = null;
    assertThat(watching.closed).isTrue();
  }

  // ------------------------------------------------------------------ test doubles

  /** A FakeSource that answers version checks from its spec, counting them. */
  private static final class Checking implements SecretSource {
    final FakeSource delegate;
    final FakeSource.Spec spec;
    final AtomicInteger checks = new AtomicInteger();
    volatile boolean failing;
    volatile Instant nextRotationAt;

    Checking(FakeSource delegate, FakeSource.Spec spec) {
      this.delegate = delegate;
      this.spec = spec;
    }

    @Override
    public String scheme() {
      return delegate.scheme();
    }

    @Override
    public Secret fetch(SecretRef ref) {
      return delegate.fetch(ref);
    }

    @Override
    public Optional<VersionCheck> checkVersion(SecretRef ref) {
      checks.incrementAndGet();
      if (failing) {
        throw new SecretUnavailableException("backend 'fake' is down", ref);
      }
      return Optional.of(new VersionCheck("v" + spec.version, Optional.empty(), Optional.ofNullable(nextRotationAt)));
    }
  }

  /** A FakeSource that can watch: the test calls the listener it was given. */
  private static final class Watching implements SecretSource {
    final FakeSource delegate;
    final AtomicReference<ChangeListener> listener = new AtomicReference<>();
    volatile boolean closed;

    Watching(FakeSource delegate) {
      this.delegate = delegate;
    }

    @Override
    public String scheme() {
      return delegate.scheme();
    }

    @Override
    public Secret fetch(SecretRef ref) {
      return delegate.fetch(ref);
    }

    @Override
    public Optional<Watch> watch(ChangeListener l) {
      listener.set(l);
      return Optional.of(() -> closed = true);
    }
  }
}
