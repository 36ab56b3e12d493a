package io.secretsdk;

import io.secretsdk.internal.RoutingSecretSource;
import io.secretsdk.spi.SecretSourceProvider;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Makes secret sources from configuration, through the providers found on the class path. */
public final class SecretSources {
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
        for (SecretSourceProvider p : ServiceLoader.load(SecretSourceProvider.class, loader)) {
          providers.putIfAbsent(p.scheme(), p);
        }
      }
    }
    return new RoutingSecretSource(providers, properties);
  }
}
