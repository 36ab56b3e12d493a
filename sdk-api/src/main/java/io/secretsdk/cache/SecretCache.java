package io.secretsdk.cache;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretValue;
import io.secretsdk.resilience.ResiliencePolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * A lease-aware cache over one {@link SecretSource}: readers never wait on the backend once a
 * usable value is held, values are refreshed ahead of their end, leases are renewed, and rotations
 * are announced with the old and the new version readable side by side.
 *
 * <p>What it returns is borrowed: callers never destroy it; the cache zeroes a version when it is
 * evicted, when its overlap ends, or at {@link #close()}.
 */
public interface SecretCache extends AutoCloseable {

  /**
   * Starts a cache over a source.
   *
   * @param source the backend
   * @return a builder with the defaults
   */
  static Builder builder(SecretSource source) {
    return new Builder(source);
  }

  /**
   * The secret, from the cache when a usable value is held, else fetched (concurrent misses share
   * one fetch).
   *
   * @param ref which secret (its field is ignored)
   * @return the secret, borrowed
   */
  Secret get(SecretRef ref);

  /**
   * {@link #get(SecretRef)} of a parsed reference.
   *
   * @param uri the reference, see {@link SecretRef#parse}
   * @return the secret, borrowed
   */
  Secret get(String uri);

  /**
   * The value a reference names: its {@code #field}, or the whole value.
   *
   * @param uri the reference
   * @return the value, borrowed
   */
  SecretValue value(String uri);

  /**
   * {@link #get(SecretRef)} without blocking the caller.
   *
   * @param ref which secret
   * @return the secret, borrowed, when available
   */
  CompletableFuture<Secret> getAsync(SecretRef ref);

  /**
   * The version replaced by the last rotation, while its overlap lasts.
   *
   * @param ref which secret
   * @return the previous version, borrowed, or empty
   */
  Optional<Secret> previous(SecretRef ref);

  /**
   * The values to accept now: current first, then previous while its overlap lasts.
   *
   * @param ref which secret (its field, if any, is applied to both)
   * @return one or two values, borrowed
   */
  List<SecretValue> accepted(SecretRef ref);

  /**
   * Warms many secrets through {@link SecretSource#fetchAll}.
   *
   * @param refs which secrets
   */
  void prefetch(Collection<SecretRef> refs);

  /**
   * Listens to rotations of one secret.
   *
   * @param ref which secret
   * @param listener the listener
   * @return a subscription that unregisters it
   */
  Subscription onRotation(SecretRef ref, RotationListener listener);

  /**
   * Listens to rotations of every secret.
   *
   * @param listener the listener
   * @return a subscription that unregisters it
   */
  Subscription onRotation(RotationListener listener);

  /**
   * Fetches now, whatever is held.
   *
   * @param ref which secret
   * @return the fetched secret, borrowed
   */
  CompletableFuture<Secret> refresh(SecretRef ref);

  /**
   * Drops what is held for a reference.
   *
   * @param ref which secret
   */
  void invalidate(SecretRef ref);

  /**
   * Counters since the cache was built.
   *
   * @return a snapshot of the counters
   */
  CacheStats stats();

  /** Cancels every schedule and destroys every value held, previous versions included. */
  @Override
  void close();

  /** Configures a {@link SecretCache}. */
  final class Builder {
    final SecretSource source;
    Duration defaultTtl = Duration.ofMinutes(5);
    double refreshAhead = 0.75;
    double refreshJitter = 0.1;
    Duration maxStale = Duration.ofHours(1);
    Duration overlap = Duration.ofMinutes(5);
    Duration negativeTtl = Duration.ofSeconds(30);
    long maximumSize = 10_000;
    ResiliencePolicy resilience = ResiliencePolicy.defaults();
    Clock clock = Clock.systemUTC();
    @Nullable ScheduledExecutorService scheduler;
    @Nullable Executor listenerExecutor;

    Builder(SecretSource source) {
      this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * How long a value without a lease, expiry or rotation schedule is good for. Default 5 minutes.
     *
     * @param ttl a positive duration
     * @return this builder
     */
    public Builder defaultTtl(Duration ttl) {
      this.defaultTtl = positive(ttl, "defaultTtl");
      return this;
    }

    /**
     * At which fraction of a value's lifetime it is refreshed. Default 0.75.
     *
     * @param fraction strictly between 0 and 1
     * @return this builder
     */
    public Builder refreshAhead(double fraction) {
      if (!(fraction > 0 && fraction < 1)) {
        throw new IllegalArgumentException("refreshAhead must be strictly between 0 and 1, was " + fraction);
      }
      this.refreshAhead = fraction;
      return this;
    }

    /**
     * How much refresh times are spread, as a fraction of the lifetime. Default 0.1.
     *
     * @param fraction from 0 (none) to 1
     * @return this builder
     */
    public Builder refreshJitter(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException("refreshJitter must be between 0 and 1, was " + fraction);
      }
      this.refreshJitter = fraction;
      return this;
    }

    /**
     * How long past its lifetime a value without a lease is served while the backend fails.
     * Default 1 hour.
     *
     * @param maxStale zero or more
     * @return this builder
     */
    public Builder maxStale(Duration maxStale) {
      this.maxStale = notNegative(maxStale, "maxStale");
      return this;
    }

    /**
     * How long the previous version stays readable after a rotation. Default 5 minutes.
     *
     * @param overlap zero or more
     * @return this builder
     */
    public Builder overlap(Duration overlap) {
      this.overlap = notNegative(overlap, "overlap");
      return this;
    }

    /**
     * How long a not-found answer is remembered. Default 30 seconds.
     *
     * @param negativeTtl zero or more
     * @return this builder
     */
    public Builder negativeTtl(Duration negativeTtl) {
      this.negativeTtl = notNegative(negativeTtl, "negativeTtl");
      return this;
    }

    /**
     * How many secrets are held at most. Default 10,000.
     *
     * @param maximumSize at least 1
     * @return this builder
     */
    public Builder maximumSize(long maximumSize) {
      if (maximumSize < 1) {
        throw new IllegalArgumentException("maximumSize must be at least 1, was " + maximumSize);
      }
      this.maximumSize = maximumSize;
      return this;
    }

    /**
     * The policy every backend call goes through. Default {@link ResiliencePolicy#defaults()}.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder resilience(ResiliencePolicy policy) {
      this.resilience = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * The clock all times are read from. Default the UTC system clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The scheduler refreshes, renewals and retries run on. Default a daemon thread owned by the
     * cache; a scheduler given here is not shut down by the cache.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Where rotation listeners run. Default a daemon thread owned by the cache.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder listenerExecutor(Executor executor) {
      this.listenerExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Builds the cache.
     *
     * @return the cache
     */
    public SecretCache build() {
      return new DefaultSecretCache(this);
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, was " + d);
      }
      return d;
    }

    private static Duration notNegative(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + " must not be negative, was " + d);
      }
      return d;
    }
  }
}
