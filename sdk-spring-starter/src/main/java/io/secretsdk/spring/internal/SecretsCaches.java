package io.secretsdk.spring.internal;

import io.secretsdk.SecretSource;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.observe.SecretObserver;
import java.util.List;
import io.secretsdk.spring.SecretsProperties;
import io.secretsdk.resilience.ResiliencePolicy;
import org.jspecify.annotations.Nullable;

/** Builds a {@link SecretCache} from the {@code secrets.cache.*} properties. */
public final class SecretsCaches {
  private SecretsCaches() {}

  /**
   * A cache over the source with the configured timing.
   *
   * @param source the (instrumented) source
   * @param properties the bound properties
   * @param resilience the policy, or null for the defaults
   * @return the cache
   */
  public static SecretCache build(SecretSource source, SecretsProperties properties, @Nullable ResiliencePolicy resilience) {
    return build(source, properties, resilience, List.of());
  }

  /**
   * A cache over the source with the configured timing and these observers.
   *
   * @param source the (instrumented) source
   * @param properties the bound properties
   * @param resilience the policy, or null for the defaults
   * @param observers told of the cache's backend calls and events (the metrics among them)
   * @return the cache
   */
  public static SecretCache build(SecretSource source, SecretsProperties properties, @Nullable ResiliencePolicy resilience,
      List<SecretObserver> observers) {
    SecretsProperties.Cache c = properties.getCache();
    SecretCache.Builder b = SecretCache.builder(source);
    if (resilience != null) {
      b.resilience(resilience);
    }
    observers.forEach(b::observer);
    return b
        .defaultTtl(c.getDefaultTtl())
        .refreshAhead(c.getRefreshAhead())
        .refreshJitter(c.getRefreshJitter())
        .maxStale(c.getMaxStale())
        .overlap(c.getOverlap())
        .negativeTtl(c.getNegativeTtl())
        .maximumSize(c.getMaximumSize())
        .build();
  }
}
