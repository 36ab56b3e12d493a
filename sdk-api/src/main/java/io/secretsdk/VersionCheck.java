package io.secretsdk;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a cheap version check ({@link SecretSource#checkVersion}) learned of a secret without reading
 * its value: which version a reference names now, and what the backend says of its end and of its
 * next rotation. A cache compares {@link #versionId()} with the version it holds: equal means it
 * keeps the value and only moves its schedule; different means it fetches.
 *
 * @param versionId the version the reference names now, spelled as {@link Secret#versionId()} spells it
 * @param expiresAt the hard end of that version's validity, where the backend states one
 * @param nextRotationAt the backend's next scheduled rotation, where it publishes one
 */
public record VersionCheck(String versionId, Optional<Instant> expiresAt, Optional<Instant> nextRotationAt) {

  /**
   * Checks the parts.
   *
   * @param versionId the version the reference names now
   * @param expiresAt the hard end of validity, or empty
   * @param nextRotationAt the next scheduled rotation, or empty
   */
  public VersionCheck {
    Objects.requireNonNull(versionId, "versionId");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(nextRotationAt, "nextRotationAt");
    if (versionId.isEmpty()) {
      throw new IllegalArgumentException("versionId is empty");
    }
  }

  /**
   * A check that knows only the version.
   *
   * @param versionId the version the reference names now
   * @return the check
   */
  public static VersionCheck of(String versionId) {
    return new VersionCheck(versionId, Optional.empty(), Optional.empty());
  }
}
