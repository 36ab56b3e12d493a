package io.secretsdk.spring.internal;

import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretExpiredException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.VersionStage;
import io.secretsdk.cache.RotationEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What the application's secrets have been doing, recorded from the calls the cache makes to its
 * source (through {@link #instrument(SecretSource)}) and from its rotation events: per secret its
 * version, stages, lease and fetch times, per backend its calls and failures. Holds metadata only,
 * never a value: the {@link Secret}s that pass through are read for their version and times and
 * not kept. The endpoint and the health indicator read it; the metrics come from sdk-micrometer's
 * observer on the cache instead.
 */
public final class SecretsActivity {
  /**
   * One secret's metadata as last seen.
   *
   * @param ref the reference, without field
   * @param scheme the backend's scheme
   * @param versionId the current version, or null before the first successful read
   * @param stages its stages
   * @param createdAt when the backend created it
   * @param lease its lease
   * @param expiresAt its hard end of validity
   * @param nextRotationAt the backend's published next rotation
   * @param fetchedAt when it was last read successfully
   * @param lastAttemptAt when it was last asked for
   * @param lastFailure the kind of the last failure, null after a success
   * @param consecutiveFailures failed reads since the last success
   * @param previousVersion the version before the current, while an overlap may last
   * @param overlapUntil the end of the overlap the last rotation announced
   * @param rotations rotations seen
   */
  public record SecretState(SecretRef ref, String scheme, @Nullable String versionId, Set<VersionStage> stages,
      @Nullable Instant createdAt, @Nullable Lease lease, @Nullable Instant expiresAt,
      @Nullable Instant nextRotationAt, @Nullable Instant fetchedAt, Instant lastAttemptAt,
      @Nullable String lastFailure, int consecutiveFailures, @Nullable String previousVersion,
      @Nullable Instant overlapUntil, long rotations) {}

  /**
   * One backend's call record.
   *
   * @param scheme the scheme
   * @param calls calls made
   * @param failures calls failed
   * @param consecutiveFailures failures since the last success
   * @param lastSuccessAt the last success
   * @param lastFailureAt the last failure
   * @param lastFailure the kind of the last failure
   */
  public record BackendState(String scheme, long calls, long failures, int consecutiveFailures,
      @Nullable Instant lastSuccessAt, @Nullable Instant lastFailureAt, @Nullable String lastFailure) {

    /**
     * The counts as shown by the endpoint and the health details.
     *
     * @return calls, failures, consecutiveFailures, lastFailure
     */
    public Map<String, Object> counts() {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("calls", calls);
      m.put("failures", failures);
      m.put("consecutiveFailures", consecutiveFailures);
      m.put("lastFailure", lastFailure);
      return m;
    }
  }

  private final Clock clock;
  private final Map<SecretRef, SecretState> secrets = new ConcurrentHashMap<>();
  private final Map<String, BackendState> backends = new ConcurrentHashMap<>();

  /**
   * A recorder.
   *
   * @param clock where times are read
   */
  public SecretsActivity(Clock clock) {
    this.clock = clock;
  }

  /**
   * The clock times are read from.
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }

  /**
   * Wraps a source so that every call through it is recorded.
   *
   * @param source the source
   * @return a source with the same behaviour that records
   */
  public SecretSource instrument(SecretSource source) {
    return source instanceof InstrumentedSecretSource i && i.activity() == this ? source
        : new InstrumentedSecretSource(source, this);
  }

  /**
   * Every secret seen, by reference.
   *
   * @return a sorted snapshot
   */
  public Map<String, SecretState> secrets() {
    Map<String, SecretState> out = new TreeMap<>();
    secrets.forEach((k, v) -> out.put(k.toUri(), v));
    return out;
  }

  /**
   * Every backend called, by scheme.
   *
   * @return a sorted snapshot
   */
  public Map<String, BackendState> backends() {
    return new TreeMap<>(backends);
  }

  /**
   * Records a rotation the cache announced.
   *
   * @param event the event
   */
  public void rotated(RotationEvent event) {
    SecretRef key = event.ref().withoutField();
    secrets.compute(key, (k, s) -> {
      Secret c = event.current();
      String scheme = s != null ? s.scheme() : key.scheme().orElse("unknown");
      String previous = event.previous().map(Secret::versionId).orElse(s == null ? null : s.versionId());
      return new SecretState(k, scheme, c.versionId(), c.stages(), c.createdAt().orElse(null),
          c.lease().orElse(null), c.expiresAt().orElse(null), c.nextRotationAt().orElse(null),
          s == null ? clock.instant() : s.fetchedAt(), s == null ? clock.instant() : s.lastAttemptAt(),
          s == null ? null : s.lastFailure(), s == null ? 0 : s.consecutiveFailures(), previous,
          event.overlapUntil(), (s == null ? 0 : s.rotations()) + 1);
    });
  }

  void succeeded(SecretRef ref, String scheme, Secret secret) {
    Instant now = clock.instant();
    secrets.compute(ref.withoutField(), (k, s) -> new SecretState(k, scheme, secret.versionId(), secret.stages(),
        secret.createdAt().orElse(null), secret.lease().orElse(null), secret.expiresAt().orElse(null),
        secret.nextRotationAt().orElse(null), now, now, null, 0,
        s == null ? null : previousIfChanged(s, secret), s == null ? null : s.overlapUntil(),
        s == null ? 0 : s.rotations()));
  }

  private static @Nullable String previousIfChanged(SecretState s, Secret secret) {
    if (s.versionId() != null && !s.versionId().equals(secret.versionId())) {
      return s.versionId();
    }
    return s.previousVersion();
  }

  /** Records a failed read of one secret; true if it was held before (a refresh). */
  boolean failed(SecretRef ref, String scheme, String kind) {
    Instant now = clock.instant();
    SecretState after = secrets.compute(ref.withoutField(), (k, s) -> s == null
        ? new SecretState(k, scheme, null, Set.of(), null, null, null, null, null, now, kind, 1, null, null, 0)
        : new SecretState(k, scheme, s.versionId(), s.stages(), s.createdAt(), s.lease(), s.expiresAt(),
            s.nextRotationAt(), s.fetchedAt(), now, kind, s.consecutiveFailures() + 1, s.previousVersion(),
            s.overlapUntil(), s.rotations()));
    return after.fetchedAt() != null;
  }

  void call(String scheme, String operation, @Nullable Throwable failure) {
    Instant now = clock.instant();
    String outcome = failure == null ? "success" : kind(failure);
    backends.compute(scheme, (k, b) -> {
      long calls = b == null ? 1 : b.calls() + 1;
      long failures = (b == null ? 0 : b.failures()) + (failure == null ? 0 : 1);
      int consecutive = failure == null ? 0 : (b == null ? 0 : b.consecutiveFailures()) + 1;
      return new BackendState(k, calls, failures, consecutive,
          failure == null ? now : (b == null ? null : b.lastSuccessAt()),
          failure == null ? (b == null ? null : b.lastFailureAt()) : now,
          failure == null ? (b == null ? null : b.lastFailure()) : outcome);
    });
  }

  /**
   * The metric tag of a failure: a fixed word per exception type, never its message.
   *
   * @param failure the failure
   * @return {@code not-found}, {@code denied}, {@code throttled}, {@code unavailable}, {@code
   *     format}, {@code expired}, {@code invalid-ref}, {@code configuration} or {@code error}
   */
  public static String kind(Throwable failure) {
    if (failure instanceof SecretNotFoundException) {
      return "not-found";
    } else if (failure instanceof SecretAccessDeniedException) {
      return "denied";
    } else if (failure instanceof SecretThrottledException) {
      return "throttled";
    } else if (failure instanceof SecretUnavailableException) {
      return "unavailable";
    } else if (failure instanceof SecretFormatException) {
      return "format";
    } else if (failure instanceof SecretExpiredException) {
      return "expired";
    } else if (failure instanceof InvalidSecretRefException) {
      return "invalid-ref";
    } else if (failure instanceof SecretConfigurationException) {
      return "configuration";
    }
    return "error";
  }

  /**
   * Drops the record of secrets no longer asked for.
   *
   * @param refs the references to forget
   */
  public void forget(Collection<SecretRef> refs) {
    refs.forEach(r -> secrets.remove(r.withoutField()));
  }
}
