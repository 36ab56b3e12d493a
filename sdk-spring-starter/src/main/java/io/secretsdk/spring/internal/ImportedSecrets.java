package io.secretsdk.spring.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretExpiredException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.observe.SecretObserver;
import io.secretsdk.spring.SecretsProperties;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.ConfigurationPropertiesBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * The secrets imported with {@code spring.config.import=secrets:}: the source and cache they are
 * read through (made in the bootstrap phase from the {@code secrets.*} properties known then, and
 * handed to the application context as its {@code secretCache} and {@code secretSource}
 * beans), and one property source per imported secret. When an imported secret
 * rotates, its property source is replaced in place and every {@code @ConfigurationProperties} bean
 * whose prefix covers a changed property is bound again onto the same instance.
 */
public final class ImportedSecrets {
  private static final Logger log = LoggerFactory.getLogger(ImportedSecrets.class);

  private final SecretsProperties properties;
  private final SecretSource source;
  private final SecretCache cache;
  private final LateObservers observers;
  private final List<SecretsPropertySource> sources = new CopyOnWriteArrayList<>();
  private volatile @Nullable ConfigurableApplicationContext context;
  /** Guarded by this: closed by a failed start before any context took them. */
  private boolean closed;

  private ImportedSecrets(SecretsProperties properties, SecretSource source, SecretCache cache,
      LateObservers observers) {
    this.properties = properties;
    this.source = source;
    this.cache = cache;
    this.observers = observers;
  }

