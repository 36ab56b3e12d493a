package io.secretsdk.cache;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import java.time.Instant;
import java.util.Optional;

/**
 * A cached secret changed version. Both secrets are borrowed from the cache: the previous stays
 * readable until {@code overlapUntil}, then is zeroed.
 *
 * @param ref the reference whose value changed
 * @param previous the version replaced, if the cache held one
 * @param current the new version
 * @param overlapUntil until when the previous version stays readable ({@code previous}, {@code
 *     accepted}); never past the end of its own lease
 * @param reason what caused the change
 */
public record RotationEvent(
    SecretRef ref, Optional<Secret> previous, Secret current, Instant overlapUntil, Reason reason) {

  /** What caused a rotation to be seen. */
  public enum Reason {
    /** A refresh-ahead found a new version. */
    SCHEDULED_REFRESH,
    /** The lease was ending and could not be renewed further, so new credentials were fetched. */
    LEASE_ENDING,
    /** {@link SecretCache#refresh} was called. */
    FORCED,
    /** The backend reported a change on its own (a watched file, a notification). */
    BACKEND_CHANGED
  }
}
