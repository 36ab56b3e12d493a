package io.secretsdk.spring.internal;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretSources;
import io.secretsdk.spring.SecretsProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;

/**
 * The backend modules the starter knows, each switched on by its class on the class path and its
 * {@code secrets.<backend>.*} properties, and the routing source over those configured.
 */
public final class Backends {
  /** One backend module: its name in {@code secrets.<name>.*}, a class it ships, its artifact and schemes. */
  public record Backend(String name, String marker, String artifact, List<String> schemes) {}

  /** Every backend module the starter can wire, in a fixed order. */
  public static final List<Backend> ALL = List.of(
      new Backend("aws", "io.secretsdk.aws.AwsSecretsManagerSource", "io.secretsdk:sdk-aws", List.of("aws-sm", "aws-ssm")),
      new Backend("gcp", "io.secretsdk.gcp.GcpSecretManagerSource", "io.secretsdk:sdk-gcp", List.of("gcp-sm")),
      new Backend("azure", "io.secretsdk.azure.AzureKeyVaultSource", "io.secretsdk:sdk-azure", List.of("azure-kv")),
      new Backend("vault", "io.secretsdk.vault.VaultSecretSource", "io.secretsdk:sdk-vault", List.of("vault")),
      new Backend("file", "io.secretsdk.file.FileSecretSource", "io.secretsdk:sdk-api", List.of("file")));

  private Backends() {}

  /**
   * The backends whose properties are set, after checking that each one's module is on the class path.
   *
   * @param properties the bound properties
   * @param classLoader the application's class loader
   * @return the configured backends, in {@link #ALL}'s order
   * @throws SecretConfigurationException naming the properties and the missing module
   */
  public static List<Backend> configured(SecretsProperties properties, @Nullable ClassLoader classLoader) {
    Map<String, Map<String, String>> set = properties.backendProperties();
    List<Backend> out = new ArrayList<>();
    for (Backend b : ALL) {
      if (!set.containsKey(b.name())) {
        continue;
      }
      if (!ClassUtils.isPresent(b.marker(), classLoader)) {
        throw new SecretConfigurationException("secrets." + b.name() + ".* is set ("
            + String.join(", ", set.get(b.name()).keySet().stream().map(k -> "secrets." + b.name()
                + k.substring(k.indexOf('.'))).distinct().toList())
            + "), but the " + b.name() + " backend is not on the class path: add the dependency "
            + b.artifact() + ", or remove those properties");
      }
      out.add(b);
    }
    return out;
  }

  /**
   * A source that routes each reference by its scheme to the configured backends (and, created on
   * first use with no properties, to any other backend module on the class path).
   *
   * @param properties the bound properties
   * @param classLoader the application's class loader
   * @return the routing source; the caller closes it
   * @throws SecretConfigurationException if a backend is configured but missing, or refuses its properties
   */
  public static SecretSource routingSource(SecretsProperties properties, @Nullable ClassLoader classLoader) {
    List<Backend> configured = configured(properties, classLoader);
    Map<String, String> all = new LinkedHashMap<>();
    Map<String, Map<String, String>> set = properties.backendProperties();
    for (Backend b : configured) {
      all.putAll(set.get(b.name()));
    }
    if (properties.getDefaultScheme() != null && !properties.getDefaultScheme().isBlank()) {
      all.put("default-scheme", properties.getDefaultScheme().strip());
    }
    try {
      // A provider the context class loader lists but cannot load is skipped by fromProperties itself.
      return SecretSources.fromProperties(all);
    } catch (SecretConfigurationException e) {
      throw new SecretConfigurationException("the secrets.* backend properties were refused: " + e.getMessage(), null, e);
    } catch (IllegalArgumentException e) {
      throw new SecretConfigurationException("the secrets.* backend properties were refused: " + e.getMessage(), null, e);
    }
  }
}
