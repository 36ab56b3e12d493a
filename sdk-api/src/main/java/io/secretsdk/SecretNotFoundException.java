package io.secretsdk;

import org.jspecify.annotations.Nullable;

/**
 * The backend has no such secret, version or stage (or it is deleted or scheduled for deletion).
 * Not transient: retrying the same reference gives the same answer until the secret is created.
 */
public class SecretNotFoundException extends SecretException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and what to do; never a secret value
   */
  public SecretNotFoundException(String message) {
    super(message);
  }

  /**
   * Creates the exception about one secret.
   *
   * @param message what went wrong and what to do; never a secret value
   * @param ref the secret concerned, or {@code null}
   */
  public SecretNotFoundException(String message, @Nullable SecretRef ref) {
    super(message, ref);
  }

  /**
   * Creates the exception about one secret, with its cause.
   *
   * @param message what went wrong and what to do; never a secret value
   * @param ref the secret concerned, or {@code null}
   * @param cause the underlying failure, or {@code null}
   */
  public SecretNotFoundException(String message, @Nullable SecretRef ref, @Nullable Throwable cause) {
    super(message, ref, cause);
  }
}
