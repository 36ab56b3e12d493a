package io.secretsdk.cache;

import io.secretsdk.BatchResult;
import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.VersionCheck;
import io.secretsdk.VersionChecks;
import io.secretsdk.observe.BackendCall;
import io.secretsdk.observe.BackendCall.Operation;
import io.secretsdk.observe.Outcome;
import io.secretsdk.observe.internal.BackendCallEvent;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The cache's view of its source: every backend call is timed and reported to the observers and
 * as a Flight Recorder {@code io.secretsdk.BackendCall} event. Everything else is forwarded.
 */
final class ObservedSource implements SecretSource {
  private final SecretSource delegate;
  private final CacheObservers observers;

  ObservedSource(SecretSource delegate, CacheObservers observers) {
    this.delegate = delegate;
    this.observers = observers;
  }

  @Override
  public Optional<Duration> suggestedTtl(SecretRef ref) {
    return delegate.suggestedTtl(ref);
  }

  @Override
  public String scheme() {
    return delegate.scheme();
  }

  @Override
  public Secret fetch(SecretRef ref) {
    return call(Operation.FETCH, ref, 1, () -> delegate.fetch(ref));
  }

  @Override
  public BatchResult fetchAll(Collection<SecretRef> refs) {
    return call(Operation.FETCH_ALL, single(refs), refs.size(), () -> delegate.fetchAll(refs));
  }

  @Override
  public Optional<Secret> fetchPrevious(SecretRef ref) {
    return call(Operation.FETCH_PREVIOUS, ref, 1, () -> delegate.fetchPrevious(ref));
  }

  @Override
  public Lease renew(Lease lease, Duration increment) {
    return call(Operation.RENEW, null, 1, () -> delegate.renew(lease, increment));
  }

  @Override
  public void revoke(Lease lease) {
    call(Operation.REVOKE, null, 1, () -> {
      delegate.revoke(lease);
      return null;
    });
  }

  @Override
  public Optional<VersionCheck> checkVersion(SecretRef ref) {
    BackendCallEvent jfr = new BackendCallEvent();
    jfr.begin();
    long t0 = System.nanoTime();
    Optional<VersionCheck> answer;
    try {
      answer = delegate.checkVersion(ref);
    } catch (RuntimeException | Error failure) {
      report(jfr, Operation.CHECK_VERSION, ref, 1, t0, failure);
      throw failure;
    }
    // An empty answer means the source has no cheap check (the SPI's default): no backend call to report.
    if (answer != null && answer.isPresent()) {
      report(jfr, Operation.CHECK_VERSION, ref, 1, t0, null);
    }
    return answer;
  }

  @Override
  public VersionChecks checkVersions(Collection<SecretRef> refs) {
    return call(Operation.CHECK_VERSIONS, single(refs), refs.size(), () -> delegate.checkVersions(refs));
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
    return delegate.toString();
  }

  private static @Nullable SecretRef single(Collection<SecretRef> refs) {
    return refs.size() == 1 ? refs.iterator().next() : null;
  }

  private <T> T call(Operation op, @Nullable SecretRef ref, int count, Supplier<T> work) {
    BackendCallEvent jfr = new BackendCallEvent();
    jfr.begin();
    long t0 = System.nanoTime();
    try {
      T result = work.get();
      report(jfr, op, ref, count, t0, null);
      return result;
    } catch (RuntimeException | Error failure) {
      report(jfr, op, ref, count, t0, failure);
      throw failure;
    }
  }

  private void report(BackendCallEvent jfr, Operation op, @Nullable SecretRef ref, int count, long t0,
      @Nullable Throwable failure) {
    long nanos = System.nanoTime() - t0;
    jfr.end();
    boolean commit = jfr.shouldCommit();
    if (!commit && !observers.any()) {
      return;
    }
    String scheme = ref != null ? observers.schemeOf(ref) : delegate.scheme();
    Outcome outcome = Outcome.of(failure);
    String failureType = failure == null ? null : failure.getClass().getName();
    if (commit) {
      jfr.scheme = scheme;
      jfr.operation = op.tag();
      jfr.outcome = outcome.tag();
      jfr.failure = failureType;
      jfr.secret = ref != null ? ref.toUri() : count + " refs";
      jfr.commit();
    }
    if (observers.any()) {
      observers.backendCall(new BackendCall(Optional.ofNullable(ref), count, scheme, op, Duration.ofNanos(nanos),
          outcome, Optional.ofNullable(failureType)));
    }
  }
}
