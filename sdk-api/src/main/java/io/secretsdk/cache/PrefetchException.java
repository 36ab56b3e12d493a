package io.secretsdk.cache;

import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@link SecretCache#prefetch} could not warm some of the secrets asked for. The others are held;
 * {@link #failures()} says, per reference, what went wrong.
 */
public class PrefetchException extends SecretException {
  private static final long serialVersionUID = 1L;

  private final transient Map<SecretRef, SecretException> failures;

  /**
   * Creates the exception.
   *
   * @param backend the backend's scheme
   * @param asked how many secrets were asked for
   * @param failures what failed, by reference; not empty
   */
  public PrefetchException(String backend, int asked, Map<SecretRef, SecretException> failures) {
    super(
        "prefetch from backend '" + backend + "' warmed " + (asked - failures.size()) + " of " + asked
            + " secrets; failed: "
            + failures.entrySet().stream()
                .map(f -> f.getKey() + " (" + f.getValue().getClass().getSimpleName() + ")")
                .collect(Collectors.joining(", "))
            + ". Those are fetched on first read; see failures() for each error",
        null,
        failures.isEmpty() ? null : failures.values().iterator().next());
    this.failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
  }

  /**
   * What failed, by reference (without field).
   *
   * @return an immutable map, in the order asked
   */
  public Map<SecretRef, SecretException> failures() {
    return failures;
  }
}
