package io.secretsdk;

import org.jspecify.annotations.Nullable;

/**
 * The backend could not answer now: a network failure, a 5xx, a timeout, or an open circuit.
 * Transient: the cache retries it with backoff and keeps serving the value it holds.
 */
public class SecretUnavailableException extends SecretException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and what to do; never a secret value
   */
  public SecretUnavailableException(String message) {
    super(message);
  }

  /**
   * Creates the exception about one secret.
   *
   * @param message what went wrong and what to do; never a secret value
   * @param ref the secret concerned, or {@code null}
   */
  public SecretUnavailableException(String message, @Nullable SecretRef ref) {
    super(message, ref);
  }

  /**
   * Creates the exception about one secret, with its cause.
   *
   * @param message what went wrong and what to do; never a secret value
   * @param ref the secret concerned, or {@code null}
   * @param cause the underlying failure, or {@code null}
   */
  public SecretUnavailableException(String message, @Nullable SecretRef ref, @Nullable Throwable cause) {
    super(message, ref, cause);
  }
}
