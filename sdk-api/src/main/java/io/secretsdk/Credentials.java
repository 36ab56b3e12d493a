package io.secretsdk;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A username and password read from one secret: the shape connection pools need.
 *
 * <p>The secret's value is a JSON object, as the rotation formats ship it: AWS's ({@code username},
 * {@code password}, {@code host}, {@code port}, {@code dbname}, {@code engine}), Vault's ({@code
 * username}, {@code password}), or any other with configurable field names. The username is not
 * secret and is a {@link String}; the password stays a {@link SecretValue}, borrowed from the
 * secret and destroyed with it. {@code toString()} shows the username only.
 */
public final class Credentials {
  private final Secret secret;
  private final String username;
  private final String passwordField;
  private final SecretValue password;

  private Credentials(Secret secret, String username, String passwordField, SecretValue password) {
    this.secret = secret;
    this.username = username;
    this.passwordField = passwordField;
    this.password = password;
  }

  /**
   * Reads the fields {@code username} and {@code password}.
   *
   * @param secret a secret whose value is a JSON object
   * @return the credentials
   * @throws SecretFormatException if either field is missing or not text
   */
  public static Credentials from(Secret secret) {
    return from(secret, "username", "password");
  }

  /**
   * Reads credentials from the named fields.
   *
   * @param secret a secret whose value is a JSON object
   * @param userField the field holding the username
   * @param passwordField the field holding the password
   * @return the credentials
   * @throws SecretFormatException if either field is missing or not text
   */
  public static Credentials from(Secret secret, String userField, String passwordField) {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(userField, "userField");
    Objects.requireNonNull(passwordField, "passwordField");
    if (userField.equals(passwordField)) {
      throw new IllegalArgumentException("the username and password fields must differ");
    }
    String user = secret.field(userField).revealString();
    return new Credentials(secret, user, passwordField, secret.field(passwordField));
  }

  /**
   * The username.
   *
   * @return the username
   */
  public String username() {
    return username;
  }

  /**
   * The password, borrowed from the secret.
   *
   * @return the password
   */
  public SecretValue password() {
    return password;
  }

  /**
   * The secret these credentials were read from, for its version and lease.
   *
   * @return the secret
   */
  public Secret secret() {
    return secret;
  }

  /**
   * Another field of the same JSON value, such as {@code host}, {@code port}, {@code dbname} or
   * {@code engine}. The password field is never returned this way.
   *
   * @param name the field's name
   * @return its text, or empty if the value has no such text field (or it is the password)
   */
  public Optional<String> field(String name) {
    Objects.requireNonNull(name, "name");
    if (name.equals(passwordField)) {
      return Optional.empty();
    }
    Set<String> names = secret.fieldNames();
    if (!names.contains(name)) {
      return Optional.empty();
    }
    try {
      return Optional.of(secret.field(name).revealString());
    } catch (SecretFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Shows the username and the secret's version, never the password.
   *
   * @return a description without the password
   */
  @Override
  public String toString() {
    return "Credentials[username=" + username + ", secret=" + secret.name() + ", version="
        + secret.versionId() + "]";
  }

  /** Makes Jackson data binding fail before it writes anything. */
  @JsonValue
  @SuppressWarnings("unused")
  private Object refuseSerialization() {
    throw new UnsupportedOperationException("Credentials cannot be serialized");
  }
}
