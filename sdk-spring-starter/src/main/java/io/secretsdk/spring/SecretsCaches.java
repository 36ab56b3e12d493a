package io.secretsdk.spring;

import io.secretsdk.SecretSource;
import io.secretsdk.cache.SecretCache;

/** Builds a {@link SecretCache} from the {@code secrets.cache.*} properties. */
final class SecretsCaches {
  private SecretsCaches() {}

  static SecretCache build(SecretSource source, SecretsProperties properties) {
    SecretsProperties.Cache c = properties.getCache();
    return SecretCache.builder(source)
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
