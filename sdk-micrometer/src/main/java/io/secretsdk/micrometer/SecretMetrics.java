package io.secretsdk.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.secretsdk.cache.CacheStats;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.observe.BackendCall;
import io.secretsdk.observe.Outcome;
import io.secretsdk.observe.SecretEvent;
import io.secretsdk.observe.SecretObserver;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * The meters of secretsdk's caches, for any Micrometer registry, with or without Spring:
 *
 * <ul>
 *   <li>{@code secrets.cache.gets{result=hit|miss}}: function counters over {@link
 *       SecretCache#stats()} of each {@linkplain #track(SecretCache) tracked} cache (summed when
 *       there are several);
 *   <li>{@code secrets.backend.calls{scheme,operation,outcome}}: a timer of every call a cache
 *       made to its source, retries included; {@code operation} is {@link
 *       BackendCall.Operation#tag()} ({@code fetch}, {@code fetch_all}, {@code fetch_previous},
 *       {@code renew}, {@code revoke}, {@code check_version}, {@code check_versions}) and {@code
 *       outcome} is {@link Outcome#tag()} ({@code ok}, {@code not_found}, {@code denied}, {@code
 *       unavailable}, {@code throttled}, {@code format}, {@code expired}, {@code error});
 *   <li>{@code secrets.rotations{scheme}}: rotations the cache announced;
 *   <li>{@code secrets.refresh.failures{scheme}}: failed refreshes and lease renewals of secrets
 *       the cache already held (a failed first load is not one: it fails the reader instead).
 * </ul>
 *
 * <p>Tags are the backend's scheme and the fixed words above: never a secret's name, version or
 * value, so the number of time series is bounded by backends times operations times outcomes.
 * The timer and counters see what happens after {@link #bindTo(MeterRegistry)}; the gets counters
 * read the cache's totals since it was built.
 *
 * <pre>{@code
 * SecretMetrics metrics = SecretMetrics.create();
 * SecretCache cache = SecretCache.builder(source).observer(metrics.observer()).build();
 * metrics.track(cache).bindTo(registry);
 * }</pre>
 *
 * <p>One instance may serve several caches and several registries; it is thread-safe.
 */
public final class SecretMetrics implements MeterBinder {
  /** The timer of backend calls. */
  public static final String BACKEND_CALLS = "secrets.backend.calls";
  /** The function counters of cache reads. */
  public static final String CACHE_GETS = "secrets.cache.gets";
  /** The counter of rotations. */
  public static final String ROTATIONS = "secrets.rotations";
  /** The counter of failed refreshes and renewals. */
  public static final String REFRESH_FAILURES = "secrets.refresh.failures";

  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  private final List<SecretCache> caches = new CopyOnWriteArrayList<>();
  private final SecretObserver observer = new Observer();
  private final AtomicLong retainedHits = new AtomicLong();
  private final AtomicLong retainedMisses = new AtomicLong();

  private SecretMetrics() {}

  /**
   * A binder with no cache tracked and no registry bound yet.
   *
   * @return a new binder
   */
  public static SecretMetrics create() {
    return new SecretMetrics();
  }

  /**
   * The observer to give each cache's builder ({@link SecretCache.Builder#observer}): it records
   * backend calls, rotations and failed refreshes into every registry this binder is bound to.
   * Always the same instance.
   *
   * @return the observer
   */
  public SecretObserver observer() {
    return observer;
  }

  /**
   * Counts the reads of a cache in {@code secrets.cache.gets}; tracking the same cache again does
   * nothing. The binder holds the cache until it is {@linkplain #untrack(SecretCache) untracked}.
   *
   * @param cache the cache
   * @return this binder
   */
  public SecretMetrics track(SecretCache cache) {
    Objects.requireNonNull(cache, "cache");
    synchronized (caches) {
      if (caches.stream().noneMatch(c -> c == cache)) {
        caches.add(cache);
      }
    }
    return this;
  }

  /**
   * Stops counting the reads of a cache (one being closed, for instance): its reads so far stay in
   * the totals, so the counters never go down; later reads are not counted. Untracking a cache not
   * tracked does nothing.
   *
   * @param cache the cache
   */
  public void untrack(SecretCache cache) {
    synchronized (caches) {
      if (caches.removeIf(c -> c == cache)) {
        CacheStats last = cache.stats();
        retainedHits.addAndGet(last.hits());
        retainedMisses.addAndGet(last.misses());
      }
    }
  }

  /**
   * Registers the gets counters now and records backend calls, rotations and failed refreshes
   * into this registry from now on. Binding the same registry again does nothing.
   *
   * @param registry the registry
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    synchronized (registries) {
      if (registries.stream().anyMatch(r -> r == registry)) {
        return;
      }
      registries.add(registry);
    }
    FunctionCounter.builder(CACHE_GETS, this, m -> m.sum(CacheStats::hits, m.retainedHits))
        .tag("result", "hit").description("Reads answered from a held value").register(registry);
    FunctionCounter.builder(CACHE_GETS, this, m -> m.sum(CacheStats::misses, m.retainedMisses))
        .tag("result", "miss").description("Reads that found no usable value").register(registry);
  }

  private double sum(ToLongFunction<CacheStats> counter, AtomicLong retained) {
    synchronized (caches) { // so that a cache being untracked is counted exactly once
      long total = retained.get();
      for (SecretCache cache : caches) {
        total += counter.applyAsLong(cache.stats());
      }
      return total;
    }
  }

  /**
   * A scheme as a tag: it is one already (a lowercase token the reference parser checked); anything
   * else, which no backend names itself, is shown as {@code other} rather than passed on.
   */
  static String schemeTag(String scheme) {
    if (scheme.isEmpty() || scheme.length() > 32) {
      return "other";
    }
    for (int i = 0; i < scheme.length(); i++) {
      char c = scheme.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '+' || c == '_')) {
        return "other";
      }
    }
    return scheme;
  }

  @Override
  public String toString() {
    return "SecretMetrics[caches=" + caches.size() + ", registries=" + registries.size() + "]";
  }

  /** What a cache tells the binder: on the thread that did the work, so it only records. */
  private final class Observer implements SecretObserver {
    @Override
    public void onBackendCall(BackendCall call) {
      String scheme = schemeTag(call.scheme());
      for (MeterRegistry registry : registries) {
        Timer.builder(BACKEND_CALLS).description("Calls from secretsdk's caches to secret backends")
            .tag("scheme", scheme)
            .tag("operation", call.operation().tag())
            .tag("outcome", call.outcome().tag())
            .register(registry)
            .record(call.duration());
      }
    }

    @Override
    public void onEvent(SecretEvent event) {
      boolean failedRefresh = event.outcome() != Outcome.OK
          && (event.kind() == SecretEvent.Kind.REFRESHED || event.kind() == SecretEvent.Kind.RENEWED);
      if (event.kind() != SecretEvent.Kind.ROTATED && !failedRefresh) {
        return;
      }
      String scheme = schemeTag(event.scheme());
      for (MeterRegistry registry : registries) {
        if (failedRefresh) {
          Counter.builder(REFRESH_FAILURES).description("Failed refreshes and renewals of secrets already held")
              .tag("scheme", scheme).register(registry).increment();
        } else {
          Counter.builder(ROTATIONS).description("Secret rotations the cache announced")
              .tag("scheme", scheme).register(registry).increment();
        }
      }
    }

    @Override
    public String toString() {
      return "SecretMetrics.observer";
    }
  }
}
