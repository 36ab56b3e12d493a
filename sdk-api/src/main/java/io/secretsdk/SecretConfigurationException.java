package io.secretsdk;

import org.jspecify.annotations.Nullable;

/**
 * The SDK is configured in a way that cannot work: an unknown or misspelled property, a missing
 * required one, a value of the wrong form, missing credentials, a backend module that is not on the
 * class path. Thrown where the configuration is read ({@code SecretSources.fromProperties}, a
 * builder's {@code build()}), or by the first call that finds it out (credentials that no provider
 * chain can load). It is never transient: retrying does not help, fixing the configuration does.
 * The message names the property or setting and says what to do.
 */
public class SecretConfigurationException extends SecretException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong and how to fix it; never a secret value
   */
  public SecretConfigurationException(String message) {
    super(message);
  }

  /**
   * Creates the exception about one secret.
   *
   * @param message what is wrong and how to fix it; never a secret value
   * @param ref the secret concerned, or {@code null}
   */
  public SecretConfigurationException(String message, @Nullable SecretRef ref) {
    super(message, ref);
  }

  /**
   * Creates the exception about one secret, with its cause.
   *
   * @param message what is wrong and how to fix it; never a secret value
   * @param ref the secret concerned, or {@code null}
   * @param cause the underlying failure, or {@code null}
   */
  public SecretConfigurationException(String message, @Nullable SecretRef ref, @Nullable Throwable cause) {
    super(message, ref, cause);
  }
}
