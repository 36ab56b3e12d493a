package io.secretsdk;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The backend asked the caller to slow down (HTTP 429, an AWS {@code ThrottlingException}, gRPC
 * {@code RESOURCE_EXHAUSTED}). Transient; {@link #retryAfter()} carries the backend's hint, which
 * the resilience policy honours.
 */
public class SecretThrottledException extends SecretUnavailableException {
  private static final long serialVersionUID = 1L;

  private final @Nullable Duration retryAfter;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and what to do; never a secret value
   */
  public SecretThrottledException(String message) {
    this(message, null, null, null);
  }

  /**
   * Creates the exception about one secret.
   *
   * @param message what went wrong and what to do; never a secret value
   * @param ref the secret concerned, or {@code null}
   */
  public SecretThrottledException(String message, @Nullable SecretRef ref) {
    this(message, ref, null, null);
  }

  /**
   * Creates the exception about one secret, with its cause.
   *
   * @param message what went wrong and what to do; never a secret value
   * @param ref the secret concerned, or {@code null}
   * @param cause the underlying failure, or {@code null}
   */
  public SecretThrottledException(String message, @Nullable SecretRef ref, @Nullable Throwable cause) {
    this(message, ref, cause, null);
  }

  /**
   * Creates the exception with the backend's retry hint.
   *
   * @param message what went wrong and what to do; never a secret value
   * @param ref the secret concerned, or {@code null}
   * @param cause the underlying failure, or {@code null}
   * @param retryAfter how long the backend asked the caller to wait, or {@code null}
   */
  public SecretThrottledException(
      String message, @Nullable SecretRef ref, @Nullable Throwable cause, @Nullable Duration retryAfter) {
    super(message, ref, cause);
    if (retryAfter != null && retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
    }
    this.retryAfter = retryAfter;
  }

  /**
   * How long the backend asked the caller to wait before the next call.
   *
   * @return the backend's hint, or empty when it gave none
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
