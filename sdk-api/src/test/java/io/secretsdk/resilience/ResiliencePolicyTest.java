package io.secretsdk.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.resilience.internal.GuardedCalls;
import io.secretsdk.testing.ManualClock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResiliencePolicyTest {
  private static final SecretRef REF = SecretRef.of("prod/db");
  private final ManualClock clock = new ManualClock();
  private final AtomicInteger calls = new AtomicInteger();

  private static RetryConfig quickRetry(int attempts) {
    return RetryConfig.custom().maxAttempts(attempts).waitDuration(Duration.ofMillis(1)).build();
  }

  private GuardedCalls guard(ResiliencePolicy policy) {
    return GuardedCalls.of(policy, "fake", clock);
  }

  @Test
  void transientErrorsAreRetriedUntilACallSucceeds() {
    try (GuardedCalls g = guard(ResiliencePolicy.custom().retry(quickRetry(3)).build())) {
      String result = g.call(REF, () -> {
        if (calls.incrementAndGet() < 3) {
          throw new SecretUnavailableException("backend 'fake' returned 503", REF);
        }
        return "ok";
      });
      assertThat(result).isEqualTo("ok");
      assertThat(calls).hasValue(3);
    }
  }

  @Test
  void retriesStopAtMaxAttemptsAndTheLastErrorIsThrown() {
    try (GuardedCalls g = guard(ResiliencePolicy.custom().retry(quickRetry(3)).build())) {
      assertThatThrownBy(() -> g.call(REF, () -> {
        throw new SecretUnavailableException("backend 'fake' returned 503 (call " + calls.incrementAndGet() + ")", REF);
      })).isInstanceOf(SecretUnavailableException.class).hasMessageContaining("call 3");
      assertThat(calls).hasValue(3);
    }
  }

  @Test
  void onlyTransientErrorsAreRetried() {
    try (GuardedCalls g = guard(ResiliencePolicy.custom().retry(quickRetry(5)).build())) {
      assertThatThrownBy(() -> g.call(REF, () -> {
        calls.incrementAndGet();
        throw new SecretNotFoundException("no secret 'prod/db' in backend 'fake'", REF);
      })).isInstanceOf(SecretNotFoundException.class);
      assertThat(calls).hasValue(1);
      assertThatThrownBy(() -> g.call(REF, () -> {
        calls.incrementAndGet();
        throw new IllegalStateException("a bug");
      })).isInstanceOf(IllegalStateException.class);
      assertThat(calls).hasValue(2);
    }
  }

  @Test
  void aThrottledCallIsRetriedNoSoonerThanTheBackendsRetryAfter() {
    try (GuardedCalls g = guard(ResiliencePolicy.custom().retry(quickRetry(2)).build())) {
      long start = System.nanoTime();
      String result = g.call(REF, () -> {
        if (calls.incrementAndGet() == 1) {
          throw new SecretThrottledException("slow down", REF, null, Duration.ofMillis(60));
        }
        return "ok";
      });
      assertThat(result).isEqualTo("ok");
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(60));
    }
  }

  @Test
  void aRetryAfterLongerThanTheInCallLimitEndsTheCallAtOnce() {
    try (GuardedCalls g = guard(ResiliencePolicy.custom().retry(quickRetry(3)).build())) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> g.call(REF, () -> {
        calls.incrementAndGet();
        throw new SecretThrottledException("slow down", REF, null, Duration.ofMinutes(1));
      })).isInstanceOfSatisfying(SecretThrottledException.class,
          e -> assertThat(e.retryAfter()).contains(Duration.ofMinutes(1)));
      assertThat(calls).hasValue(1);
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }
  }

  @Test
  void aRetryAfterTooLongForMillisecondsEndsTheCallAtOnceInsteadOfOverflowing() {
    try (GuardedCalls g = guard(ResiliencePolicy.custom().retry(quickRetry(3)).build())) {
      assertThatThrownBy(() -> g.call(REF, () -> {
        calls.incrementAndGet();
        throw new SecretThrottledException("slow down", REF, null, Duration.ofSeconds(Long.MAX_VALUE));
      })).isExactlyInstanceOf(SecretThrottledException.class);
      assertThat(calls).hasValue(1);
    }
  }

  @Test
  void anOpenCircuitFailsFastWithoutCallingTheBackendUntilTheClockHasMoved() {
    CircuitBreakerConfig breaker = CircuitBreakerConfig.custom()
        .slidingWindowSize(4)
        .minimumNumberOfCalls(4)
        .failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofSeconds(30))
        .build();
    try (GuardedCalls g = guard(ResiliencePolicy.custom().circuitBreaker(breaker).retry(quickRetry(3)).build())) {
      for (int i = 0; i < 4; i++) {
        assertThatThrownBy(() -> g.call(REF, () -> {
          calls.incrementAndGet();
          throw new SecretUnavailableException("backend 'fake' returned 503", REF);
        })).isInstanceOf(SecretUnavailableException.class);
      }
      assertThat(g.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
      int before = calls.get();
      assertThatThrownBy(() -> g.call(REF, () -> "never"))
          .isInstanceOf(SecretUnavailableException.class)
          .hasMessageContaining("circuit breaker")
          .hasMessageContaining("fake");
      assertThat(calls.get()).isEqualTo(before);
      clock.advance(Duration.ofSeconds(31));
      assertThat(g.call(REF, () -> "back")).isEqualTo("back");
    }
  }

  @Test
  void notFoundAnswersDoNotOpenTheCircuit() {
    CircuitBreakerConfig breaker = CircuitBreakerConfig.custom()
        .slidingWindowSize(4).minimumNumberOfCalls(4).failureRateThreshold(50).build();
    try (GuardedCalls g = guard(ResiliencePolicy.custom().circuitBreaker(breaker).build())) {
      for (int i = 0; i < 10; i++) {
        assertThatThrownBy(() -> g.call(REF, () -> {
          throw new SecretNotFoundException("no secret 'prod/db' in backend 'fake'", REF);
        })).isInstanceOf(SecretNotFoundException.class);
      }
      assertThat(g.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }
  }

  @Test
  void aFullBulkheadRefusesFurtherCallsFast() throws Exception {
    BulkheadConfig bulkhead = BulkheadConfig.custom().maxConcurrentCalls(1).maxWaitDuration(Duration.ZERO).build();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (GuardedCalls g = guard(ResiliencePolicy.custom().bulkhead(bulkhead).build())) {
      Future<String> first = pool.submit(() -> g.call(REF, () -> {
        inside.countDown();
        try {
          release.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return "first";
      }));
      assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
      assertThatThrownBy(() -> g.call(REF, () -> "second"))
          .isInstanceOf(SecretUnavailableException.class)
          .hasMessageContaining("bulkhead");
      release.countDown();
      assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");
      assertThat(g.call(REF, () -> "third")).isEqualTo("third");
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void aCallThatOutlivesTheTimeoutFailsAsUnavailableAndIsInterrupted() throws Exception {
    AtomicBoolean interrupted = new AtomicBoolean();
    CountDownLatch ended = new CountDownLatch(1);
    try (GuardedCalls g = guard(ResiliencePolicy.custom().timeout(Duration.ofMillis(50)).build())) {
      assertThatThrownBy(() -> g.call(REF, () -> {
        try {
          new CountDownLatch(1).await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          interrupted.set(true);
        } finally {
          ended.countDown();
        }
        return "late";
      })).isInstanceOf(SecretUnavailableException.class)
          .hasMessageContaining("did not answer within PT0.05S")
          .hasMessageContaining("prod/db");
      assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(interrupted).isTrue();
      assertThat(g.call(REF, () -> "quick")).isEqualTo("quick");
    }
  }

  @Test
  void theDefaultPolicyRetriesBreaksAndTimesOutWhileNoneDoesNothing() {
    ResiliencePolicy defaults = ResiliencePolicy.defaults();
    assertThat(defaults.retry()).isPresent();
    assertThat(defaults.circuitBreaker()).isPresent();
    assertThat(defaults.timeout()).contains(Duration.ofSeconds(10));
    assertThat(defaults.bulkhead()).isEmpty();
    ResiliencePolicy none = ResiliencePolicy.none();
    assertThat(none.retry()).isEmpty();
    assertThat(none.circuitBreaker()).isEmpty();
    assertThat(none.timeout()).isEmpty();
    try (GuardedCalls g = guard(none)) {
      assertThatThrownBy(() -> g.call(REF, () -> {
        calls.incrementAndGet();
        throw new SecretUnavailableException("backend 'fake' returned 503", REF);
      })).isInstanceOf(SecretUnavailableException.class);
      assertThat(calls).hasValue(1);
    }
  }

  @Test
  void badPolicySettingsAreRefused() {
    assertThatThrownBy(() -> ResiliencePolicy.custom().timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    assertThatThrownBy(() -> ResiliencePolicy.custom().retry(null)).isInstanceOf(NullPointerException.class);
  }
}
