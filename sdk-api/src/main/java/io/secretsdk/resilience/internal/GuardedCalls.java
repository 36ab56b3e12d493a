package io.secretsdk.resilience.internal;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.secretsdk.BatchResult;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.resilience.ResiliencePolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ResiliencePolicy} bound to one backend: the Resilience4j retry, circuit breaker and
 * bulkhead instances its configs describe, and the threads its timeout needs. Calls go through
 * {@link #call}, which applies the rules documented on {@link ResiliencePolicy}.
 *
 * <p>Thread-safe. {@link #close()} stops the timeout threads.
 */
public final class GuardedCalls implements AutoCloseable {
  /**
   * The most calls to one backend that may wait for an answer at once; beyond it calls fail fast.
   * Bounds the threads a hung backend can hold: a timed-out call's thread is interrupted, but a
   * client that ignores interrupts keeps it until it returns.
   */
  public static final int MAX_TIMED_CALLS = 16;

  private static final Duration MAX_IN_CALL_WAIT = Duration.ofSeconds(ResiliencePolicy.MAX_IN_CALL_WAIT_SECONDS);

  private final String backend;
  private final @Nullable Retry retry;
  private final @Nullable CircuitBreaker circuitBreaker;
  private final @Nullable Bulkhead bulkhead;
  private final @Nullable Duration timeout;
  private final @Nullable ExecutorService timeoutThreads;

  private GuardedCalls(ResiliencePolicy policy, String backend, Clock clock) {
    this.backend = backend;
    this.retry = policy.retry().map(c -> Retry.of("secretsdk-" + backend, c)).orElse(null);
    this.circuitBreaker =
        policy.circuitBreaker()
            .map(c -> CircuitBreaker.of("secretsdk-" + backend, CircuitBreakerConfig.from(c).clock(clock).build()))
            .orElse(null);
    this.bulkhead = policy.bulkhead().map(c -> Bulkhead.of("secretsdk-" + backend, c)).orElse(null);
    this.timeout = policy.timeout().orElse(null);
    this.timeoutThreads = timeout == null ? null : newTimeoutThreads(backend);
  }

  /**
   * Binds a policy to a backend.
   *
   * @param policy the policy
   * @param backend the backend's scheme, used in names and messages
   * @param clock the clock the circuit breaker reads
   * @return the bound policy
   */
  public static GuardedCalls of(ResiliencePolicy policy, String backend, Clock clock) {
    return new GuardedCalls(
        Objects.requireNonNull(policy, "policy"), Objects.requireNonNull(backend, "backend"), Objects.requireNonNull(clock, "clock"));
  }

  /**
   * The circuit breaker, for inspection.
   *
   * @return the circuit breaker, or {@code null} if the policy has none
   */
  public @Nullable CircuitBreaker circuitBreaker() {
    return circuitBreaker;
  }

  /**
   * Makes one protected call.
   *
   * @param ref the secret concerned, named in errors, or {@code null} for a call about many
   * @param call the backend call
   * @param <T> its result
   * @return the call's result
   * @throws SecretException what the call threw once retries are exhausted, or a {@link
   *     SecretUnavailableException} for an open circuit, a full bulkhead or a timeout
   */
  public <T> T call(@Nullable SecretRef ref, Supplier<T> call) {
    Retry.AsyncContext<Object> attempts = retry == null ? null : retry.asyncContext();
    while (true) {
      try {
        T result = once(ref, call);
        if (attempts != null) {
          attempts.onComplete();
        }
        return result;
      } catch (SecretUnavailableException e) {
        if (attempts == null || e instanceof FastFailure) {
          throw e;
        }
        long wait = attempts.onError(e);
        if (wait < 0) {
          throw e;
        }
        if (e instanceof SecretThrottledException) {
          Duration hint = ((SecretThrottledException) e).retryAfter().orElse(Duration.ZERO);
          // Compared as a Duration first: a hostile hint too long for milliseconds ends the call, never overflows.
          if (hint.compareTo(MAX_IN_CALL_WAIT) > 0) {
            throw e;
          }
          wait = Math.max(wait, hint.isNegative() ? 0 : hint.toMillis());
        }
        try {
          Thread.sleep(wait);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private <T> T once(@Nullable SecretRef ref, Supplier<T> call) {
    if (bulkhead != null && !bulkhead.tryAcquirePermission()) {
      throw new FastFailure(
          "too many concurrent calls to backend '" + backend + "' (bulkhead full)"
              + about(ref) + "; retry later or raise the bulkhead's maxConcurrentCalls",
          ref);
    }
    try {
      if (circuitBreaker != null && !circuitBreaker.tryAcquirePermission()) {
        throw new FastFailure(
            "the circuit breaker for backend '" + backend + "' is open after repeated failures"
                + about(ref) + "; calls fail fast until it half-opens",
            ref);
      }
      long start = System.nanoTime();
      try {
        T result = timed(ref, call);
        if (circuitBreaker != null) {
          circuitBreaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
        return result;
      } catch (SecretUnavailableException e) {
        if (circuitBreaker != null) {
          circuitBreaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
        }
        throw e;
      } catch (SecretException e) {
        // The backend answered (not found, denied, malformed): healthy as far as the circuit goes.
        if (circuitBreaker != null) {
          circuitBreaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
        throw e;
      } catch (RuntimeException | Error e) {
        if (circuitBreaker != null) {
          circuitBreaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
        }
        throw e;
      }
    } finally {
      if (bulkhead != null) {
        bulkhead.onComplete();
      }
    }
  }

  private <T> T timed(@Nullable SecretRef ref, Supplier<T> call) {
    if (timeout == null || timeoutThreads == null) {
      return call.get();
    }
    // 0: waited for; 1: answered in time; 2: given up on (a late answer is zeroed, never used).
    AtomicInteger state = new AtomicInteger();
    Future<T> future;
    try {
      future = timeoutThreads.submit(() -> {
        T result = call.get();
        if (!state.compareAndSet(0, 1)) {
          discard(result);
        }
        return result;
      });
    } catch (RejectedExecutionException e) {
      if (timeoutThreads.isShutdown()) {
        throw new FastFailure("calls to backend '" + backend + "' are closed" + about(ref), ref);
      }
      throw new FastFailure(
          MAX_TIMED_CALLS + " calls to backend '" + backend + "' are still waiting for answers past the timeout of "
              + timeout + about(ref) + "; calls fail fast until some return: check the backend's health",
          ref);
    }
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      if (!state.compareAndSet(0, 2)) {
        return answeredJustInTime(future, ref);
      }
      future.cancel(true);
      throw new FastFailure(
          "backend '" + backend + "' did not answer within " + timeout + about(ref)
              + "; check the backend's health and the network, or raise the policy's timeout",
          ref);
    } catch (InterruptedException e) {
      state.compareAndSet(0, 2);
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new FastFailure(
          "interrupted while waiting for backend '" + backend + "'" + about(ref), ref);
    } catch (ExecutionException e) {
      throw rethrow(e, ref);
    }
  }

  private <T> T answeredJustInTime(Future<T> future, @Nullable SecretRef ref) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      try {
        discard(future.get(0, TimeUnit.NANOSECONDS));
      } catch (Exception ignored) {
        // nothing was answered
      }
      throw new FastFailure("interrupted while waiting for backend '" + backend + "'" + about(ref), ref);
    } catch (ExecutionException e) {
      throw rethrow(e, ref);
    }
  }

  private RuntimeException rethrow(ExecutionException e, @Nullable SecretRef ref) {
    Throwable cause = e.getCause();
    if (cause instanceof RuntimeException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return new SecretUnavailableException("backend '" + backend + "' failed" + about(ref), ref, cause);
  }

  /** Zeroes what a call answered after it was given up on: secret values are owned by whoever receives them, here nobody. */
  static void discard(@Nullable Object late) {
    if (late instanceof Secret) {
      destroyQuietly(((Secret) late).value());
    } else if (late instanceof BatchResult) {
      for (Secret s : ((BatchResult) late).found().values()) {
        destroyQuietly(s.value());
      }
    } else if (late instanceof Optional) {
      ((Optional<?>) late).ifPresent(GuardedCalls::discard);
    }
  }

  private static void destroyQuietly(SecretValue value) {
    try {
      value.destroy();
    } catch (UnsupportedOperationException borrowed) {
      // not ours to zero
    }
  }

  private static String about(@Nullable SecretRef ref) {
    return ref == null ? "" : " (secret '" + ref + "')";
  }

  private static ExecutorService newTimeoutThreads(String backend) {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            0,
            MAX_TIMED_CALLS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "secretsdk-call-" + backend + "-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    return pool;
  }

  /** Stops the threads that time calls (interrupting calls still waiting); calls made later fail. */
  @Override
  public void close() {
    if (timeoutThreads != null) {
      timeoutThreads.shutdownNow();
    }
  }

  /**
   * The backend's scheme, as named in messages and thread names.
   *
   * @return the scheme
   */
  public String backend() {
    return backend;
  }

  @Override
  public String toString() {
    return "GuardedCalls[" + backend + "]";
  }

  /** An unavailable backend that the policy itself decided on: never retried. */
  static final class FastFailure extends SecretUnavailableException {
    private static final long serialVersionUID = 1L;

    FastFailure(String message, @Nullable SecretRef ref) {
      super(message, ref);
    }
  }
}
