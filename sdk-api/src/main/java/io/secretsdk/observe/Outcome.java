package io.secretsdk.observe;

import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretExpiredException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How a backend call or a cache step ended: a small, fixed set, fit for a metric tag. The
 * failure's exception type, where there is one, travels next to it (never its message).
 */
public enum Outcome {
  /** It worked. */
  OK,
  /** {@link SecretNotFoundException}. */
  NOT_FOUND,
  /** {@link SecretAccessDeniedException}. */
  DENIED,
  /** {@link SecretUnavailableException}: network, 5xx, timeout, open circuit. */
  UNAVAILABLE,
  /** {@link SecretThrottledException}. */
  THROTTLED,
  /** {@link SecretFormatException}. */
  FORMAT,
  /** {@link SecretExpiredException}: a held value outlived its hard end. */
  EXPIRED,
  /** Any other exception or error. */
  ERROR;

  private final String tag = name().toLowerCase(Locale.ROOT);

  /**
   * The lowercase name, e.g. {@code not_found}, for metric tags and log keys.
   *
   * @return the tag
   */
  public String tag() {
    return tag;
  }

  /**
   * The outcome a failure stands for.
   *
   * @param failure what was thrown, or {@code null} for success
   * @return the outcome
   */
  public static Outcome of(@Nullable Throwable failure) {
    if (failure == null) {
      return OK;
    }
    if (failure instanceof SecretNotFoundException) {
      return NOT_FOUND;
    }
    if (failure instanceof SecretAccessDeniedException) {
      return DENIED;
    }
    if (failure instanceof SecretThrottledException) {
      return THROTTLED;
    }
    if (failure instanceof SecretUnavailableException) {
      return UNAVAILABLE;
    }
    if (failure instanceof SecretFormatException) {
      return FORMAT;
    }
    if (failure instanceof SecretExpiredException) {
      return EXPIRED;
    }
    return ERROR;
  }
}
