package io.secretsdk.cache;

import io.secretsdk.SecretRef;
import io.secretsdk.VersionStage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link SecretCache} holds at one instant, as the cache itself sees it: every entry with
 * its version, times, plan and failures, and every backend with its circuit breaker. Taken by
 * {@link SecretCache#snapshot()}; immutable.
 *
 * <p>A snapshot holds no secret value, no parsed field, no lease id and no error message: only
 * version ids, stages, instants, counts and the simple class name of the last failure. Its {@code
 * toString()} may therefore be logged as it is.
 *
 * <p>It is taken entry by entry, not atomically: an entry that changes while the snapshot is
 * taken appears either as it was or as it is, never half of each. Taking one reads the clock once
 * and briefly takes each entry's lock; reads ({@link SecretCache#get}) never wait for it.
 *
 * @param takenAt the cache clock's reading when the snapshot was taken
 * @param secrets every entry, sorted by reference
 * @param backends every backend scheme the cache has met, sorted by scheme
 * @param stats the cache's counters at that time
 */
public record CacheSnapshot(Instant takenAt, List<SecretState> secrets, List<BackendState> backends, CacheStats stats) {

  /**
   * A snapshot.
   *
   * @param takenAt when it was taken
   * @param secrets the entries
   * @param backends the backends
   * @param stats the counters
   */
  public CacheSnapshot {
    Objects.requireNonNull(takenAt, "takenAt");
    secrets = List.copyOf(secrets);
    backends = List.copyOf(backends);
    Objects.requireNonNull(stats, "stats");
  }

  /**
   * The entry of one reference, looked up by its canonical form (as the cache keys it).
   *
   * @param ref the reference; its field is ignored
   * @return the entry, if the cache holds one
   */
  public Optional<SecretState> secret(SecretRef ref) {
    SecretRef key = ref.withoutField();
    return secrets.stream().filter(s -> s.ref().equals(key)).findFirst();
  }

  /**
   * One backend by scheme.
   *
   * @param scheme the scheme, e.g. {@code vault}
   * @return the backend, if the cache has met it
   */
  public Optional<BackendState> backend(String scheme) {
    return backends.stream().filter(b -> b.scheme().equals(scheme)).findFirst();
  }

  /** Where an entry is in its life. */
  public enum Phase {
    /** Nothing held yet; the first load is under way. */
    LOADING,
    /** Held and within its lifetime; no failure since the last success. */
    FRESH,
    /** Held, and a backend call for it (refresh, renewal, check) is under way. */
    REFRESHING,
    /** Held and within its lifetime, but the last refresh failed; a retry is planned or the value runs out. */
    FAILING,
    /** Past its lifetime and served stale after failed refreshes (until {@code maxStale} ends). */
    STALE,
    /** Nothing servable: the last load failed, or the value held is past its serving limit. Reads throw. */
    UNAVAILABLE
  }

  /** What the entry's next planned step is. */
  public enum Step {
    /** A refresh at {@code refreshAhead} of the lifetime (a version check, then a fetch if changed). */
    REFRESH,
    /** A refresh just after the version's published rotation time. */
    AFTER_ROTATION,
    /** A renewal of a renewable lease. */
    RENEW,
    /** A fetch of new credentials because the lease can no longer be extended. */
    NEW_CREDENTIALS,
    /** A retry of a failed refresh, after backoff. */
    RETRY
  }

  /** A backend's circuit breaker, as the resilience policy applies it per scheme. */
  public enum Circuit {
    /** Calls go through. */
    CLOSED,
    /** Calls fail fast after repeated failures, until the breaker's wait in the open state ends. */
    OPEN,
    /** A few trial calls go through; their outcome closes or reopens the breaker. */
    HALF_OPEN,
    /** The policy has no circuit breaker (or it only records), so calls always go through. */
    DISABLED
  }

  /**
   * One entry of the cache.
   *
   * @param ref the canonical reference (without field) the entry is keyed by
   * @param backend the scheme of the backend that serves it
   * @param phase where it is in its life at {@link CacheSnapshot#takenAt()}
   * @param versionId the version held, or null when nothing is held
   * @param stages the stages of the version held (empty when nothing is held)
   * @param createdAt when the backend says the version was created, or null
   * @param fetchedAt when the version held was last fetched, renewed or confirmed unchanged, or null
   * @param endsAt the end of its lifetime (lease end, stated expiry, or {@code defaultTtl} after the fetch), or null
   * @param serveUntil the last instant it may be served (its lease end, or {@code maxStale} past its
   *     lifetime, never past a stated expiry), or null
   * @param nextRotationAt when the backend says the next rotation is due, or null
   * @param nextStep the next planned step, or null when none is planned (nothing held, a step under
   *     way, or no retry fits before the value stops being servable)
   * @param nextStepAt when that step is due, or null with it
   * @param lease the lease of the version held, or null
   * @param previous the version replaced by the last rotation while it stays readable, or null
   * @param retired versions cut out of the overlap by a later rotation, until their promised end
   * @param consecutiveFailures failed loads or refreshes since the last success
   * @param lastFailure the simple class name of the last failure, or null
   * @param lastFailureAt when it happened, or null
   */
  public record SecretState(
      SecretRef ref,
      String backend,
      Phase phase,
      @Nullable String versionId,
      Set<VersionStage> stages,
      @Nullable Instant createdAt,
      @Nullable Instant fetchedAt,
      @Nullable Instant endsAt,
      @Nullable Instant serveUntil,
      @Nullable Instant nextRotationAt,
      @Nullable Step nextStep,
      @Nullable Instant nextStepAt,
      @Nullable LeaseState lease,
      @Nullable Overlap previous,
      List<Overlap> retired,
      int consecutiveFailures,
      @Nullable String lastFailure,
      @Nullable Instant lastFailureAt) {

    /**
     * An entry.
     *
     * @param ref the reference
     * @param backend the backend
     * @param phase the phase
     * @param versionId the version
     * @param stages the stages
     * @param createdAt the creation time
     * @param fetchedAt the fetch time
     * @param endsAt the lifetime end
     * @param serveUntil the serving limit
     * @param nextRotationAt the published rotation time
     * @param nextStep the next step
     * @param nextStepAt its time
     * @param lease the lease
     * @param previous the previous version
     * @param retired the retired versions
     * @param consecutiveFailures the failures in a row
     * @param lastFailure the last failure's class name
     * @param lastFailureAt its time
     */
    public SecretState {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(backend, "backend");
      Objects.requireNonNull(phase, "phase");
      stages = Set.copyOf(stages);
      retired = List.copyOf(retired);
    }

    /**
     * How long ago the version held was fetched (or renewed, or confirmed).
     *
     * @param now the instant to measure from, e.g. {@link CacheSnapshot#takenAt()}
     * @return the age, or empty when nothing is held
     */
    public Optional<Duration> age(Instant now) {
      return fetchedAt == null ? Optional.empty() : Optional.of(Duration.between(fetchedAt, now));
    }

    /**
     * Whether the cache can serve this entry at {@code now}.
     *
     * @return false when {@link #phase()} is {@link Phase#LOADING} or {@link Phase#UNAVAILABLE}
     */
    public boolean servable() {
      return phase != Phase.LOADING && phase != Phase.UNAVAILABLE;
    }
  }

  /**
   * The lease of a held version: never its id, which a token holder could use to revoke it.
   *
   * @param issuedAt when it was issued or last renewed
   * @param expiresAt when it ends
   * @param renewable whether the backend lets it be renewed
   */
  public record LeaseState(Instant issuedAt, Instant expiresAt, boolean renewable) {

    /**
     * A lease's state.
     *
     * @param issuedAt when issued
     * @param expiresAt when it ends
     * @param renewable whether renewable
     */
    public LeaseState {
      Objects.requireNonNull(issuedAt, "issuedAt");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /**
     * What is left of the lease.
     *
     * @param now the instant to measure from
     * @return the time left, zero once it ended
     */
    public Duration remaining(Instant now) {
      Duration left = Duration.between(now, expiresAt);
      return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * The fraction of the lease still ahead at {@code now}, from 1 (just issued) to 0 (ended).
     *
     * @param now the instant to measure at
     * @return the fraction left, in [0, 1]
     */
    public double fractionLeft(Instant now) {
      long total = Math.max(1, Duration.between(issuedAt, expiresAt).toMillis());
      long left = Duration.between(now, expiresAt).toMillis();
      return Math.max(0, Math.min(1, (double) left / total));
    }
  }

  /**
   * A version kept readable after a rotation replaced it.
   *
   * @param versionId its version id
   * @param until when it stops being readable (and is zeroed)
   */
  public record Overlap(String versionId, Instant until) {

    /**
     * An overlap.
     *
     * @param versionId the version
     * @param until its end
     */
    public Overlap {
      Objects.requireNonNull(versionId, "versionId");
      Objects.requireNonNull(until, "until");
    }
  }

  /**
   * One backend scheme of the cache.
   *
   * @param scheme the scheme
   * @param circuit its circuit breaker's state
   * @param windowCalls the calls in the breaker's sliding window (0 without a breaker)
   * @param windowFailures the failed calls among them
   * @param entries the entries it serves
   * @param failingEntries those whose last load or refresh failed
   */
  public record BackendState(String scheme, Circuit circuit, int windowCalls, int windowFailures, int entries,
      int failingEntries) {

    /**
     * A backend's state.
     *
     * @param scheme the scheme
     * @param circuit the circuit
     * @param windowCalls calls in the window
     * @param windowFailures failures in the window
     * @param entries entries served
     * @param failingEntries entries failing
     */
    public BackendState {
      Objects.requireNonNull(scheme, "scheme");
      Objects.requireNonNull(circuit, "circuit");
    }
  }
}
