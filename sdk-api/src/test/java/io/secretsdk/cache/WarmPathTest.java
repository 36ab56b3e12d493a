package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretExpiredException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The warm read path serves one field of the entry, published by readers and cleared by phase
 * flips, swaps and removals. Readers on several threads race each of those; a read that starts
 * after the change has returned must never see what the change took away.
 */
class WarmPathTest {
  private static final SecretRef DB = SecretRef.of("prod/db");
  private static final int READERS = 4;
  private static final int ROUNDS = 25;

  private final ExecutorService readers = Executors.newFixedThreadPool(READERS);
  /** Reads checked after the change, over all readers of a round. */
  private final AtomicInteger readsAfter = new AtomicInteger();

  @BeforeEach
  void watchValues() {
    LeakGuard.watch("warm-first");
    LeakGuard.watch("warm-second");
  }

  @AfterEach
  void stopReaders() {
    readers.shutdownNow();
  }

  private static SecretCache.Builder builder(FakeSource source, ManualClock clock) {
    return SecretCache.builder(source)
        .clock(clock)
        .scheduler(new ManualScheduler(clock))
        .listenerExecutor(Runnable::run)
        .resilience(ResiliencePolicy.none())
        .refreshJitter(0)
        .defaultTtl(Duration.ofSeconds(100))
        .overlap(Duration.ofSeconds(30))
        .maxStale(Duration.ofSeconds(300));
  }

  /** Runs readers until {@code stop}; each read that began after {@code changed} was set is checked. */
  private List<Future<Integer>> race(SecretCache cache, AtomicBoolean changed, AtomicBoolean stop,
      ReadCheck check, CountDownLatch started) {
    List<Future<Integer>> done = new ArrayList<>();
    for (int t = 0; t < READERS; t++) {
      done.add(readers.submit(() -> {
        int checked = 0;
        started.countDown();
        while (!stop.get()) {
          boolean after = changed.get();
          Secret s;
          RuntimeException failure = null;
          try {
            s = cache.get(DB);
          } catch (SecretExpiredException | SecretUnavailableException e) {
            s = null;
            failure = e;
          }
          if (after) {
            check.verify(s, failure);
            checked++;
            readsAfter.incrementAndGet();
          }
        }
        return checked;
      }));
    }
    return done;
  }

  /** What a read that began after the change may answer. */
  interface ReadCheck {
    void verify(Secret answer, RuntimeException failure);
  }

  /** Lets every reader make reads after the change (no sleep: counted reads), then stops them. */
  private void readAfterChange(AtomicBoolean stop) {
    readsAfter.set(0);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (readsAfter.get() < READERS * 50 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    stop.set(true);
  }

  private static int join(List<Future<Integer>> done) throws Exception {
    int checked = 0;
    for (Future<Integer> f : done) {
      checked += f.get(10, TimeUnit.SECONDS);
    }
    return checked;
  }

  @Test
  void aValuePastItsHardEndIsNeverServedByReadsThatBeginAfterTheFlip() throws Exception {
    int checked = 0;
    for (int round = 0; round < ROUNDS; round++) {
      ManualClock clock = new ManualClock();
      FakeSource source = new FakeSource(clock);
      source.put("prod/db", "warm-first").expiresAt = clock.instant().plusSeconds(10);
      try (SecretCache cache = builder(source, clock).build()) {
        cache.get(DB);
        cache.get(DB); // published on the warm path
        source.fail(() -> new SecretUnavailableException("backend 'fake' is down", DB));
        AtomicBoolean changed = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(READERS);
        List<Future<Integer>> done = race(cache, changed, stop, (answer, failure) ->
            assertThat(answer).as("a read after the hard end").isNull(), started);
        started.await(5, TimeUnit.SECONDS);
        clock.advance(Duration.ofSeconds(10)); // runs the flips (and a failing refresh) on this thread
        changed.set(true);
        readAfterChange(stop);
        checked += join(done);
      }
    }
    assertThat(checked).as("reads checked after the flips").isPositive();
  }

  @Test
  void aReadThatBeginsAfterARotationWasInstalledSeesTheNewVersion() throws Exception {
    int checked = 0;
    for (int round = 0; round < ROUNDS; round++) {
      ManualClock clock = new ManualClock();
      FakeSource source = new FakeSource(clock);
      source.put("prod/db", "warm-first");
      try (SecretCache cache = builder(source, clock).build()) {
        cache.get(DB);
        cache.get(DB);
        AtomicBoolean changed = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger old = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(READERS);
        List<Future<Integer>> done = race(cache, changed, stop, (answer, failure) -> {
          if (answer == null || !answer.value().contentEquals("warm-second".toCharArray())) {
            old.incrementAndGet();
          }
        }, started);
        started.await(5, TimeUnit.SECONDS);
        source.rotate("prod/db", "warm-second");
        cache.refresh(DB).join();
        changed.set(true);
        readAfterChange(stop);
        checked += join(done);
        assertThat(old).as("reads after the install that saw the old version").hasValue(0);
      }
    }
    assertThat(checked).isPositive();
  }

  @Test
  void aReadThatBeginsAfterAnInvalidationNeverGetsTheZeroedValue() throws Exception {
    int checked = 0;
    for (int round = 0; round < ROUNDS; round++) {
      ManualClock clock = new ManualClock();
      FakeSource source = new FakeSource(clock);
      source.put("prod/db", "warm-first");
      try (SecretCache cache = builder(source, clock).build()) {
        Secret first = cache.get(DB);
        cache.get(DB);
        AtomicBoolean changed = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger zeroed = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(READERS);
        List<Future<Integer>> done = race(cache, changed, stop, (answer, failure) -> {
          if (answer == null || answer == first || answer.value().isDestroyed()) {
            zeroed.incrementAndGet();
          }
        }, started);
        started.await(5, TimeUnit.SECONDS);
        cache.invalidate(DB);
        changed.set(true);
        readAfterChange(stop);
        checked += join(done);
        assertThat(zeroed).as("reads after invalidate() that got the dropped value").hasValue(0);
      }
    }
    assertThat(checked).isPositive();
  }
}
