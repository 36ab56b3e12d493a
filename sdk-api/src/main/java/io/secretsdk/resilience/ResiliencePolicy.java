package io.secretsdk.resilience;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How calls to one backend are protected: retry of transient errors with jittered backoff, a
 * circuit breaker, a bulkhead and a call timeout. Resilience4j underneath; its config types are
 * used as they are. Immutable.
 */
public final class ResiliencePolicy {
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
   * Retry of transient errors with jittered backoff, a circuit breaker and a call timeout.
   *
   * @return the default policy
   */
  public static ResiliencePolicy defaults() {
    return custom()
        .retry(RetryConfig.ofDefaults())
        .circuitBreaker(CircuitBreakerConfig.ofDefaults())
        .timeout(Duration.ofSeconds(10))
        .build();
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
