package io.secretsdk.spring;

import io.secretsdk.cache.SecretCache;
import io.secretsdk.micrometer.SecretMetrics;
import io.secretsdk.observe.SecretObserver;
import io.secretsdk.spring.internal.Backends;
import io.secretsdk.spring.internal.SecretsEndpoint;
import io.secretsdk.spring.internal.SecretsHealthIndicator;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/**
 * What Actuator and Micrometer show of the secrets, each part when its library is on the class
 * path: the endpoint {@code secrets}, the health contributor {@code secrets}, and sdk-micrometer's
 * {@link SecretMetrics} (a {@code MeterBinder}, which Boot binds to every registry), whose observer
 * the starter's cache is built with.
 */
@AutoConfiguration(after = SecretsAutoConfiguration.class)
@ConditionalOnBean(SecretCache.class)
public class SecretsActuatorAutoConfiguration {

  /** Made by Spring. */
  public SecretsActuatorAutoConfiguration() {}

  /** The endpoint, with Actuator. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.boot.actuate.endpoint.annotation.Endpoint",
      "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint"})
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(SecretsEndpoint.class)
    SecretsEndpoint secretsEndpoint(SecretCache cache, SecretsProperties properties, ResourceLoader loader) {
      return new SecretsEndpoint(cache,
          Backends.configured(properties, loader.getClassLoader()).stream().map(Backends.Backend::name).toList());
    }
  }

  /** The health contributor, with Boot's health module. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "secretsHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("secrets")
    SecretsHealthIndicator secretsHealthIndicator(SecretCache cache) {
      return new SecretsHealthIndicator(cache);
    }
  }

  /** The meters, with Micrometer: sdk-micrometer's binder, its observer on the cache, the cache's gets. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"io.micrometer.core.instrument.binder.MeterBinder",
      "io.secretsdk.micrometer.SecretMetrics"})
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean
    SecretMetrics secretsMetrics() {
      return SecretMetrics.create();
    }

    /** Picked up by the starter's cache with every other {@link SecretObserver} bean. */
    @Bean
    SecretObserver secretsMetricsObserver(SecretMetrics metrics) {
      return metrics.observer();
    }

    /** Counts the gets of the context's cache, the starter's or the application's own. */
    @Bean
    SmartInitializingSingleton secretsMetricsTracking(SecretMetrics metrics, SecretCache cache) {
      return () -> metrics.track(cache);
    }
  }
}
