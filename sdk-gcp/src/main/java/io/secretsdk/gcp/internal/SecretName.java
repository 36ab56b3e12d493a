package io.secretsdk.gcp.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretRef;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A Secret Manager secret version named by a reference: project, optional location (a regional
 * secret), secret id and version ({@code latest}, a version number or an alias).
 *
 * <p>Accepted names: {@code S} (the default project, and the default location if one is set),
 * {@code projects/P/secrets/S} and {@code projects/P/locations/L/secrets/S}, each optionally
 * followed by {@code /versions/V}. Anything else is an {@link InvalidSecretRefException}; nothing
 * else is ever thrown for a malformed name.
 *
 * @param project the project id or number
 * @param location the location of a regional secret, or {@code null} for a global one
 * @param secret the secret id
 * @param version {@code latest}, a version number or an alias
 */
public record SecretName(String project, @Nullable String location, String secret, String version) {
  /** The version that is current: Secret Manager's newest version. */
  public static final String LATEST = "latest";

  private static final Pattern SECRET_ID = Pattern.compile("[A-Za-z0-9_-]{1,255}");
  // Project ids (6-30 chars), project numbers, and legacy domain-scoped ids (example.com:proj).
  private static final Pattern PROJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.:_-]{0,99}");
  private static final Pattern LOCATION = Pattern.compile("[a-z][a-z0-9-]{0,62}");
  private static final Pattern NUMBER = Pattern.compile("[1-9][0-9]{0,18}");
  private static final Pattern ALIAS = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,62}");

  /**
   * Checks the parts.
   *
   * @param project the project id or number
   * @param location the location, or {@code null}
   * @param secret the secret id
   * @param version the version
   */
  public SecretName {
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(version, "version");
  }

  /**
   * Parses a reference's name and version.
   *
   * @param ref the reference (its {@code ?version=} is the version unless the name ends in
   *     {@code /versions/V}; both may be given only if they agree)
   * @param defaultProject the project of short names, or {@code null}
   * @param defaultLocation the location of short names, or {@code null}
   * @return the version's name
   * @throws InvalidSecretRefException if the name is malformed
   * @throws SecretConfigurationException if the name is short and no default project is configured
   */
  public static SecretName parse(SecretRef ref, @Nullable String defaultProject, @Nullable String defaultLocation) {
    return parse(ref.name(), ref.version().orElse(null), ref, defaultProject, defaultLocation);
  }

  /**
   * Parses a name and version.
   *
   * @param name the name as written in a reference
   * @param version the reference's {@code ?version=}, or {@code null}
   * @param ref the reference, for errors (may be {@code null})
   * @param defaultProject the project of short names, or {@code null}
   * @param defaultLocation the location of short names, or {@code null}
   * @return the version's name
   * @throws InvalidSecretRefException if the name is malformed
   * @throws SecretConfigurationException if the name is short and no default project is configured
   */
  public static SecretName parse(String name, @Nullable String version, @Nullable SecretRef ref,
      @Nullable String defaultProject, @Nullable String defaultLocation) {
    Objects.requireNonNull(name, "name");
    String[] parts = name.split("/", -1);
    int n = parts.length;
    String nameVersion = null;
    if (n >= 3 && "versions".equals(parts[n - 2])) {
      nameVersion = parts[n - 1];
      n -= 2;
    }
    String project;
    String location;
    String secret;
    if (n == 1) {
      secret = parts[0];
      if (defaultProject == null) {
        check(SECRET_ID, secret, "secret id", name, ref);
        throw new SecretConfigurationException(
            "secret reference '" + name + "' is a short name, but no default project is configured for gcp-sm; "
                + "set one (builder project(...), property gcp-sm.project) or write projects/PROJECT/secrets/" + secret,
            ref);
      }
      project = defaultProject;
      location = defaultLocation;
    } else if (n == 4 && "projects".equals(parts[0]) && "secrets".equals(parts[2])) {
      project = parts[1];
      location = null;
      secret = parts[3];
    } else if (n == 6 && "projects".equals(parts[0]) && "locations".equals(parts[2]) && "secrets".equals(parts[4])) {
      project = parts[1];
      location = parts[3];
      secret = parts[5];
    } else {
      throw new InvalidSecretRefException(
          "secret reference '" + name + "' is not a Secret Manager name; write SECRET, projects/PROJECT/secrets/SECRET "
              + "or projects/PROJECT/locations/LOCATION/secrets/SECRET (optionally followed by /versions/VERSION)",
          ref);
    }
    check(PROJECT, project, "project", name, ref);
    if (location != null) {
      check(LOCATION, location, "location", name, ref);
    }
    check(SECRET_ID, secret, "secret id", name, ref);
    if (nameVersion != null && version != null && !nameVersion.equals(version)) {
      throw new InvalidSecretRefException(
          "secret reference '" + name + "' names version " + nameVersion + " in its name but " + version
              + " in ?version=; give the version once",
          ref);
    }
    String v = nameVersion != null ? nameVersion : version != null ? version : LATEST;
    if (!v.equals(LATEST) && !isNumber(v) && !ALIAS.matcher(v).matches()) {
      throw new InvalidSecretRefException(
          "secret reference '" + name + "' asks for version '" + v + "', which is neither latest, a version number "
              + "(1, 2, ...) nor an alias (a letter, then letters, digits, - or _)",
          ref);
    }
    return new SecretName(project, location, secret, v);
  }

  private static void check(Pattern pattern, String value, String what, String name, @Nullable SecretRef ref) {
    if (!pattern.matcher(value).matches()) {
      throw new InvalidSecretRefException(
          "secret reference '" + name + "' has a malformed " + what + " '" + value + "'", ref);
    }
  }

  /**
   * This name with another version.
   *
   * @param v the version
   * @return the name of that version of the same secret
   */
  public SecretName withVersion(String v) {
    return new SecretName(project, location, secret, v);
  }

  /**
   * The secret's resource name: {@code projects/P/secrets/S} or {@code projects/P/locations/L/secrets/S}.
   *
   * @return the resource name
   */
  public String secretResource() {
    return location == null
        ? "projects/" + project + "/secrets/" + secret
        : "projects/" + project + "/locations/" + location + "/secrets/" + secret;
  }

  /**
   * The version's resource name: {@link #secretResource()} then {@code /versions/V}.
   *
   * @return the resource name
   */
  public String versionResource() {
    return secretResource() + "/versions/" + version;
  }

  /**
   * Whether this names the current ({@code latest}) version.
   *
   * @return {@code true} for {@code latest}
   */
  public boolean isLatest() {
    return LATEST.equals(version);
  }

  /**
   * Whether a version is a number: digits without a leading zero, at most {@link Long#MAX_VALUE}
   * (what parses as a {@code long}).
   *
   * @param version the version part
   * @return whether it is a version number
   */
  public static boolean isNumber(String version) {
    return NUMBER.matcher(version).matches()
        && (version.length() < 19 || version.compareTo(Long.toString(Long.MAX_VALUE)) <= 0);
  }

  /**
   * The version number at the end of a version resource name that Secret Manager answered with.
   *
   * @param versionResource e.g. {@code projects/123/secrets/db/versions/7}
   * @return the number, e.g. {@code 7}, or {@code null} if the name does not end in one
   */
  public static @Nullable String numberOf(String versionResource) {
    int slash = versionResource.lastIndexOf('/');
    String tail = versionResource.substring(slash + 1);
    if (slash < 0 || !versionResource.startsWith("versions/", slash - "versions".length())
        || !isNumber(tail)) {
      return null;
    }
    return tail;
  }
}
