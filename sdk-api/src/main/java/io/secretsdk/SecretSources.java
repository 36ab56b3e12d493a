package io.secretsdk;

import io.secretsdk.internal.RoutingSecretSource;
import io.secretsdk.spi.SecretSourceProvider;
import java.util.Iterator;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes secret sources from configuration, through the providers found on the class path. */
public final class SecretSources {
  private static final Logger LOG = LoggerFactory.getLogger(SecretSources.class);
  /**
   * Failed providers after which one class loader's list is given up: a guard against an iterator
   * that does not move past a failure (the JDK's does, one listed name at a time).
   */
  private static final int MAX_BROKEN = 1000;

  private SecretSources() {}

  /**
   * Makes a source that routes each reference to a backend by its scheme, using every {@link
   * SecretSourceProvider} that {@link ServiceLoader} finds.
   *
   * <p>Properties are named {@code <scheme>.<key>}, for example {@code file.root=/run/secrets} or
   * {@code aws-sm.region=eu-west-1}. A provider whose scheme has properties is created at once, so
   * its configuration errors show now; the others are created, with no properties, the first time
   * a reference names their scheme. A reference without a scheme goes to {@code default-scheme} if
   * that property is set, or to the only configured backend if there is exactly one. Closing the
   * returned source closes every source it created.
   *
   * <p>Providers are searched for with the SDK's own class loader and then the thread's context
   * class loader. A provider that is listed but cannot be loaded (its class, or the vendor client it
   * needs, is missing from that loader) is skipped with one INFO line naming it; a reference or
   * property needing its scheme then fails as for any scheme without a provider, naming the module
   * to add.
   *
   * @param properties configuration; never secret values
   * @return a routing source
   * @throws IllegalArgumentException if a property names a scheme no provider handles, or a
   *     provider rejects its properties
   */
  public static SecretSource fromProperties(Map<String, String> properties) {
    Map<String, SecretSourceProvider> providers = new TreeMap<>();
    ClassLoader own = SecretSources.class.getClassLoader();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    for (ClassLoader loader : new ClassLoader[] {own, context}) {
      if (loader != null) {
        load(loader, providers);
      }
    }
    return new RoutingSecretSource(providers, properties);
  }

  /** Adds the providers one loader lists, skipping each that cannot be loaded or asked its scheme. */
  private static void load(ClassLoader loader, Map<String, SecretSourceProvider> providers) {
    Iterator<SecretSourceProvider> it = ServiceLoader.load(SecretSourceProvider.class, loader).iterator();
    int broken = 0;
    while (broken < MAX_BROKEN) {
      SecretSourceProvider p;
      try {
        if (!it.hasNext()) {
          return;
        }
        p = it.next();
      } catch (ServiceConfigurationError | LinkageError e) {
        broken++;
        skipped(e);
        continue;
      }
      try {
        providers.putIfAbsent(p.scheme(), p);
      } catch (LinkageError e) {
        broken++;
        skipped(new ServiceConfigurationError("provider " + p.getClass().getName() + " cannot tell its scheme", e));
      }
    }
    LOG.info("stopped searching {} for secret source providers after {} that could not be loaded", loader, broken);
  }

  /** One line per skipped provider: its class and the missing class, never configuration or a value. */
  private static void skipped(Throwable e) {
    Throwable cause = e.getCause();
    LOG.info("skipping a secret source provider that cannot be loaded: {}{}; a reference to its scheme fails "
        + "until its module and the client library it needs are on the class path", e.getMessage(),
        cause == null ? "" : " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")");
  }
}
