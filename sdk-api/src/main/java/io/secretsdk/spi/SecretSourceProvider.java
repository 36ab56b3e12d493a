package io.secretsdk.spi;

import io.secretsdk.SecretSource;
import java.util.Map;

/**
 * Makes a {@link SecretSource} from configuration properties; discovered through {@link
 * java.util.ServiceLoader} by {@link io.secretsdk.SecretSources#fromProperties}.
 *
 * <p>Each backend module provides one per scheme, declared in its {@code module-info} and in
 * {@code META-INF/services}.
 */
public interface SecretSourceProvider {

  /**
   * The scheme of the sources this provider makes.
   *
   * @return the scheme, e.g. {@code file}
   */
  String scheme();

  /**
   * Makes a source.
   *
   * @param properties this scheme's properties, with the scheme prefix removed (for example
   *     {@code root} for {@code file.root}); never secret values
   * @return a new source, owned by the caller
   * @throws io.secretsdk.SecretConfigurationException if a property is unknown, missing or malformed (see {@link ProviderProperties})
   */
  SecretSource create(Map<String, String> properties);
}
