package io.secretsdk.spring;

import io.secretsdk.cache.SecretCache;
import io.secretsdk.spring.internal.Backends;
import io.secretsdk.spring.internal.SecretsActivity;
import io.secretsdk.spring.internal.SecretsEndpoint;
import io.secretsdk.spring.internal.SecretsHealthIndicator;
import io.secretsdk.spring.internal.SecretsMetrics;
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
 * path: the endpoint {@code secrets}, the health contributor {@code secrets}, and a Micrometer
 * {@code MeterBinder} (which Boot binds to every registry).
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

  /** The meters, with Micrometer. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
  @ConditionalOnBean(SecretsActivity.class)
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean
    SecretsMetrics secretsMetrics(SecretCache cache, SecretsActivity activity) {
      return new SecretsMetrics(cache, activity);
    }
  }
}
