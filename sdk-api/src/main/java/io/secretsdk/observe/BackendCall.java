package io.secretsdk.observe;

import io.secretsdk.SecretRef;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One call a cache made to its {@link io.secretsdk.SecretSource}: every attempt counts, retries
 * included. What a timer {@code secrets.backend.calls{scheme,operation,outcome}} records.
 *
 * @param ref the secret asked for; empty for a bulk call
 * @param refs how many secrets the call named (1 unless bulk)
 * @param scheme the backend that served it, e.g. {@code aws-sm}
 * @param operation what was asked
 * @param duration how long the call took
 * @param outcome how it ended
 * @param failure the exception's class name when it failed, never its message
 */
public record BackendCall(
    Optional<SecretRef> ref,
    int refs,
    String scheme,
    Operation operation,
    Duration duration,
    Outcome outcome,
    Optional<String> failure) {

  /**
   * Checks the parts.
   *
   * @param ref the secret asked for; empty for a bulk call
   * @param refs how many secrets the call named (1 unless bulk)
   * @param scheme the backend that served it
   * @param operation what was asked
   * @param duration how long the call took
   * @param outcome how it ended
   * @param failure the exception's class name when it failed
   */
  public BackendCall {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(failure, "failure");
  }

  /** The {@link io.secretsdk.SecretSource} methods a cache calls. */
  public enum Operation {
    /** {@code fetch}. */
    FETCH,
    /** {@code fetchAll}. */
    FETCH_ALL,
    /** {@code fetchPrevious}. */
    FETCH_PREVIOUS,
    /** {@code renew}. */
    RENEW,
    /** {@code revoke}. */
    REVOKE,
    /** {@code checkVersion}. */
    CHECK_VERSION,
    /** {@code checkVersions}. */
    CHECK_VERSIONS;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /**
     * The lowercase name, e.g. {@code fetch_all}, for metric tags and log keys.
     *
     * @return the tag
     */
    public String tag() {
      return tag;
    }
  }
}
