package io.secretsdk.cache;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretValue;
import io.secretsdk.observe.SecretObserver;
import io.secretsdk.resilience.ResiliencePolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
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
 *
 * <p>In short, for each secret: a value is good for its lifetime (the lease's end, the backend's
 * stated expiry, otherwise {@code defaultTtl}); a background refresh runs at {@code refreshAhead} of
 * that lifetime, spread by {@code refreshJitter}, and just after a published rotation time. A
 * renewable lease is renewed until renewal stops extending it; then new credentials are fetched at
 * two thirds of the lease's remaining time, so that old and new overlap. A refresh that finds
 * another version is announced to the rotation listeners, and the replaced version stays readable
 * ({@link #previous}, {@link #accepted}) for {@code overlap}, never past its own lease. When the
 * backend fails, the value held keeps being served and the refresh is retried with jittered
 * exponential backoff (at least the backend's retry-after): a value without a lease for up to
 * {@code maxStale} past its lifetime, after which reads throw the last error; a leased value until
 * its lease ends, after which reads throw {@link io.secretsdk.SecretExpiredException}. Not-found
 * answers are remembered for {@code negativeTtl}. Every call to the backend goes through the
 * {@link ResiliencePolicy}.
 *
 * <p><b>Keys.</b> Entries are keyed by the source's {@link SecretSource#canonical canonical} form of
 * a reference, without its field: {@code db} (served by the default scheme) and {@code file://db}
 * are one entry, one load and one {@link RotationEvent}, whose {@link RotationEvent#ref()} is the
 * canonical form; a listener registered under either spelling hears it. The {@code #field} of a
 * reference is applied to what {@link #value} and {@link #accepted} return.
 *
 * <p><b>What a refresh costs.</b> A scheduled refresh of a value without a lease is a version
 * check, batched: when one secret's refresh comes due, every secret of the same backend whose
 * refresh is due within {@code 0.1 + refreshJitter} of its lifetime joins it (up to 100), and one
 * {@link SecretSource#checkVersions} call (a metadata call where the backend has one: AWS
 * ListSecrets) asks for all of them; a lone secret asks {@link SecretSource#checkVersion}. A secret
 * whose version is unchanged keeps the held value, its borrowed {@link Secret} and its parsed
 * fields; only the plan moves (to a new expiry or rotation time if the check reports one): no
 * fetch, no copy. The secrets that changed, or that the source could not check, are fetched with
 * one {@link SecretSource#fetchAll}. Secrets checked, fetched or {@link #prefetch prefetched}
 * together share one point of the refresh window, so their next refreshes are batched again: 100
 * secrets cost one check call per lifetime. A failed check or fetch of one secret is a failed
 * refresh of that secret alone, retried with backoff. A renewable lease costs one {@link
 * SecretSource#renew}. A same-version fetch keeps the held value and zeroes the copy. When the
 * source can {@link SecretSource#watch watch}, a hint that some references may have changed
 * refreshes the held entries it names about {@code 100 ms} later (hints in that window are
 * gathered into one refresh per entry), on the cache's threads, never on the watch's.
 *
 * <p><b>Lifetime per backend.</b> A value without a lease or a stated expiry lives {@code
 * defaultTtl} when the user set it on the builder; otherwise its backend's {@link
 * SecretSource#suggestedTtl suggestion} (asked once per secret), otherwise 5 minutes. An explicit
 * {@link Builder#defaultTtl} always wins.
 *
 * <p><b>Fleets.</b> Every instance of a fleet learns the same published rotation time. Each cache
 * draws, once, its own random share of {@link Builder#rotationSpread rotationSpread} (default 10
 * s) and refreshes that long plus 1 s after a rotation time, so a fleet of N instances makes about
 * N / spread calls a second instead of N in one second; an instance sees a scheduled rotation at
 * most {@code 1 s + rotationSpread} after the rotation time (plus the backend call, plus backoff if
 * the backend throttles). Likewise the fetch of new credentials near a lease's end is at 57% to
 * 67% of the lease's remaining time, per instance. Neither is ever later than a hard end: a
 * lease's end or a stated expiry has its own refresh, at {@code refreshAhead} of the lifetime,
 * well before it. {@code refreshJitter(0)} turns both spreads off unless a rotation spread is set.
 *
 * <p><b>Time.</b> All instants come from the {@link Builder#clock clock} (a wall clock: leases and
 * expiries are wall-clock instants), and the tasks that act on them run on the {@link
 * Builder#scheduler scheduler}, whose delays are monotonic. A warm read reads no clock: it looks at
 * a phase (fresh, stale, over) that those tasks move. So that a step of the wall clock (NTP, a
 * resumed VM) cannot keep a value served past its end by the cache's own clock, the cache compares
 * the clock with the scheduler's time every second; on a step of more than a second it re-plans
 * every entry from the clock's new reading: phases the clock says are over move at once, refreshes
 * due by the clock start. Nothing is postponed by a step, so a step backwards never makes a value
 * live longer, in real time, than it was planned to. An entry's expiry task that finds the clock
 * reading early plans itself again.
 *
 * <p><b>Threads.</b> By default the cache owns one timing thread and a small pool (4 threads) for
 * backend calls: scheduled refreshes, renewals, {@link #getAsync} and watch hints. Timing never
 * waits on a backend call. A cold {@link #get} and {@link #refresh} call the backend on the
 * caller's thread. With a {@link Builder#scheduler scheduler} of your own, backend calls run on it
 * too. Every backend call goes through the {@link ResiliencePolicy}, applied per backend scheme: a
 * cache over {@link io.secretsdk.SecretSources#fromProperties} gives each backend its own circuit
 * breaker, bulkhead and call-timeout threads, so one failing backend never blocks the others.
 *
 * <p><b>Races, decided.</b>
 *
 * <ul>
 *   <li>A value evicted for {@code maximumSize} stays readable for about a second and is zeroed
 *       then, so a reader who got it just before finishes its read; {@link #invalidate} and {@link
 *       #close} zero at once, and an entry whose life is over (its stale limit or lease end, plus a
 *       grace minute) is dropped and zeroed then.
 *   <li>{@link #invalidate} during a load wins: the readers who waited for that load get its
 *       answer, but it is not kept (it is zeroed after the same short grace), and the next read
 *       fetches again.
 *   <li>A source that returns the same {@link SecretValue} object twice breaks the SPI's ownership
 *       rule; the cache still never zeroes a value it serves: the same version keeps the object as
 *       it is, another version gets a copy of its own.
 *   <li>A listener may call back into the cache, {@link #refresh} of the same secret included:
 *       events are announced after the load that made them has finished.
 *   <li>An answer the cache cannot serve (null, a lease already over when it arrives) is a failed
 *       load or refresh: counted, logged, retried with backoff, its value zeroed; readers of an
 *       entry holding nothing get {@link io.secretsdk.SecretExpiredException} without a backend
 *       call until the backoff ends. A non-SDK exception from the source reaches readers as {@link
 *       io.secretsdk.SecretUnavailableException} (or {@link io.secretsdk.SecretExpiredException} at
 *       a lease's end), its cause kept.
 * </ul>
 *
 * <p>Thread-safe. A warm read takes no lock, reads no clock and allocates nothing.
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
   * one fetch). The whole version is returned whatever the reference's {@code #field}: see
   * {@link #value(String)} and {@link SecretRef}'s rule on fields.
   *
   * <p><b>Borrowed:</b> never close what this returns (that throws {@link
   * UnsupportedOperationException}), and do not keep it: the cache zeroes a version at eviction,
   * at close, and once a rotation's overlap ends, after which reading a kept value throws {@link
   * IllegalStateException}. Call this again each time the value is needed (a warm read is cheap).
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
   * <p><b>Borrowed:</b> never close what this returns (that throws {@link
   * UnsupportedOperationException}), and do not keep it: the cache zeroes a version at eviction,
   * at close, and once a rotation's overlap ends, after which reading a kept value throws {@link
   * IllegalStateException}. Call this again each time the value is needed (a warm read is cheap).
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
   * <p><b>Borrowed:</b> never close what this returns (that throws {@link
   * UnsupportedOperationException}), and do not keep it: the cache zeroes a version at eviction,
   * at close, and once a rotation's overlap ends, after which reading a kept value throws {@link
   * IllegalStateException}. Call this again each time the value is needed (a warm read is cheap).
   *
   * @param ref which secret
   * @return the previous version, borrowed, or empty
   */
  Optional<Secret> previous(SecretRef ref);

  /**
   * The values to accept now: current first, then previous while its overlap lasts.
   *
   * <p><b>Borrowed:</b> never close what this returns (that throws {@link
   * UnsupportedOperationException}), and do not keep it: the cache zeroes a version at eviction,
   * at close, and once a rotation's overlap ends, after which reading a kept value throws {@link
   * IllegalStateException}. Call this again each time the value is needed (a warm read is cheap).
   *
   * @param ref which secret (its field, if any, is applied to both)
   * @return one or two values, borrowed
   */
  List<SecretValue> accepted(SecretRef ref);

  /**
   * Warms many secrets through one {@link SecretSource#fetchAll} call (backends with a batch call
   * answer it at once). Secrets already held and within their lifetime are not fetched again.
   *
   * @param refs which secrets (fields are ignored)
   * @throws PrefetchException if some could not be fetched; the others are held
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
   * Fetches now, whatever is held. The fetch runs on the calling thread, unless a fetch of this
   * secret is already in flight, whose result is then shared. A new version is announced with
   * reason {@link RotationEvent.Reason#FORCED}. Use it, for example, when the backend rejected
   * credentials the cache still holds.
   *
   * @param ref which secret
   * @return the fetched secret, borrowed; completed exceptionally if the fetch failed (the value
   *     held, if any, is kept)
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

  /**
   * What the cache holds now, as it sees it: per entry its version, stages, times (fetched, end of
   * lifetime, serving limit), next planned step and why, phase, failures, lease (never its id) and
   * overlapping versions; per backend its circuit breaker. Never a value. Taking it walks the
   * entries (briefly taking each one's lock) and leaves reads alone; meant for health checks and
   * diagnostics, not for every request.
   *
   * @return an immutable snapshot
   * @throws IllegalStateException if the cache is closed
   */
  CacheSnapshot snapshot();

  /**
   * Cancels every schedule and destroys every value held, previous versions included. Later calls
   * throw {@link IllegalStateException}. Idempotent. The source is not closed: whoever built it
   * closes it.
   */
  @Override
  void close();

  /** Configures a {@link SecretCache}. */
  final class Builder {
    final SecretSource source;
    Duration defaultTtl = Duration.ofMinutes(5);
    /** Whether the user set {@link #defaultTtl}: then it wins over the source's suggestion. */
    boolean defaultTtlSet;
    Duration rotationSpread = Duration.ofSeconds(10);
    boolean rotationSpreadSet;
    /** For tests: the seed of this instance's spread (rotation step, lease-end fetch); null for random. */
    @Nullable Long seed;
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
    /** How often the wall clock is checked for steps; 0 turns the check off (tests that count tasks). */
    long clockCheckMillis = DefaultSecretCache.CLOCK_CHECK_MILLIS;
    // observer hook: observers
    final List<SecretObserver> observers = new ArrayList<>();

    Builder(SecretSource source) {
      this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * How long a value without a lease, expiry or rotation schedule is good for. When not set, each
     * secret gets its backend's {@link SecretSource#suggestedTtl suggested lifetime} (a backend
     * whose change checks are cheap or batched suggests its own), and 5 minutes where the backend
     * suggests none. A value set here wins over every suggestion.
     *
     * @param ttl a positive duration
     * @return this builder
     */
    public Builder defaultTtl(Duration ttl) {
      this.defaultTtl = positive(ttl, "defaultTtl");
      this.defaultTtlSet = true;
      return this;
    }

    /**
     * How widely the instances of a fleet spread their refresh after a published rotation time
     * (AWS {@code NextRotationDate}, GCP {@code next_rotation_time}). Every instance learns the
     * same rotation time; each cache waits {@code 1 s} plus its own random share of this spread,
     * drawn once per cache, so that N instances make about N / spread refreshes per second
     * instead of N in one second. The bound: an instance refreshes at most {@code 1 s + spread}
     * after the rotation time (plus the backend call, plus retries if the backend throttles). A
     * hard end (a lease's end, a stated expiry) is never waited past: its own refresh, planned at
     * {@code refreshAhead} of the lifetime, comes first. Default 10 seconds; with {@code
     * refreshJitter(0)} and no spread set here, there is none.
     *
     * @param spread zero or more; zero refreshes every instance exactly 1 s after the rotation time
     * @return this builder
     */
    public Builder rotationSpread(Duration spread) {
      this.rotationSpread = notNegative(spread, "rotationSpread");
      this.rotationSpreadSet = true;
      return this;
    }

    /** For tests: a seed for this instance's random spread, so that a fleet simulation repeats. */
    Builder seed(long seed) {
      this.seed = seed;
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
     * The scheduler of the timing that ends each value's life on time (a warm read reads no clock:
     * tasks on this scheduler move each value from fresh to stale to over at the right instants),
     * and of refreshes, renewals and retries. Default: one daemon timing thread owned by the cache,
     * with backend calls on a pool of 4 daemon threads of its own, so that timing goes on whatever
     * a backend does. A scheduler given here runs the backend calls too: give it a thread to spare
     * for the timing. It is not shut down by the cache.
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

    /** For tests: how often the wall clock is checked for steps, zero for never. */
    Builder clockCheck(Duration period) {
      this.clockCheckMillis = notNegative(period, "clockCheck").toMillis();
      return this;
    }

    // observer hook: observer option
    /**
     * Adds an observer: told of every backend call, load, refresh, renewal, rotation, overlap end,
     * expiry, eviction and first read of a version, with names, version ids, durations and outcomes,
     * never a value (see {@link SecretObserver}). May be called several times; each observer is
     * called in the order added, and one that throws is logged and skipped. Flight Recorder events
     * are recorded with or without observers.
     *
     * @param observer the observer, for example {@link io.secretsdk.observe.AuditTrail#toSlf4j()}
     * @return this builder
     */
    public Builder observer(SecretObserver observer) {
      observers.add(Objects.requireNonNull(observer, "observer"));
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
