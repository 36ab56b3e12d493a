package io.secretsdk.spring;

import io.secretsdk.SecretSource;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.resilience.ResiliencePolicy;
import org.jspecify.annotations.Nullable;

/** Builds a {@link SecretCache} from the {@code secrets.cache.*} properties. */
final class SecretsCaches {
  private SecretsCaches() {}

  static SecretCache build(SecretSource source, SecretsProperties properties, @Nullable ResiliencePolicy resilience) {
    SecretsProperties.Cache c = properties.getCache();
    SecretCache.Builder b = SecretCache.builder(source);
    if (resilience != null) {
      b.resilience(resilience);
    }
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
