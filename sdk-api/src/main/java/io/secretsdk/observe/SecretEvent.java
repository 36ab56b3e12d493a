package io.secretsdk.observe;

import io.secretsdk.SecretRef;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Something a cache did with one secret. Carries names, version ids, times and exception types;
 * never a value, never an exception message.
 *
 * @param kind what happened
 * @param ref the secret (without field), as the cache keys it
 * @param scheme the backend serving it, e.g. {@code vault}
 * @param versionId the version concerned: loaded, renewed, rotated to, ended, expired, evicted or
 *     read; empty when a first load failed
 * @param previousVersionId for {@link Kind#ROTATED}, the version rotated away from
 * @param duration for loads, refreshes and renewals, how long the step took (retries included);
 *     zero otherwise
 * @param outcome {@link Outcome#OK}, or how a load, refresh or renewal failed
 * @param failure the exception's class name when it failed
 * @param caller for {@link Kind#FIRST_READ}, the first class and method outside the cache that
 *     read this version, as {@code com.example.Repository.connect}
 * @param at when, on the cache's clock
 */
public record SecretEvent(
    Kind kind,
    SecretRef ref,
    String scheme,
    Optional<String> versionId,
    Optional<String> previousVersionId,
    Duration duration,
    Outcome outcome,
    Optional<String> failure,
    Optional<String> caller,
    Instant at) {

  /**
   * Checks the parts.
   *
   * @param kind what happened
   * @param ref the secret
   * @param scheme the backend serving it
   * @param versionId the version concerned
   * @param previousVersionId the version rotated away from
   * @param duration how long the step took
   * @param outcome how it ended
   * @param failure the exception's class name
   * @param caller the first reader of a version
   * @param at when
   */
  public SecretEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(versionId, "versionId");
    Objects.requireNonNull(previousVersionId, "previousVersionId");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(failure, "failure");
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(at, "at");
  }

  /** What happened. Failures are not kinds of their own: a failed step has an outcome other than OK. */
  public enum Kind {
    /** A secret not held was fetched for a reader (or by {@code prefetch}). */
    LOADED,
    /** A held secret was fetched again: scheduled, forced, backend-changed or lease-ending. */
    REFRESHED,
    /** The lease of a held secret was renewed. */
    RENEWED,
    /** A fetch brought another version; the previous one stays readable until its overlap ends. */
    ROTATED,
    /** A replaced version's overlap ended: it was zeroed. */
    OVERLAP_ENDED,
    /** A held version passed the last instant it may be served (lease end, expiry, stale limit). */
    EXPIRED,
    /** A secret was dropped from the cache (size bound, or nothing left to serve): its values zeroed. */
    EVICTED,
    /** A version was read for the first time; recorded once per version. */
    FIRST_READ;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /**
     * The lowercase name, e.g. {@code first_read}, for metric tags and log keys.
     *
     * @return the tag
     */
    public String tag() {
      return tag;
    }
  }
}
