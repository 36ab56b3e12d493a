package io.secretsdk.internal;

import io.secretsdk.BatchResult;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.VersionCheck;
import io.secretsdk.VersionChecks;
import io.secretsdk.spi.SecretSourceProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each reference to the source of its scheme; made by {@code SecretSources.fromProperties}.
 * Leases are routed by the scheme recorded when they were handed out.
 */
public final class RoutingSecretSource implements SecretSource {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingSecretSource.class);
  private static final String DEFAULT_SCHEME = "default-scheme";

  private final Map<String, SecretSourceProvider> providers;
  private final Map<String, Map<String, String>> propertiesByScheme;
  private final Map<String, SecretSource> sources = new ConcurrentHashMap<>();
  private final Map<String, String> leaseSchemes = new ConcurrentHashMap<>();
  private final @Nullable String defaultScheme;
  private volatile boolean closed;

  /**
   * The artifact that brings each scheme secretsdk ships, for the message when it is missing.
   */
  private static final Map<String, String> ARTIFACTS = Map.of(
      "aws-sm", "io.secretsdk:sdk-aws",
      "aws-ssm", "io.secretsdk:sdk-aws",
      "gcp-sm", "io.secretsdk:sdk-gcp",
      "azure-kv", "io.secretsdk:sdk-azure",
      "vault", "io.secretsdk:sdk-vault",
      "file", "io.secretsdk:sdk-api");

  /**
   * Creates the router, and at once every source whose scheme has properties, and the source of
   * {@code default-scheme}: every configuration error shows here, as a {@link
   * SecretConfigurationException}.
   *
   * @param providers the providers found, by scheme
   * @param properties {@code <scheme>.<key>} properties, and optionally {@code default-scheme}
   * @throws SecretConfigurationException if there are no properties, a property is not of the form
   *     {@code <scheme>.<key>}, names a scheme no provider handles (naming the module to add), or a
   *     provider refuses its properties
   */
  public RoutingSecretSource(Map<String, SecretSourceProvider> providers, Map<String, String> properties) {
    this.providers = Map.copyOf(providers);
    if (properties.isEmpty()) {
      throw new SecretConfigurationException(
          "no secret source is configured: the properties are empty; configure a backend, for example "
              + "file.root=/run/secrets or aws-sm.region=eu-west-1, or name one to use with its defaults "
              + "with default-scheme=aws-sm; schemes found on the class path: " + schemes());
    }
    Map<String, Map<String, String>> byScheme = new TreeMap<>();
    String configuredDefault = null;
    for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
      String key = e.getKey();
      if (key.equals(DEFAULT_SCHEME)) {
        configuredDefault = e.getValue() == null ? "" : e.getValue().trim();
        continue;
      }
      int dot = key.indexOf('.');
      if (dot <= 0 || dot == key.length() - 1) {
        throw new SecretConfigurationException(
            "secret source property '" + Printable.text(key) + "' is not of the form <scheme>.<key> (such as "
                + "file.root) or default-scheme; schemes found: " + schemes());
      }
      String scheme = key.substring(0, dot);
      if (!this.providers.containsKey(scheme)) {
        throw new SecretConfigurationException(
            "secret source property '" + Printable.text(key) + "' names scheme '" + Printable.text(scheme)
                + "', which no provider on the class path handles; " + missing(scheme));
      }
      byScheme.computeIfAbsent(scheme, s -> new LinkedHashMap<>()).put(key.substring(dot + 1), e.getValue());
    }
    this.propertiesByScheme = byScheme;
    if (configuredDefault != null) {
      if (configuredDefault.isEmpty()) {
        throw new SecretConfigurationException(
            "property default-scheme is empty; name the scheme of scheme-less references, one of " + schemes());
      }
      if (!this.providers.containsKey(configuredDefault)) {
        throw new SecretConfigurationException(
            "default-scheme '" + Printable.text(configuredDefault) + "' has no provider on the class path; "
                + missing(configuredDefault));
      }
    }
    this.defaultScheme = configuredDefault != null
        ? configuredDefault
        : byScheme.size() == 1 ? byScheme.keySet().iterator().next() : null;
    try {
      for (String scheme : byScheme.keySet()) {
        source(scheme, null);
      }
      if (defaultScheme != null) {
        source(defaultScheme, null);
      }
    } catch (RuntimeException e) {
      closeQuietly(e);
      throw e;
    }
  }

  /** What to do about a scheme no provider handles: the artifact to add, or the schemes there are. */
  private String missing(String scheme) {
    String artifact = ARTIFACTS.get(scheme);
    if (artifact != null) {
      return "add the dependency " + artifact + " (it serves " + scheme + "); schemes found: " + schemes();
    }
    return "schemes found: " + schemes() + " (check the spelling, or add the backend's module as a dependency)";
  }

  private void closeQuietly(RuntimeException failure) {
    for (SecretSource source : sources.values()) {
      try {
        source.close();
      } catch (RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
    sources.clear();
  }

  @Override
  public String scheme() {
    return "routing";
  }

  /**
   * The schemes this router can serve: every provider found.
   *
   * @return the schemes, sorted
   */
  public List<String> schemes() {
    return new ArrayList<>(new TreeMap<>(providers).keySet());
  }

  private SecretSource source(String scheme, @Nullable SecretRef ref) {
    if (closed) {
      throw new IllegalStateException("this secret source is closed");
    }
    SecretSource existing = sources.get(scheme);
    if (existing != null) {
      return existing;
    }
    SecretSourceProvider provider = providers.get(scheme);
    if (provider == null) {
      if (ARTIFACTS.containsKey(scheme)) {
        throw new SecretConfigurationException(
            "no secret source for scheme '" + scheme + "' of " + ref + ": " + missing(scheme), ref);
      }
      throw new InvalidSecretRefException(
          "no secret source for scheme '" + Printable.text(scheme) + "' of " + ref + "; " + missing(scheme), ref);
    }
    return sources.computeIfAbsent(scheme, s -> {
      LOG.debug("creating the {} secret source", s);
      try {
        return provider.create(propertiesByScheme.getOrDefault(s, Map.of()));
      } catch (SecretConfigurationException e) {
        throw e;
      } catch (RuntimeException e) {
        // A provider that throws something else still reports configuration: its message names
        // properties, never secret values.
        String reason = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        throw new SecretConfigurationException(
            "the " + s + " secret source could not be created from its properties: " + reason, ref, e);
      }
    });
  }

  private SecretSource route(SecretRef ref) {
    String scheme = ref.scheme().orElse(defaultScheme);
    if (scheme == null) {
      throw new InvalidSecretRefException(
          "secret reference '" + ref + "' names no scheme and no default-scheme is configured; write the scheme "
              + "(such as file://" + Printable.text(ref.name()) + ") or set default-scheme; schemes found: " + schemes(),
          ref);
    }
    return source(scheme, ref);
  }

  @Override
  public Secret fetch(SecretRef ref) {
    SecretSource source = route(ref);
    return remember(source, source.fetch(ref));
  }

  @Override
  public BatchResult fetchAll(Collection<SecretRef> refs) {
    Map<SecretSource, List<SecretRef>> groups = new LinkedHashMap<>();
    Map<SecretRef, SecretException> failed = new LinkedHashMap<>();
    for (SecretRef ref : refs) {
      try {
        groups.computeIfAbsent(route(ref), s -> new ArrayList<>()).add(ref);
      } catch (SecretException e) {
        failed.put(ref, e);
      }
    }
    Map<SecretRef, Secret> found = new LinkedHashMap<>();
    for (Map.Entry<SecretSource, List<SecretRef>> group : groups.entrySet()) {
      BatchResult result = group.getKey().fetchAll(group.getValue());
      result.found().forEach((ref, secret) -> found.put(ref, remember(group.getKey(), secret)));
      failed.putAll(result.failed());
    }
    return new BatchResult(found, failed);
  }

  @Override
  public Optional<Secret> fetchPrevious(SecretRef ref) {
    SecretSource source = route(ref);
    return source.fetchPrevious(ref).map(s -> remember(source, s));
  }

  @Override
  public Optional<Duration> suggestedTtl(SecretRef ref) {
    return route(ref).suggestedTtl(ref);
  }

  @Override
  public Optional<VersionCheck> checkVersion(SecretRef ref) {
    return route(ref).checkVersion(ref);
  }

  @Override
  public VersionChecks checkVersions(Collection<SecretRef> refs) {
    Map<SecretSource, List<SecretRef>> groups = new LinkedHashMap<>();
    Map<SecretRef, SecretException> failed = new LinkedHashMap<>();
    for (SecretRef ref : refs) {
      try {
        groups.computeIfAbsent(route(ref), s -> new ArrayList<>()).add(ref);
      } catch (SecretException e) {
        failed.put(ref, e);
      }
    }
    Map<SecretRef, VersionCheck> found = new LinkedHashMap<>();
    for (Map.Entry<SecretSource, List<SecretRef>> group : groups.entrySet()) {
      VersionChecks result = group.getKey().checkVersions(group.getValue());
      found.putAll(result.found());
      failed.putAll(result.failed());
    }
    return new VersionChecks(found, failed);
  }

  /**
   * Adds the default scheme to a scheme-less reference; leaves it as it is when there is none (its
   * fetch then fails saying so). Never creates a source.
   */
  @Override
  public SecretRef canonical(SecretRef ref) {
    if (ref.scheme().isPresent() || defaultScheme == null) {
      return ref;
    }
    return ref.withScheme(defaultScheme);
  }

  /**
   * Watches through every source created so far that can watch (the configured ones are created
   * with the router); a source created later is not watched.
   */
  @Override
  public Optional<Watch> watch(ChangeListener listener) {
    List<Watch> watches = new ArrayList<>();
    for (SecretSource source : sources.values()) {
      source.watch(listener).ifPresent(watches::add);
    }
    if (watches.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(() -> watches.forEach(Watch::close));
  }

  @Override
  public Lease renew(Lease lease, Duration increment) {
    return leaseSource(lease).renew(lease, increment);
  }

  @Override
  public void revoke(Lease lease) {
    leaseSource(lease).revoke(lease);
  }

  private Secret remember(SecretSource source, Secret secret) {
    secret.lease().map(Lease::id).ifPresent(id -> leaseSchemes.put(id, source.scheme()));
    return secret;
  }

  private SecretSource leaseSource(Lease lease) {
    String scheme = lease.id() == null ? null : leaseSchemes.get(lease.id());
    if (scheme == null) {
      throw new UnsupportedOperationException(
          "this lease was not handed out by any source of this router, so it cannot be routed");
    }
    return source(scheme, null);
  }

  @Override
  public void close() {
    closed = true;
    RuntimeException first = null;
    for (SecretSource source : sources.values()) {
      try {
        source.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    sources.clear();
    if (first != null) {
      throw first;
    }
  }
}
