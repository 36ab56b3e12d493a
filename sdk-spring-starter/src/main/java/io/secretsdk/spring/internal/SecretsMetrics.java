package io.secretsdk.spring.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.cache.Subscription;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The meters of a cache: {@code secrets.cache.gets{result=hit|miss}} (function counters over
 * {@link SecretCache#stats()}), {@code secrets.backend.calls{scheme,operation,outcome}} (a timer of
 * every call the cache made to its source), {@code secrets.rotations{scheme}} and {@code
 * secrets.refresh.failures{scheme}}. Tags are schemes and fixed words only, never a name or value.
 */
public final class SecretsMetrics implements MeterBinder, AutoCloseable {
  private final SecretCache cache;
  private final SecretsActivity activity;
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

  /**
   * A binder.
   *
   * @param cache the cache
   * @param activity the recorder of the cache's backend calls
   */
  public SecretsMetrics(SecretCache cache, SecretsActivity activity) {
    this.cache = cache;
    this.activity = activity;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("secrets.cache.gets", cache, c -> c.stats().hits())
        .tag("result", "hit").description("Reads answered from the cache").register(registry);
    FunctionCounter.builder("secrets.cache.gets", cache, c -> c.stats().misses())
        .tag("result", "miss").description("Reads that had to load").register(registry);
    activity.addListener((scheme, operation, outcome, nanos, refresh) -> {
      Timer.builder("secrets.backend.calls").description("Calls to secret backends")
          .tag("scheme", scheme).tag("operation", operation).tag("outcome", outcome)
          .register(registry).record(nanos, TimeUnit.NANOSECONDS);
      if (refresh) {
        refreshFailures(registry, scheme).increment();
      }
    });
    subscriptions.add(cache.onRotation((RotationEvent e) -> Counter.builder("secrets.rotations")
        .description("Secret rotations seen").tag("scheme", e.ref().scheme().orElse("unknown"))
        .register(registry).increment()));
  }

  private static Counter refreshFailures(MeterRegistry registry, String scheme) {
    return Counter.builder("secrets.refresh.failures").description("Failed reads of secrets already held")
        .tag("scheme", scheme).register(registry);
  }

  @Override
  public void close() {
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
  }
}
