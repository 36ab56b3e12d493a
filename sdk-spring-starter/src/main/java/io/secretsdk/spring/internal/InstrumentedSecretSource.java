package io.secretsdk.spring.internal;

import io.secretsdk.BatchResult;
import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.VersionCheck;
import io.secretsdk.VersionChecks;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A source that forwards every call unchanged and records its outcome (and, for reads, the
 * secret's metadata) in a {@link SecretsActivity}.
 */
final class InstrumentedSecretSource implements SecretSource {
  private final SecretSource delegate;
  private final SecretsActivity activity;

  InstrumentedSecretSource(SecretSource delegate, SecretsActivity activity) {
    this.delegate = delegate;
    this.activity = activity;
  }

  SecretsActivity activity() {
    return activity;
  }

  @Override
  public Optional<Duration> suggestedTtl(SecretRef ref) {
    return delegate.suggestedTtl(ref);
  }

  @Override
  public String scheme() {
    return delegate.scheme();
  }

  private String schemeOf(SecretRef ref) {
    if (ref.scheme().isPresent()) {
      return ref.scheme().get();
    }
    try {
      return delegate.canonical(ref).scheme().orElse(delegate.scheme());
    } catch (RuntimeException e) {
      return delegate.scheme();
    }
  }

  private <T> T recorded(String scheme, String operation, Supplier<T> call) {
    try {
      T result = call.get();
      activity.call(scheme, operation, null);
      return result;
    } catch (RuntimeException e) {
      activity.call(scheme, operation, e);
      throw e;
    }
  }

  @Override
  public Secret fetch(SecretRef ref) {
    String scheme = schemeOf(ref);
    try {
      Secret s = delegate.fetch(ref);
      if (ref.version().isEmpty() && ref.stage().isEmpty()) {
        activity.succeeded(ref, scheme, s);
      }
      activity.call(scheme, "fetch", null);
      return s;
    } catch (RuntimeException e) {
      activity.failed(ref, scheme, SecretsActivity.kind(e));
      activity.call(scheme, "fetch", e);
      throw e;
    }
  }

  @Override
  public BatchResult fetchAll(Collection<SecretRef> refs) {
    String scheme = refs.isEmpty() ? delegate.scheme() : schemeOf(refs.iterator().next());
    BatchResult result = recorded(scheme, "fetch-all", () -> delegate.fetchAll(refs));
    for (Map.Entry<SecretRef, Secret> e : result.found().entrySet()) {
      SecretRef ref = e.getKey();
      if (ref.version().isEmpty() && ref.stage().isEmpty()) {
        activity.succeeded(ref, schemeOf(ref), e.getValue());
      }
    }
    for (Map.Entry<SecretRef, SecretException> e : result.failed().entrySet()) {
      activity.failed(e.getKey(), schemeOf(e.getKey()), SecretsActivity.kind(e.getValue()));
    }
    return result;
  }

  @Override
  public Optional<Secret> fetchPrevious(SecretRef ref) {
    return recorded(schemeOf(ref), "fetch-previous", () -> delegate.fetchPrevious(ref));
  }

  @Override
  public Lease renew(Lease lease, Duration increment) {
    return recorded(delegate.scheme(), "renew", () -> delegate.renew(lease, increment));
  }

  @Override
  public void revoke(Lease lease) {
    recorded(delegate.scheme(), "revoke", () -> {
      delegate.revoke(lease);
      return null;
    });
  }

  @Override
  public Optional<VersionCheck> checkVersion(SecretRef ref) {
    return recorded(schemeOf(ref), "check-version", () -> delegate.checkVersion(ref));
  }

  @Override
  public VersionChecks checkVersions(Collection<SecretRef> refs) {
    String scheme = refs.isEmpty() ? delegate.scheme() : schemeOf(refs.iterator().next());
    return recorded(scheme, "check-versions", () -> delegate.checkVersions(refs));
  }

  @Override
  public SecretRef canonical(SecretRef ref) {
    return delegate.canonical(ref);
  }

  @Override
  public Optional<Watch> watch(ChangeListener listener) {
    return delegate.watch(listener);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "InstrumentedSecretSource[" + delegate.scheme() + "]";
  }
}
