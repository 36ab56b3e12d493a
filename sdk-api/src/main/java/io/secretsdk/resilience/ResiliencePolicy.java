package io.secretsdk.resilience;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How calls to one backend are protected: retry of transient errors with jittered backoff, a
 * circuit breaker, a bulkhead and a call timeout. Resilience4j underneath; its config types are
 * used as they are. Immutable.
 *
 * <p>A {@code SecretCache} puts every call it makes to its source (fetch, fetchAll, renew) through
 * its policy, with these rules whatever the configs say:
 *
 * <ul>
 *   <li>only transient errors, {@link io.secretsdk.SecretUnavailableException} and its subclasses,
 *       are retried and count as failures for the circuit breaker; a not-found or access-denied
 *       answer is a healthy backend saying no;
 *   <li>a {@link io.secretsdk.SecretThrottledException} with a {@code retryAfter} hint is retried no
 *       sooner than the hint; a hint longer than {@value #MAX_IN_CALL_WAIT_SECONDS} seconds ends the
 *       call at once (the cache then schedules its own retry after the hint);
 *   <li>an open circuit, a full bulkhead and a timed-out call fail with {@link
 *       io.secretsdk.SecretUnavailableException}, fast, and are not retried;
 *   <li>a timed-out call's thread is interrupted, and whatever it answers late is zeroed, never
 *       used; at most 16 calls per backend wait for answers at once (a hung client that ignores
 *       interrupts cannot take more threads than that; further calls fail fast), and closing the
 *       cache stops those threads;
 *   <li>a cache applies the policy per backend scheme: each backend gets its own circuit breaker,
 *       bulkhead and timeout threads, named after it;
 *   <li>the circuit breaker reads the cache's clock, so tests that move the clock move it too.
 * </ul>
 *
 * <p>Retry waits and the call timeout are real time (a backend call blocks a thread), so tests
 * configure them in milliseconds.
 */
public final class ResiliencePolicy {
  /** The longest {@code retryAfter} hint waited for inside one call, in seconds. */
  public static final int MAX_IN_CALL_WAIT_SECONDS = 10;

  final @Nullable RetryConfig retry;
  final @Nullable CircuitBreakerConfig circuitBreaker;
  final @Nullable BulkheadConfig bulkhead;
  final @Nullable Duration timeout;

  private ResiliencePolicy(Builder b) {
    this.retry = b.retry;
    this.circuitBreaker = b.circuitBreaker;
    this.bulkhead = b.bulkhead;
    this.timeout = b.timeout;
  }

  /**
   * Retry of transient errors with jittered backoff (3 attempts, 200 ms doubling, 50% jitter), a
   * circuit breaker (opens when half of the last 20 calls, at least 10, failed; half-opens after
   * 30 seconds) and a 10 second call timeout.
   *
   * @return the default policy
   */
  public static ResiliencePolicy defaults() {
    return custom()
        .retry(
            RetryConfig.custom()
                .maxAttempts(3)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(200), 2.0, 0.5))
                .build())
        .circuitBreaker(
            CircuitBreakerConfig.custom()
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .build())
        .timeout(Duration.ofSeconds(10))
        .build();
  }

  /**
   * The retry configuration.
   *
   * @return the configuration, or empty when calls are not retried
   */
  public Optional<RetryConfig> retry() {
    return Optional.ofNullable(retry);
  }

  /**
   * The circuit breaker configuration.
   *
   * @return the configuration, or empty when there is no circuit breaker
   */
  public Optional<CircuitBreakerConfig> circuitBreaker() {
    return Optional.ofNullable(circuitBreaker);
  }

  /**
   * The bulkhead configuration.
   *
   * @return the configuration, or empty when concurrent calls are not limited
   */
  public Optional<BulkheadConfig> bulkhead() {
    return Optional.ofNullable(bulkhead);
  }

  /**
   * The call timeout.
   *
   * @return the timeout, or empty when calls may take as long as they take
   */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  @Override
  public String toString() {
    return "ResiliencePolicy[retry=" + (retry != null ? retry.getMaxAttempts() + " attempts" : "none")
        + ", circuitBreaker=" + (circuitBreaker != null ? "on" : "none")
        + ", bulkhead=" + (bulkhead != null ? bulkhead.getMaxConcurrentCalls() + " calls" : "none")
        + ", timeout=" + (timeout != null ? timeout : "none") + "]";
  }

  /**
   * No protection: each call is made once, as it is.
   *
   * @return the empty policy
   */
  public static ResiliencePolicy none() {
    return custom().build();
  }

  /**
   * Starts a policy with nothing in it.
   *
   * @return a builder
   */
  public static Builder custom() {
    return new Builder();
  }

  /** Builds a {@link ResiliencePolicy}. */
  public static final class Builder {
    @Nullable RetryConfig retry;
    @Nullable CircuitBreakerConfig circuitBreaker;
    @Nullable BulkheadConfig bulkhead;
    @Nullable Duration timeout;

    private Builder() {}

    /**
     * Retries transient errors as configured.
     *
     * @param config the retry configuration
     * @return this builder
     */
    public Builder retry(RetryConfig config) {
      this.retry = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Opens a circuit as configured.
     *
     * @param config the circuit breaker configuration
     * @return this builder
     */
    public Builder circuitBreaker(CircuitBreakerConfig config) {
      this.circuitBreaker = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Limits concurrent calls as configured.
     *
     * @param config the bulkhead configuration
     * @return this builder
     */
    public Builder bulkhead(BulkheadConfig config) {
      this.bulkhead = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Fails a call that takes longer than this.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     */
    public ResiliencePolicy build() {
      return new ResiliencePolicy(this);
    }
  }
}
