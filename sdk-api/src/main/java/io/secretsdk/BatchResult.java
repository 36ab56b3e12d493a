package io.secretsdk;

import java.util.Map;

/**
 * What {@link SecretSource#fetchAll} found, and what failed, reference by reference.
 *
 * @param found the secrets fetched, by the reference that asked for them
 * @param failed the error of each reference that could not be fetched
 */
public record BatchResult(Map<SecretRef, Secret> found, Map<SecretRef, SecretException> failed) {

  /**
   * Copies both maps, so the result is immutable.
   *
   * @param found the secrets fetched
   * @param failed the errors
   */
  public BatchResult {
    found = Map.copyOf(found);
    failed = Map.copyOf(failed);
  }
}
