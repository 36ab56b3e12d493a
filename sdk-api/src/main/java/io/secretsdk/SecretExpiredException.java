package io.secretsdk;

import org.jspecify.annotations.Nullable;

/**
 * A leased value has reached the end of its lease and no renewed or new value could be had.
 */
public class SecretExpiredException extends SecretException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and what to do; never a secret value
   */
  public SecretExpiredException(String message) {
    super(message);
  }

  /**
   * Creates the exception about one secret.
   *
   * @param message what went wrong and what to do; never a secret value
   * @param ref the secret concerned, or {@code null}
   */
  public SecretExpiredException(String message, @Nullable SecretRef ref) {
    super(message, ref);
  }

  /**
   * Creates the exception about one secret, with its cause.
   *
   * @param message what went wrong and what to do; never a secret value
   * @param ref the secret concerned, or {@code null}
   * @param cause the underlying failure, or {@code null}
   */
  public SecretExpiredException(String message, @Nullable SecretRef ref, @Nullable Throwable cause) {
    super(message, ref, cause);
  }
}
