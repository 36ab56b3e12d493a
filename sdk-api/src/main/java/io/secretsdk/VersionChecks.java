package io.secretsdk;

import java.util.Map;

/**
 * The answer of {@link SecretSource#checkVersions}: the checks made and the failures, by reference.
 * A reference in neither map could not be checked cheaply; fetch it.
 *
 * @param found the version each checked reference names now
 * @param failed why a reference could not be checked
 */
public record VersionChecks(Map<SecretRef, VersionCheck> found, Map<SecretRef, SecretException> failed) {

  /**
   * Copies both maps.
   *
   * @param found the checks made
   * @param failed the failures
   */
  public VersionChecks {
    found = Map.copyOf(found);
    failed = Map.copyOf(failed);
  }
}
