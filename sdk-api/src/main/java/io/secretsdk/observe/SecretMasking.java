package io.secretsdk.observe;

import io.secretsdk.observe.internal.MaskRegistry;
import java.time.Duration;

/**
 * Masks, in any text, every value the process's caches currently hold: {@code
 * ***secret:prod/db#password***} in place of the password. What the {@code sdk-logback} and {@code
 * sdk-log4j2} layouts call on every rendered line; usable for any other sink (an error page, a
 * diagnostics dump).
 *
 * <p>Disabled until {@link #enable()} (the layouts enable it when they start): until then a cache
 * registers nothing and pays one volatile read per installed version. Once enabled, each version a
 * cache installs is registered (the whole text, and each top-level field of a JSON object value
 * except {@code username}, {@code user}, {@code host}, {@code port}, {@code dbname} and {@code
 * engine}), as keyed fingerprints, never a second plaintext copy. A version the cache zeroes
 * (overlap end, eviction, close) stays masked for {@link #retention()} after.
 *
 * <p>Limits: only exact text is found, of at least {@link #minimumLength()} characters; a value
 * escaped, encoded, split or cut short on its way into a line is not. A version is registered when
 * it is installed, so a backend's own log of the response that first brings it is not masked
 * (keep wire logging off); later logs of the same version are. Binary values are not registered.
 */
public final class SecretMasking {
  private SecretMasking() {}

  /** Starts registering held values. Idempotent; values installed before are not registered. */
  public static void enable() {
    MaskRegistry.GLOBAL.enable();
  }

  /**
   * Whether masking is on.
   *
   * @return true once {@link #enable()} was called
   */
  public static boolean isEnabled() {
    return MaskRegistry.GLOBAL.enabled();
  }

  /**
   * The text with each held value replaced by {@code ***secret:NAME***} (or {@code
   * ***secret:NAME#FIELD***} for a field of a JSON value). Cost: linear in the text's length, a
   * few nanoseconds per character, plus one keyed hash of a candidate's length on the rare
   * positions whose rolling tag matches one held.
   *
   * @param text a rendered line
   * @return the masked text, the same instance when nothing matched
   */
  public static String mask(String text) {
    return MaskRegistry.GLOBAL.mask(text);
  }

  /**
   * The shortest value masked: shorter ones would match ordinary words.
   *
   * @return 8
   */
  public static int minimumLength() {
    return MaskRegistry.WINDOW;
  }

  /**
   * How long a zeroed version stays masked.
   *
   * @return 10 minutes
   */
  public static Duration retention() {
    return MaskRegistry.GLOBAL.retention();
  }
}
