package io.secretsdk.vault.internal;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretValue;
import io.secretsdk.spi.ProviderProperties;
import io.secretsdk.spi.SecretSourceProvider;
import io.secretsdk.vault.VaultAuth;
import io.secretsdk.vault.VaultSecretSource;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Makes {@link VaultSecretSource}s from properties (never secret values; secrets come from files):
 *
 * <ul>
 *   <li>{@code address} (required), {@code namespace}, {@code allow-plain-http} ({@code true} to
 *       allow {@code http://} to a host that is not loopback);
 *   <li>{@code auth.method}: {@code token} ({@code auth.token-file}), {@code approle} ({@code
 *       auth.role-id}, {@code auth.secret-id-file}), {@code kubernetes} ({@code auth.role},
 *       {@code auth.jwt-file}, default the pod's service-account token), {@code jwt} ({@code
 *       auth.role}, {@code auth.jwt-file}) or {@code none} (a Vault Agent or Proxy adds the token);
 *       {@code auth.mount} overrides the method's mount;
 *   <li>{@code kv-v2-mounts}, {@code kv-v1-mounts}, {@code database-mounts} (comma separated),
 *       {@code ca-pem} (a PEM CA bundle), {@code request-timeout} (seconds, or ISO-8601 such as
 *       {@code PT5S}), {@code revoke-on-close} ({@code true}/{@code false}).
 * </ul>
 *
 * <p>Any other property is refused, naming the known ones and the closest match ({@code
 * vault.adress}: did you mean {@code vault.address}?). Every configuration error is a {@link
 * SecretConfigurationException} thrown at creation. The token and secret-id files are credentials
 * of the SDK's own login: they are trimmed of white space at both ends (a trailing newline is
 * common), unlike secret values, which are kept exactly.
 */
public final class VaultSecretSourceProvider implements SecretSourceProvider {
  private static final Set<String> KNOWN = Set.of("address", "namespace", "allow-plain-http", "auth.method",
      "auth.token-file", "auth.role-id", "auth.secret-id-file", "auth.role", "auth.jwt-file", "auth.mount",
      "kv-v2-mounts", "kv-v1-mounts", "database-mounts", "ca-pem", "request-timeout", "revoke-on-close");

  /** Used by {@link java.util.ServiceLoader}. */
  public VaultSecretSourceProvider() {}

  @Override
  public String scheme() {
    return "vault";
  }

  @Override
  public SecretSource create(Map<String, String> properties) {
    ProviderProperties p = ProviderProperties.of("vault", properties, KNOWN);
    String address = p.required("address", "Vault's address, e.g. https://vault:8200");
    VaultSecretSource.Builder b = VaultSecretSource.builder();
    URI uri;
    try {
      uri = new URI(address);
    } catch (URISyntaxException e) {
      throw new SecretConfigurationException("property vault.address is not a URL"
          + (address.indexOf('@') < 0 ? " ('" + address + "')" : "") + "; give e.g. https://vault:8200");
    }
    b.address(uri);
    p.optional("namespace").ifPresent(b::namespace);
    p.parsed("allow-plain-http", "true or false", VaultSecretSourceProvider::bool).ifPresent(b::allowPlainHttp);
    p.optional("kv-v2-mounts").ifPresent(v -> b.kvV2Mounts(list(v)));
    p.optional("kv-v1-mounts").ifPresent(v -> b.kvV1Mounts(list(v)));
    p.optional("database-mounts").ifPresent(v -> b.databaseMounts(list(v)));
    p.parsed("ca-pem", "a readable PEM file of CA certificates", v -> Tls.trustingPem(Path.of(v))).ifPresent(b::sslContext);
    p.parsed("request-timeout", "a duration: seconds, or ISO-8601 like PT5S", VaultSecretSourceProvider::duration)
        .ifPresent(b::requestTimeout);
    p.parsed("revoke-on-close", "true or false", VaultSecretSourceProvider::bool).ifPresent(b::revokeOnClose);
    b.auth(auth(p));
    return b.build();
  }

  private static boolean bool(String v) {
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("not true or false");
  }

  private static String[] list(String v) {
    return Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toArray(String[]::new);
  }

  private static Duration duration(String v) {
    Duration d = v.chars().allMatch(Character::isDigit) ? Duration.ofSeconds(Long.parseLong(v)) : Duration.parse(v);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("not positive");
    }
    return d;
  }

  private static VaultAuth auth(ProviderProperties p) {
    String method = p.required("auth.method", "token, approle, kubernetes, jwt or none").toLowerCase(Locale.ROOT);
    String mount = p.optional("auth.mount").orElse(null);
    switch (method) {
      case "token": {
        SecretValue token = readSecretFile(p.required("auth.token-file", "a file holding the token"), "auth.token-file");
        try {
          return VaultAuth.token(token);
        } finally {
          token.destroy();
        }
      }
      case "approle": {
        String roleId = p.required("auth.role-id", "the AppRole role id");
        SecretValue secretId =
            readSecretFile(p.required("auth.secret-id-file", "a file holding the secret id"), "auth.secret-id-file");
        try {
          return VaultAuth.appRole(mount == null ? "approle" : mount, roleId, secretId);
        } finally {
          secretId.destroy();
        }
      }
      case "kubernetes": {
        Path jwt = p.optional("auth.jwt-file").map(Path::of).orElse(VaultAuth.KUBERNETES_TOKEN_FILE);
        return VaultAuth.kubernetes(mount == null ? "kubernetes" : mount, p.required("auth.role", "the Vault role"), jwt);
      }
      case "jwt":
        return VaultAuth.jwt(mount == null ? "jwt" : mount, p.required("auth.role", "the Vault role"),
            Path.of(p.required("auth.jwt-file", "a file holding the JWT")));
      case "none":
        return VaultAuth.none();
      default:
        throw new SecretConfigurationException(
            "property vault.auth.method '" + method + "' is not one of token, approle, kubernetes, jwt, none");
    }
  }

  /**
   * Reads a file holding one login credential, trimmed of white space (space, tab, CR, LF) at both
   * ends; wipes what it read.
   */
  static SecretValue readSecretFile(String file, String property) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(Path.of(file));
    } catch (IOException | InvalidPathException e) {
      throw new SecretConfigurationException(
          "property vault." + property + ": " + file + " could not be read (" + e.getClass().getSimpleName() + ")");
    }
    int from = 0;
    int end = bytes.length;
    while (end > 0 && space(bytes[end - 1])) {
      end--;
    }
    while (from < end && space(bytes[from])) {
      from++;
    }
    byte[] trimmed = Arrays.copyOfRange(bytes, from, end);
    Arrays.fill(bytes, (byte) 0);
    try {
      return SecretValue.fromUtf8(trimmed);
    } finally {
      Arrays.fill(trimmed, (byte) 0);
    }
  }

  private static boolean space(byte b) {
    return b == '\n' || b == '\r' || b == ' ' || b == '\t';
  }
}
