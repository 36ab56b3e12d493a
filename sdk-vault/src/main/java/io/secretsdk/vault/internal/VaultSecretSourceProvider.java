package io.secretsdk.vault.internal;

import io.secretsdk.SecretSource;
import io.secretsdk.SecretValue;
import io.secretsdk.spi.SecretSourceProvider;
import io.secretsdk.vault.VaultAuth;
import io.secretsdk.vault.VaultSecretSource;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link VaultSecretSource}s from properties (never secret values; secrets come from files):
 *
 * <ul>
 *   <li>{@code address} (required), {@code namespace};
 *   <li>{@code auth.method}: {@code token} ({@code auth.token-file}), {@code approle} ({@code
 *       auth.role-id}, {@code auth.secret-id-file}), {@code kubernetes} ({@code auth.role},
 *       {@code auth.jwt-file}, default the pod's service-account token) or {@code jwt} ({@code
 *       auth.role}, {@code auth.jwt-file}); {@code auth.mount} overrides the method's mount;
 *   <li>{@code kv-v2-mounts}, {@code kv-v1-mounts}, {@code database-mounts} (comma separated),
 *       {@code ca-pem} (a PEM CA bundle), {@code request-timeout} (seconds, or ISO-8601 such as
 *       {@code PT5S}), {@code revoke-on-close} ({@code true}/{@code false}).
 * </ul>
 */
public final class VaultSecretSourceProvider implements SecretSourceProvider {

  /** Used by {@link java.util.ServiceLoader}. */
  public VaultSecretSourceProvider() {}

  @Override
  public String scheme() {
    return "vault";
  }

  @Override
  public SecretSource create(Map<String, String> properties) {
    String address = required(properties, "address");
    VaultSecretSource.Builder b = VaultSecretSource.builder();
    try {
      b.address(URI.create(address));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("vault.address is not a URL: " + address);
    }
    String ns = properties.get("namespace");
    if (ns != null && !ns.isBlank()) {
      b.namespace(ns.strip());
    }
    b.auth(auth(properties));
    String v;
    if ((v = properties.get("kv-v2-mounts")) != null) {
      b.kvV2Mounts(list(v));
    }
    if ((v = properties.get("kv-v1-mounts")) != null) {
      b.kvV1Mounts(list(v));
    }
    if ((v = properties.get("database-mounts")) != null) {
      b.databaseMounts(list(v));
    }
    if ((v = properties.get("ca-pem")) != null && !v.isBlank()) {
      b.caCertificates(Path.of(v.strip()));
    }
    if ((v = properties.get("request-timeout")) != null && !v.isBlank()) {
      b.requestTimeout(duration(v.strip()));
    }
    if ((v = properties.get("revoke-on-close")) != null) {
      b.revokeOnClose(Boolean.parseBoolean(v.strip()));
    }
    return b.build();
  }

  private static String[] list(String v) {
    return Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toArray(String[]::new);
  }

  private static Duration duration(String v) {
    try {
      if (v.chars().allMatch(Character::isDigit)) {
        return Duration.ofSeconds(Long.parseLong(v));
      }
      return Duration.parse(v);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException("vault.request-timeout is not a duration (seconds, or ISO-8601 like PT5S): " + v);
    }
  }

  private static String required(Map<String, String> p, String key) {
    String v = p.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("the vault secret source needs the property vault." + key);
    }
    return v.strip();
  }

  private static @Nullable String mount(Map<String, String> p) {
    String m = p.get("auth.mount");
    return m == null || m.isBlank() ? null : m.strip();
  }

  private static VaultAuth auth(Map<String, String> p) {
    String method = required(p, "auth.method").toLowerCase(Locale.ROOT);
    String mount = mount(p);
    switch (method) {
      case "token": {
        SecretValue token = readSecretFile(Path.of(required(p, "auth.token-file")), "auth.token-file");
        try {
          return VaultAuth.token(token);
        } finally {
          token.destroy();
        }
      }
      case "approle": {
        SecretValue secretId = readSecretFile(Path.of(required(p, "auth.secret-id-file")), "auth.secret-id-file");
        try {
          return VaultAuth.appRole(mount == null ? "approle" : mount, required(p, "auth.role-id"), secretId);
        } finally {
          secretId.destroy();
        }
      }
      case "kubernetes": {
        String file = p.get("auth.jwt-file");
        Path jwt = file == null || file.isBlank() ? VaultAuth.KUBERNETES_TOKEN_FILE : Path.of(file.strip());
        return VaultAuth.kubernetes(mount == null ? "kubernetes" : mount, required(p, "auth.role"), jwt);
      }
      case "jwt":
        return VaultAuth.jwt(mount == null ? "jwt" : mount, required(p, "auth.role"), Path.of(required(p, "auth.jwt-file")));
      default:
        throw new IllegalArgumentException(
            "vault.auth.method '" + method + "' is not one of token, approle, kubernetes, jwt");
    }
  }

  /** Reads a file holding one secret, without its trailing white space; wipes what it read. */
  static SecretValue readSecretFile(Path file, String property) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "vault." + property + ": " + file + " could not be read (" + e.getClass().getSimpleName() + ")");
    }
    int end = bytes.length;
    while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r' || bytes[end - 1] == ' ' || bytes[end - 1] == '\t')) {
      end--;
    }
    byte[] trimmed = Arrays.copyOf(bytes, end);
    Arrays.fill(bytes, (byte) 0);
    try {
      return SecretValue.fromUtf8(trimmed);
    } finally {
      Arrays.fill(trimmed, (byte) 0);
    }
  }
}
