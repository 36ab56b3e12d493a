package io.secretsdk.spring;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretSource;
import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.observe.SecretObserver;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.spring.internal.Backends;
import io.secretsdk.spring.internal.PropertyNames;
import io.secretsdk.spring.internal.RotationPublisher;
import io.secretsdk.spring.internal.SecretsCaches;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;

/**
 * The core of the starter: the {@link SecretsProperties}, one {@link SecretSource} that routes by
 * scheme to every configured backend module on the class path, one {@link SecretCache} over it
 * (closed with the context), and the publication of each {@link RotationEvent} to the context.
 *
 * <p>A backend is configured by any of its {@code secrets.<backend>.*} properties ({@code aws},
 * {@code gcp}, {@code azure}, {@code vault}, {@code file}); when its module is missing from the
 * class path, startup fails naming the properties and the dependency to add. An application's own
 * {@code SecretSource} bean replaces the routing source; its own {@code SecretCache} bean replaces
 * the cache; its own {@code ResiliencePolicy} bean is the cache's policy (retry, circuit breaker,
 * timeout); its own {@link SecretObserver} beans (an {@code AuditTrail}, for instance) are attached
 * to the cache, next to the metrics' observer. Either way the cache's backend calls are recorded
 * for the endpoint, health and metrics (for a user's own cache, only its rotations and statistics
 * are seen, unless it attaches the {@code SecretMetrics} bean's observer itself).
 */
@AutoConfiguration
@EnableConfigurationProperties(SecretsProperties.class)
public class SecretsAutoConfiguration {

  /** Made by Spring. */
  public SecretsAutoConfiguration() {}

  /**
   * The routing source over every configured backend; not made when the application has its own
   * {@code SecretSource} or {@code SecretCache} (a user's cache brings its own source).
   *
   * @param properties the bound properties
   * @param resourceLoader the application's class loader, to find the backend modules
   * @return the source, closed with the context
   */
  @Bean
  @ConditionalOnMissingBean({SecretSource.class, SecretCache.class})
  SecretSource secretSource(SecretsProperties properties, ResourceLoader resourceLoader) {
    try {
      return Backends.routingSource(properties, resourceLoader.getClassLoader());
    } catch (SecretConfigurationException e) {
      throw PropertyNames.inSecretsTerms(e);
    }
  }

  /**
   * The cache every secret is read through.
   *
   * @param source the source (the application's own, or the routing source)
   * @param properties the bound properties
   * @param resilience the application's own {@link ResiliencePolicy} bean, if it has one (else the defaults)
   * @param observers every {@link SecretObserver} bean (the metrics' observer, the application's own), in order
   * @return the cache, closed with the context
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  SecretCache secretCache(SecretSource source, SecretsProperties properties,
      ObjectProvider<ResiliencePolicy> resilience, ObjectProvider<SecretObserver> observers) {
    return SecretsCaches.build(source, properties, resilience.getIfUnique(),
        observers.orderedStream().toList());
  }

  /**
   * Publishes every rotation of the cache to the context as a {@link RotationEvent}.
   *
   * @param cache the cache
   * @param publisher the context
   * @return the publisher, subscribed once every singleton exists
   */
  @Bean
  RotationPublisher secretsRotationPublisher(ObjectProvider<SecretCache> cache, ApplicationEventPublisher publisher) {
    return new RotationPublisher(cache, publisher);
  }
}
