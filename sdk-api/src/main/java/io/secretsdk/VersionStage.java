package io.secretsdk;

/**
 * The normalized place of a version in a secret's life, common to every backend.
 *
 * <p>AWS maps {@code AWSCURRENT}, {@code AWSPREVIOUS} and {@code AWSPENDING} here; other backends
 * mark their newest enabled version {@code CURRENT} and the one before it {@code PREVIOUS}.
 */
public enum VersionStage {
  /** The version applications should use now. */
  CURRENT,
  /** The version that was current before the last rotation; often still a valid credential. */
  PREVIOUS,
  /** A version being created by a rotation that has not finished. */
  PENDING
}
