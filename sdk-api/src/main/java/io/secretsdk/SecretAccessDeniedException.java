package io.secretsdk;

import org.jspecify.annotations.Nullable;

/**
 * The backend refused access: missing permission, failed authentication, or a key the caller may
 * not use to decrypt. Not transient: fix the identity's policy.
 */
public class SecretAccessDeniedException extends SecretException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and what to do; never a secret value
   */
  public SecretAccessDeniedException(String message) {
    super(message);
  }

  /**
   * Creates the exception about one secret.
   *
   * @param message what went wrong and what to do; never a secret value
   * @param ref the secret concerned, or {@code null}
   */
  public SecretAccessDeniedException(String message, @Nullable SecretRef ref) {
    super(message, ref);
  }

  /**
   * Creates the exception about one secret, with its cause.
   *
   * @param message what went wrong and what to do; never a secret value
   * @param ref the secret concerned, or {@code null}
   * @param cause the underlying failure, or {@code null}
   */
  public SecretAccessDeniedException(String message, @Nullable SecretRef ref, @Nullable Throwable cause) {
    super(message, ref, cause);
  }
}