  /**
   * Makes the source and cache from the {@code secrets.*} properties bound so far.
   *
   * @param binder the bootstrap binder
   * @return the imports' holder
   * @throws SecretConfigurationException naming each bad property
   */
  public static ImportedSecrets create(Binder binder) {
    SecretsProperties p = binder.bind("secrets", Bindable.ofInstance(new SecretsProperties()))
        .orElseGet(SecretsProperties::new);
    List<String> problems = p.problems();
    if (!problems.isEmpty()) {
      throw new SecretConfigurationException("spring.config.import=secrets: cannot start, the secrets.* properties "
          + "are invalid: " + String.join("; ", problems));
    }
    SecretSource source;
    try {
      source = Backends.routingSource(p, ImportedSecrets.class.getClassLoader());
    } catch (SecretConfigurationException e) {
      throw PropertyNames.inSecretsTerms(e);
    }
    SecretCache cache;
    LateObservers observers = new LateObservers();
    try {
      cache = SecretsCaches.build(source, p, null, List.of(observers));
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
    return new ImportedSecrets(p, source, cache, observers);
  }

  /**
   * Reads one imported secret into a property source, and follows its rotations.
   *
   * @param resource the import
   * @return the config data
   * @throws ConfigDataResourceNotFoundException if the secret does not exist (Boot skips it when optional)
   */
  ConfigData load(SecretsConfigDataResource resource) {
    SecretRef ref = resource.ref();
    String backend = backendOf(ref);
    Secret secret;
    try {
      secret = cache.get(ref.withoutField());
    } catch (SecretNotFoundException e) {
      throw new ConfigDataResourceNotFoundException(resource, e);
    } catch (SecretException e) {
      if (resource.optional()) {
        log.warn("spring.config.import: optional secret {} from backend '{}' could not be read ({}); starting without it",
            ref.toUri(), backend, e.getClass().getSimpleName());
        return ConfigData.EMPTY;
      }
      throw retyped("spring.config.import could not read secret " + ref.toUri() + " from backend '" + backend
          + "': " + e.getMessage() + ". The application cannot start without it; mark the import optional:secrets:"
          + " to start without it", ref, e);
    }
    Map<String, String> values = properties(resource, secret);
    SecretsPropertySource ps = new SecretsPropertySource(resource.toString(), values);
    sources.add(ps);
    cache.onRotation(ref.withoutField(), event -> rotated(resource, ps, event));
    log.debug("spring.config.import: secret {} version {} gives {} properties", ref.toUri(), secret.versionId(),
        values.size());
    return new ConfigData(List.of(ps));
  }

  private String backendOf(SecretRef ref) {
    try {
      return source.canonical(ref).scheme().orElse(source.scheme());
    } catch (RuntimeException e) {
      return ref.scheme().orElse(source.scheme());
    }
  }

  /** The properties of one secret: its JSON fields (prefixed), one field, or the whole value under the prefix. */
  static Map<String, String> properties(SecretsConfigDataResource resource, Secret secret) {
    SecretRef ref = resource.ref();
    String prefix = resource.prefix();
    Map<String, String> out = new LinkedHashMap<>();
    if (ref.field().isPresent()) {
      String field = ref.field().get();
      out.put(prefix == null ? field : prefix, secret.field(field).revealString());
      return out;
    }
    Set<String> names;
    try {
      names = secret.fieldNames();
    } catch (SecretFormatException e) {
      names = Set.of();
    }
    if (!names.isEmpty()) {
      for (String name : names) {
        try {
          out.put(prefix == null ? name : prefix + "." + name, secret.field(name).revealString());
        } catch (SecretFormatException e) {
          // A nested object or array is not a property value; skipped.
          log.debug("spring.config.import: field '{}' of {} is not text; skipped", name, ref.toUri());
        }
      }
      return out;
    }
    if (prefix == null) {
      throw new SecretFormatException("spring.config.import 'secrets:" + ref.toUri() + "': the secret is not a JSON "
          + "object, so it needs ?prefix=<property name> to say which property it becomes", ref);
    }
    out.put(prefix, secret.value().revealString());
    return out;
  }

  private void rotated(SecretsConfigDataResource resource, SecretsPropertySource ps, RotationEvent event) {
    Map<String, String> next;
    try {
      next = properties(resource, event.current());
    } catch (SecretException e) {
      log.warn("spring.config.import: rotated secret {} version {} cannot be read as properties ({}); keeping the "
          + "previous properties", resource.ref().toUri(), event.current().versionId(), e.getClass().getSimpleName());
      return;
    }
    Map<String, String> before = ps.values();
    Set<String> changed = new HashSet<>();
    for (Map.Entry<String, String> e : next.entrySet()) {
      if (!Objects.equals(before.get(e.getKey()), e.getValue())) {
        changed.add(e.getKey());
      }
    }
    for (String k : before.keySet()) {
      if (!next.containsKey(k)) {
        changed.add(k);
      }
    }
    ps.replace(next);
    log.info("spring.config.import: secret {} rotated to version {}; {} properties changed {}", resource.ref().toUri(),
        event.current().versionId(), changed.size(), new java.util.TreeSet<>(changed));
    rebind(changed);
  }

  /** Binds again, onto the same instances, the {@code @ConfigurationProperties} beans that read a changed property. */
  void rebind(Set<String> changed) {
    ConfigurableApplicationContext ctx = context;
    if (ctx == null || !ctx.isActive() || changed.isEmpty()) {
      return;
    }
    Binder binder = Binder.get(ctx.getEnvironment());
    for (ConfigurationPropertiesBean bean : ConfigurationPropertiesBean.getAll(ctx).values()) {
      ConfigurationProperties a = bean.getAnnotation();
      String prefix = a.prefix().isEmpty() ? a.value() : a.prefix();
      ConfigurationPropertyName name = ConfigurationPropertyName.of(prefix);
      boolean affected = changed.stream().map(k -> ConfigurationPropertyName.adapt(k, '.'))
          .anyMatch(k -> name.isEmpty() || name.equals(k) || name.isAncestorOf(k));
      if (!affected) {
        continue;
      }
      Bindable<?> target = bean.asBindTarget();
      if (target.getValue() == null) {
        log.info("spring.config.import: @ConfigurationProperties bean '{}' is constructor-bound and keeps its values "
            + "until restart", bean.getName());
        continue;
      }
      binder.bind(prefix, target);
      log.info("spring.config.import: rebound @ConfigurationProperties bean '{}' (prefix '{}')", bean.getName(), prefix);
    }
  }

  /** Hands the source and cache to the application context, which closes them. */
  void attach(ConfigurableApplicationContext ctx) {
    synchronized (this) {
      if (closed) {
        return;
      }
      this.context = ctx;
    }
    // The context's observers (the metrics' among them) see this cache from the refresh on.
    ctx.addApplicationListener((ApplicationListener<ContextRefreshedEvent>) e -> {
      if (e.getApplicationContext() == ctx) {
        observers.attach(ctx.getBeanProvider(SecretObserver.class).orderedStream().toList());
      }
    });
    var bf = ctx.getBeanFactory();
    if (!bf.containsBean("secretSource")) {
      bf.registerSingleton("secretSource", source);
    }
    if (!bf.containsBean("secretCache")) {
      bf.registerSingleton("secretCache", cache);
    }
    if (bf instanceof DefaultListableBeanFactory d) {
      // Registered singletons get no destruction callback of their own: this one closes both, after
      // every bean that depends on the cache.
      d.registerDisposableBean("secretCache", () -> {
        cache.close();
        source.close();
      });
    }
  }

  /**
   * Closes the cache and the source, unless they were handed to an application context (which
   * closes them with itself): for a start that failed before the context was prepared.
   */
  void closeIfNotAttached() {
    synchronized (this) {
      if (context != null || closed) {
        return;
      }
      closed = true;
    }
    try {
      cache.close();
    } finally {
      source.close();
    }
    log.debug("spring.config.import: startup failed; the import's secret cache and source are closed");
  }

  /**
   * The cache the imports are read through (the application's {@code secretCache} bean once the
   * context is prepared).
   *
   * @return the cache
   */
  public SecretCache cache() {
    return cache;
  }

  /**
   * The properties the imports were made from.
   *
   * @return the bound properties
   */
  public SecretsProperties properties() {
    return properties;
  }

  private static RuntimeException retyped(String message, SecretRef ref, SecretException e) {
    if (e instanceof SecretUnavailableException) {
      return new SecretUnavailableException(message, ref, e);
    } else if (e instanceof SecretAccessDeniedException) {
      return new SecretAccessDeniedException(message, ref, e);
    } else if (e instanceof SecretExpiredException) {
      return new SecretExpiredException(message, ref, e);
    } else if (e instanceof SecretFormatException) {
      return new SecretFormatException(message, ref, e);
    } else if (e instanceof InvalidSecretRefException) {
      return new InvalidSecretRefException(message, ref, e);
    } else if (e instanceof SecretConfigurationException) {
      return new SecretConfigurationException(message, ref, e);
    }
    return new SecretUnavailableException(message, ref, e);
  }
}
