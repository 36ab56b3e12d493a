package io.secretsdk.aws.internal;

import io.secretsdk.internal.Printable;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;

/**
 * The published rotation schedule of each secret, read with {@code DescribeSecret} only when it can
 * have changed: the first time a secret is loaded, after each rotation (the current version id
 * changed), and once after a published rotation time has passed with no new version (a rotation
 * that failed or is still running). A refresh that finds the same version reuses what is known.
 *
 * <p>Reading the schedule is advice, not part of reading the value: if {@code DescribeSecret} fails,
 * the value is returned without a schedule. A refusal (the caller may read the value but not
 * describe the secret) is remembered until the next rotation; a transient failure is not.
 */
public final class RotationSchedules {
  private static final Logger LOG = LoggerFactory.getLogger(RotationSchedules.class);
  private static final int MAX_ENTRIES = 10_000;

  private final SecretsManagerClient client;
  private final Clock clock;
  private final Map<String, Known> known = new ConcurrentHashMap<>();

  /**
   * Creates an empty memory of schedules.
   *
   * @param client the client to describe secrets with
   * @param clock the time source, to see a published rotation time pass
   */
  public RotationSchedules(SecretsManagerClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /**
   * The next rotation time of a secret whose current version is {@code versionId}.
   *
   * @param secretId the name or ARN the secret was read by
   * @param versionId the current version just read
   * @param ref the reference, for messages
   * @return the next rotation time, or {@code null} if rotation is off or the schedule is unknown
   */
  public @Nullable Instant nextRotation(String secretId, String versionId, SecretRef ref) {
    Instant now = clock.instant();
    Known k = known.get(secretId);
    if (k != null && k.versionId.equals(versionId) && !k.isStale(now)) {
      return k.nextRotation;
    }
    Instant next;
    try {
      DescribeSecretResponse d = client.describeSecret(b -> b.secretId(secretId));
      next = Boolean.TRUE.equals(d.rotationEnabled()) ? d.nextRotationDate() : null;
      LOG.debug("rotation schedule of secret '{}' (version {}): {}", Printable.text(secretId), Printable.text(versionId),
          next == null ? "no rotation scheduled" : "next rotation at " + next);
    } catch (SdkException | UncheckedIOException e) {
      SecretException mapped = AwsErrors.map(e, ref, AwsBackend.SECRETS_MANAGER, "secret '" + secretId + "'");
      if (!(mapped instanceof SecretAccessDeniedException)) {
        LOG.debug("could not read the rotation schedule of secret '{}' ({}); will ask again on the next load",
            Printable.text(secretId), mapped.getClass().getSimpleName());
        return null;
      }
      LOG.info("may not describe secret '{}' (grant secretsmanager:DescribeSecret to follow its rotation "
          + "schedule); its refreshes follow the cache's default ttl", Printable.text(secretId));
      next = null;
    }
    if (known.size() >= MAX_ENTRIES && !known.containsKey(secretId)) {
      known.clear();
    }
    known.put(secretId, new Known(versionId, next, now));
    return next;
  }

  /**
   * Remembers a schedule learned elsewhere (a {@code ListSecrets} page, a {@code DescribeSecret}
   * made for a version check), so that loading that version asks no {@code DescribeSecret}.
   *
   * @param secretId the name or ARN the secret is read by
   * @param versionId the version that was current when the schedule was read
   * @param nextRotation the next rotation, or {@code null} if rotation is off
   */
  public void learn(String secretId, String versionId, @Nullable Instant nextRotation) {
    if (known.size() >= MAX_ENTRIES && !known.containsKey(secretId)) {
      known.clear();
    }
    known.put(secretId, new Known(versionId, nextRotation, clock.instant()));
  }

  /**
   * Whether loading {@code versionId} would need a {@code DescribeSecret}.
   *
   * @param secretId the name or ARN the secret is read by
   * @param versionId the version about to be loaded, or {@code null} if not known yet
   * @return true if no usable schedule is remembered
   */
  public boolean needs(String secretId, @Nullable String versionId) {
    Known k = known.get(secretId);
    return k == null || (versionId != null && !k.versionId.equals(versionId)) || k.isStale(clock.instant());
  }

  /** What was learned about one secret, and when. */
  private static final class Known {
    final String versionId;
    final @Nullable Instant nextRotation;
    final Instant describedAt;

    Known(String versionId, @Nullable Instant nextRotation, Instant describedAt) {
      this.versionId = versionId;
      this.nextRotation = nextRotation;
      this.describedAt = describedAt;
    }

    /** A published rotation time passed since it was read, and no new version came: ask once more. */
    boolean isStale(Instant now) {
      return nextRotation != null && !now.isBefore(nextRotation) && describedAt.isBefore(nextRotation);
    }
  }
}
