package io.secretsdk.spring.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.bootstrap.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;

/**
 * Resolves {@code spring.config.import=secrets:<uri>[?prefix=P][;<uri>...]} into one resource per
 * secret, and registers the {@link ImportedSecrets} (the cache the imports are read through, made
 * from the {@code secrets.*} properties known at that point) in the bootstrap context.
 */
public final class SecretsConfigDataLocationResolver implements ConfigDataLocationResolver<SecretsConfigDataResource> {
  /** The location prefix. */
  public static final String PREFIX = "secrets:";

  /** Made by Spring Boot from {@code META-INF/spring.factories}. */
  public SecretsConfigDataLocationResolver() {}

  @Override
  public boolean isResolvable(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
    return location.hasPrefix(PREFIX);
  }

  @Override
  public List<SecretsConfigDataResource> resolve(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
    ConfigurableBootstrapContext bootstrap = context.getBootstrapContext();
    if (!bootstrap.isRegistered(ImportedSecrets.class)) {
      ImportedSecrets imported = ImportedSecrets.create(context.getBinder());
      bootstrap.register(ImportedSecrets.class, InstanceSupplier.of(imported));
      bootstrap.addCloseListener(event -> imported.attach(event.getApplicationContext()));
    }
    List<SecretsConfigDataResource> out = new ArrayList<>();
    String value = location.getNonPrefixedValue(PREFIX);
    for (String one : value.split(";")) {
      if (!one.isBlank()) {
        out.add(resource(one.strip(), location.isOptional()));
      }
    }
    return out;
  }

  /** Takes {@code prefix=P} out of the query (wherever it is) and parses the rest as a reference. */
  static SecretsConfigDataResource resource(String uri, boolean optional) {
    String field = null;
    String rest = uri;
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      field = rest.substring(hash);
      rest = rest.substring(0, hash);
      int q = field.indexOf('?');
      if (q >= 0) {
        rest = rest + (rest.contains("?") ? "&" : "?") + field.substring(q + 1);
        field = field.substring(0, q);
      }
    }
    String prefix = null;
    int q = rest.indexOf('?');
    if (q >= 0) {
      List<String> kept = new ArrayList<>();
      for (String param : rest.substring(q + 1).split("&")) {
        if (param.startsWith("prefix=")) {
          prefix = param.substring("prefix=".length()).strip();
          if (prefix.isEmpty()) {
            throw new InvalidSecretRefException("spring.config.import 'secrets:" + uri + "': prefix is empty");
          }
        } else if (!param.isEmpty()) {
          kept.add(param);
        }
      }
      rest = rest.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    }
    SecretRef ref;
    try {
      ref = SecretRef.parse(rest + (field == null ? "" : field));
    } catch (InvalidSecretRefException e) {
      throw new InvalidSecretRefException("spring.config.import 'secrets:" + uri + "' is not a secret reference: "
          + e.getMessage(), null, e);
    }
    return new SecretsConfigDataResource(ref, prefix, optional);
  }

}
