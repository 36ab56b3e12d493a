package io.secretsdk.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.retry.RetryConfig;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.resilience.internal.GuardedCalls;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The call timeout: fails fast, is not retried, bounds its threads, zeroes late answers, stops at close. */
class CallTimeoutTest {
  private static final SecretRef REF = SecretRef.parse("hung://prod/db");
  private final ManualClock clock = new ManualClock();
  private final AtomicInteger calls = new AtomicInteger();

  private static ResiliencePolicy timeoutWithRetries() {
    return ResiliencePolicy.custom()
        .retry(RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(1)).build())
        .timeout(Duration.ofMillis(30))
        .build();
  }

  /** Waits for the latch and ignores interrupts, as a client stuck in a native read would. */
  private Secret hung(CountDownLatch release, List<SecretValue> handedOut) {
    calls.incrementAndGet();
    boolean interrupted = false;
    while (true) {
      try {
        if (release.await(10, TimeUnit.SECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    SecretValue value = SecretValue.copyOf("hunter2-late".toCharArray());
    handedOut.add(value);
    return Secret.builder("prod/db").versionId("v1").value(value).build();
  }

  private static long liveCallThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("secretsdk-call-hung-"))
        .count();
  }

  @Test
  void aTimedOutCallIsNotRetriedAndItsLateAnswerIsZeroed() throws Exception {
    LeakGuard.watch("hunter2-late");
    CountDownLatch release = new CountDownLatch(1);
    List<SecretValue> handedOut = new CopyOnWriteArrayList<>();
    try (GuardedCalls g = GuardedCalls.of(timeoutWithRetries(), "hung", clock)) {
      assertThatThrownBy(() -> g.call(REF, () -> hung(release, handedOut)))
          .isInstanceOf(SecretUnavailableException.class)
          .hasMessageContaining("did not answer within PT0.03S")
          .hasMessageContaining("'hung'");
      assertThat(calls).as("a timed-out call fails fast: no second attempt").hasValue(1);
      release.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (handedOut.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      while (!handedOut.get(0).isDestroyed() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(handedOut).singleElement().satisfies(v -> assertThat(v.isDestroyed()).isTrue());
    }
  }

  @Test
  void aHungBackendHoldsABoundedNumberOfThreadsAndNoneAfterClose() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<SecretValue> handedOut = new CopyOnWriteArrayList<>();
    GuardedCalls g = GuardedCalls.of(timeoutWithRetries(), "hung", clock);
    try {
      int failedFast = 0;
      for (int i = 0; i < 50; i++) {
        try {
          g.call(REF, () -> hung(release, handedOut));
        } catch (SecretUnavailableException e) {
          if (e.getMessage().contains("still waiting")) {
            failedFast++;
          }
        }
      }
      assertThat(calls).as("calls beyond the bound never reach the backend").hasValue(GuardedCalls.MAX_TIMED_CALLS);
      assertThat(failedFast).isEqualTo(50 - GuardedCalls.MAX_TIMED_CALLS);
      assertThat(liveCallThreads()).isLessThanOrEqualTo(GuardedCalls.MAX_TIMED_CALLS);
    } finally {
      release.countDown();
      g.close();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while ((liveCallThreads() > 0 || handedOut.stream().anyMatch(v -> !v.isDestroyed())) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(liveCallThreads()).as("no thread left after close()").isZero();
    assertThat(handedOut).hasSize(GuardedCalls.MAX_TIMED_CALLS).allSatisfy(v -> assertThat(v.isDestroyed()).isTrue());
  }
}
