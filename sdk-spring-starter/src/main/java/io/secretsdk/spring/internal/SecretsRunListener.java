package io.secretsdk.spring.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Closes the cache and source that {@code spring.config.import=secrets:} made in the bootstrap
 * phase when startup fails before they were handed to the application context (a backend down at
 * import, a secret missing, any later failure before the context is prepared): Boot closes neither
 * the bootstrap context nor what it holds on a failed start, so their threads and clients would
 * outlive the failed {@code run}. Once handed over, the context closes them.
 */
public final class SecretsRunListener implements SpringApplicationRunListener {
  private volatile @Nullable ConfigurableBootstrapContext bootstrap;

  /**
   * Made by Spring Boot from {@code META-INF/spring.factories}, once per run.
   *
   * @param application the application being run
   * @param args its arguments
   */
  public SecretsRunListener(SpringApplication application, String[] args) {}

  @Override
  public void starting(ConfigurableBootstrapContext bootstrapContext) {
    this.bootstrap = bootstrapContext;
  }

  @Override
  public void failed(@Nullable ConfigurableApplicationContext context, Throwable exception) {
    ConfigurableBootstrapContext b = bootstrap;
    if (b != null && b.isRegistered(ImportedSecrets.class)) {
      b.get(ImportedSecrets.class).closeIfNotAttached();
    }
  }
}
