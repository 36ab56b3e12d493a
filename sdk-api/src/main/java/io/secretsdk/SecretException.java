package io.secretsdk;

import io.secretsdk.internal.Printable;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The root of every error the SDK raises. All SDK exceptions are unchecked.
 *
 * <p>A message names the secret and the backend and says what to do; it never carries a secret
 * value or a raw response body. {@link #ref()} gives the reference the error is about, where there
 * is one.
 *
 * <p>Control characters, line separators and invisible format characters in a message are
 * written as escapes (a line feed as {@code \n}, an escape character as a backslash, {@code u}
 * and {@code 001B}): a message that quotes a hostile secret name cannot forge a log line.
 */
public class SecretException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient @Nullable SecretRef ref;

  /**
   * Creates an exception that concerns no particular secret.
   *
   * @param message what went wrong and what to do; never a secret value
   */
  public SecretException(String message) {
    this(message, null, null);
  }

  /**
   * Creates an exception about one secret.
   *
   * @param message what went wrong and what to do; never a secret value
   * @param ref the secret concerned, or {@code null}
   */
  public SecretException(String message, @Nullable SecretRef ref) {
    this(message, ref, null);
  }

  /**
   * Creates an exception about one secret, with its cause.
   *
   * @param message what went wrong and what to do; never a secret value
   * @param ref the secret concerned, or {@code null}
   * @param cause the underlying failure, or {@code null}
   */
  public SecretException(String message, @Nullable SecretRef ref, @Nullable Throwable cause) {
    super(Printable.text(message), cause);
    this.ref = ref;
  }

  /**
   * The secret this error concerns.
   *
   * @return the reference, or empty when the error concerns no single secret
   */
  public Optional<SecretRef> ref() {
    return Optional.ofNullable(ref);
  }
}
