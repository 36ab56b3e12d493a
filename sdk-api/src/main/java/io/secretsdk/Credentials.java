package io.secretsdk;

import com.fasterxml.jackson.annotation.JsonValue;
import io.secretsdk.internal.Printable;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A username and password read from one secret: the shape connection pools need.
 *
 * <p>The secret's value is a JSON object, as the rotation formats ship it: AWS's ({@code username},
 * {@code password}, {@code host}, {@code port}, {@code dbname}, {@code engine}), Vault's ({@code
 * username}, {@code password}), or any other with configurable field names. The username is not
 * secret and is a {@link String}; the password stays a {@link SecretValue}, borrowed from the
 * secret and destroyed with it. {@code toString()} shows the username only.
 *
 * <p><b>Other fields.</b> {@link #field(String)} hands out, as {@link String}s, only fields known to
 * be connection settings ({@link #CONNECTION_FIELDS}: {@code host}, {@code port}, {@code dbname},
 * ...) and the ones the caller declares non-secret with {@link #withPublicFields(String...)};
 * asking for any other field is an error, since a {@code String} cannot be wiped and a field such
 * as {@code api_key} or a second password is secret. Read a secret field as a {@link SecretValue}
 * with {@code credentials.secret().field(name)}.
 */
public final class Credentials {
  /**
   * The fields {@link #field(String)} hands out without being told: the connection settings of
   * the common rotation formats (AWS's RDS, Aurora, Redshift and DocumentDB secrets among them),
   * none of which is secret.
   */
  public static final Set<String> CONNECTION_FIELDS = Set.of(
      "host", "port", "dbname", "database", "engine", "username",
      "dbInstanceIdentifier", "dbClusterIdentifier");

  private final Secret secret;
  private final String username;
  private final String userField;
  private final String passwordField;
  private final SecretValue password;
  private final Set<String> publicFields;

  private Credentials(Secret secret, String username, String userField, String passwordField, SecretValue password,
      Set<String> publicFields) {
    this.secret = secret;
    this.username = username;
    this.userField = userField;
    this.passwordField = passwordField;
    this.password = password;
    this.publicFields = publicFields;
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
    return new Credentials(secret, user, userField, passwordField, secret.field(passwordField), CONNECTION_FIELDS);
  }

  /**
   * These credentials, with more fields that {@link #field(String)} may hand out as {@link
   * String}s: declare here the fields of your secret that are not secret (a schema name, a
   * replica host). The password field cannot be declared.
   *
   * @param names field names that hold no secret
   * @return new credentials over the same secret
   * @throws IllegalArgumentException if a name is the password field
   */
  public Credentials withPublicFields(String... names) {
    Objects.requireNonNull(names, "names");
    Set<String> all = new TreeSet<>(publicFields);
    for (String name : names) {
      Objects.requireNonNull(name, "name");
      if (name.equals(passwordField)) {
        throw new IllegalArgumentException(
            "the field '" + Printable.text(name) + "' is the password and cannot be declared public; read it with"
                + " password()");
      }
      all.add(name);
    }
    return new Credentials(secret, username, userField, passwordField, password, Collections.unmodifiableSet(all));
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
   * Another field of the same JSON value, if it is a connection field ({@link #CONNECTION_FIELDS},
   * such as {@code host}, {@code port}, {@code dbname} or {@code engine}), the username field, or a
   * field declared with {@link #withPublicFields(String...)}.
   *
   * @param name the field's name
   * @return its text, or empty if the value has no such text field
   * @throws IllegalArgumentException if the field is not one of those: it may be secret (read it
   *     with {@code secret().field(name)}, as a {@link SecretValue}), or it is the password (read it
   *     with {@link #password()})
   */
  public Optional<String> field(String name) {
    Objects.requireNonNull(name, "name");
    if (name.equals(passwordField)) {
      throw new IllegalArgumentException(
          "the field '" + Printable.text(name) + "' of secret " + Printable.text(secret.name())
              + " is the password: read it with password(), which keeps it out of Strings");
    }
    if (!name.equals(userField) && !publicFields.contains(name)) {
      throw new IllegalArgumentException(
          "the field '" + Printable.text(name) + "' of secret " + Printable.text(secret.name())
              + " is not a known connection field " + new TreeSet<>(publicFields) + " and may be secret: read it"
              + " as a SecretValue with secret().field(\"" + Printable.text(name) + "\"), or, if it holds no"
              + " secret, declare it with withPublicFields(\"" + Printable.text(name) + "\")");
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
    return "Credentials[username=" + Printable.text(username) + ", secret=" + Printable.text(secret.name())
        + ", version=" + Printable.text(secret.versionId()) + "]";
  }

  /** Makes Jackson data binding fail before it writes anything. */
  @JsonValue
  @SuppressWarnings("unused")
  private Object refuseSerialization() {
    throw new UnsupportedOperationException("Credentials cannot be serialized");
  }
}
