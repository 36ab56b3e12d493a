package io.secretsdk.spring.internal;

import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataLoader;
import org.springframework.boot.context.config.ConfigDataLoaderContext;
import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;

/** Loads one imported secret through the bootstrap's {@link ImportedSecrets}. */
public final class SecretsConfigDataLoader implements ConfigDataLoader<SecretsConfigDataResource> {

  /** Made by Spring Boot from {@code META-INF/spring.factories}. */
  public SecretsConfigDataLoader() {}

  @Override
  public ConfigData load(ConfigDataLoaderContext context, SecretsConfigDataResource resource)
      throws ConfigDataResourceNotFoundException {
    return context.getBootstrapContext().get(ImportedSecrets.class).load(resource);
  }
}
