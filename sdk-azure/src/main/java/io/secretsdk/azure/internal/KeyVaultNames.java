package io.secretsdk.azure.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretRef;
import io.secretsdk.VersionStage;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Vault URLs and secret references: which hosts are Key Vault vaults, and how a reference names a
 * secret and a version (by name against the vault, or by the full secret identifier).
 */
public final class KeyVaultNames {
  /**
   * The DNS suffixes of Key Vault vaults, one per cloud: Azure, Azure China, Azure US Government,
   * Azure Germany.
   */
  public static final List<String> VAULT_SUFFIXES =
      List.of(".vault.azure.net", ".vault.azure.cn", ".vault.usgovcloudapi.net", ".vault.microsoftazure.de");

  private static final int MAX_NAME = 127;
  private static final int MAX_VERSION = 64;

  private KeyVaultNames() {}

  /** The secret and version a reference names; {@code version} is {@code null} for the current one. */
  public record Target(String name, @Nullable String version) {}

  /**
   * Checks a vault URL as a user wrote it: {@code https://}, a Key Vault host, no path beyond
   * {@code /}, no query or fragment, no user info.
   *
   * @param url the URL, e.g. {@code https://my-vault.vault.azure.net}
   * @return the URL as {@code https://host[:port]}
   * @throws SecretConfigurationException saying what is wrong and what a vault URL looks like
   */
  public static String checkVaultUrl(String url) {
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw badVault(url, "it is not a URL");
    }
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw badVault(url, "it is not an absolute URL with a host");
    }
    if (!uri.getScheme().equalsIgnoreCase("https")) {
      throw badVault(url, "Key Vault is reached over HTTPS only (the client sends tokens to it)");
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
        || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))) {
      throw badVault(url, "a vault URL has no path, query or user info");
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    if (host.contains(".managedhsm.")) {
      throw badVault(url, "a Managed HSM holds keys only, not secrets");
    }
    if (!isVaultHost(host)) {
      throw badVault(url, "the host is not a Key Vault vault (" + String.join(", ", VAULT_SUFFIXES)
          + "); to use another host (a test server, a proxy), give the builder a SecretClient of your own");
    }
    return "https://" + host + (uri.getPort() > 0 && uri.getPort() != 443 ? ":" + uri.getPort() : "");
  }

  /**
   * Whether a host is a vault of one of the Azure clouds: one DNS label of 3 to 24 letters, digits
   * and dashes, then a {@link #VAULT_SUFFIXES suffix}.
   *
   * @param host a lowercase host name
   * @return {@code true} for a Key Vault vault
   */
  public static boolean isVaultHost(String host) {
    for (String suffix : VAULT_SUFFIXES) {
      if (host.endsWith(suffix)) {
        String label = host.substring(0, host.length() - suffix.length());
        return label.length() >= 3 && label.length() <= 24 && isNameChars(label) && !label.startsWith("-")
            && !label.endsWith("-") && !label.contains("--");
      }
    }
    return false;
  }

  /**
   * What a reference names: {@code NAME} (with {@code ?version=V}), or the secret identifier {@code
   * https://host/secrets/NAME[/VERSION]} of this source's vault. {@code ?stage=current} is the
   * current version; other stages are handled by the caller.
   *
   * @param ref the reference
   * @param vaultUrl this source's vault, {@code https://host[:port]}
   * @return the secret's name and the version, if one is named
   * @throws InvalidSecretRefException if the name, version or identifier is malformed, names another
   *     vault, or names two different versions
   */
  public static Target target(SecretRef ref, String vaultUrl) {
    String name = ref.name();
    String version = null;
    if (name.regionMatches(true, 0, "https://", 0, 8) || name.regionMatches(true, 0, "http://", 0, 7)) {
      URI uri;
      try {
        uri = new URI(name);
      } catch (URISyntaxException e) {
        throw invalid(ref, "is not a valid secret identifier URL");
      }
      String origin = uri.getScheme().toLowerCase(Locale.ROOT) + "://"
          + (uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT))
          + (uri.getPort() > 0 && uri.getPort() != 443 ? ":" + uri.getPort() : "");
      if (!origin.equalsIgnoreCase(vaultUrl)) {
        throw invalid(ref, "names another vault than this source's " + vaultUrl
            + "; a source reads one vault (configure one source per vault)");
      }
      if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw invalid(ref, "has a query in its identifier; write the version as /secrets/NAME/VERSION or ?version=V");
      }
      String[] parts = (uri.getRawPath() == null ? "" : uri.getRawPath()).split("/", -1);
      // "", "secrets", NAME [, VERSION] [, ""]
      int n = parts.length;
      if (n > 0 && parts[n - 1].isEmpty() && n > 3) {
        n--;
      }
      if (n < 3 || n > 4 || !parts[0].isEmpty() || !parts[1].equalsIgnoreCase("secrets")) {
        throw invalid(ref, "is not a secret identifier https://<vault>/secrets/<name>[/<version>]");
      }
      name = parts[2];
      version = n == 4 ? parts[3] : null;
    }
    checkName(ref, name);
    if (ref.version().isPresent()) {
      String v = ref.version().get();
      if (version != null && !version.equalsIgnoreCase(v)) {
        throw invalid(ref, "names two versions, " + version + " in its identifier and " + v + " in ?version");
      }
      version = v;
    }
    if (version != null) {
      checkVersion(ref, version);
    }
    if (version != null && ref.stage().isPresent() && ref.stage().get() != VersionStage.CURRENT) {
      throw invalid(ref, "names both a version and a stage; name one");
    }
    return new Target(name, version);
  }

  private static void checkName(SecretRef ref, String name) {
    if (name.isEmpty() || name.length() > MAX_NAME || !isNameChars(name)) {
      throw invalid(ref, "has a secret name that Key Vault cannot hold: names are 1 to 127 letters, digits and"
          + " dashes (a '/' or '_' is not allowed; write the name, or the full identifier https://<vault>/secrets/<name>)");
    }
  }

  private static void checkVersion(SecretRef ref, String version) {
    if (version.isEmpty() || version.length() > MAX_VERSION || !isNameChars(version) || version.contains("-")) {
      throw invalid(ref, "has a version that is not a Key Vault version id (32 letters and digits)");
    }
  }

  private static boolean isNameChars(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /**
   * The name and version of a secret identifier as Key Vault returns it ({@code id}).
   *
   * @param id {@code https://host/secrets/NAME/VERSION}
   * @return the name and version, or {@code null} if {@code id} is not of that form
   */
  public static @Nullable Target parseId(@Nullable String id) {
    if (id == null) {
      return null;
    }
    int at = id.indexOf("/secrets/");
    if (at < 0) {
      return null;
    }
    String[] parts = id.substring(at + "/secrets/".length()).split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty() || !isNameChars(parts[0])
        || !isNameChars(parts[1])) {
      return null;
    }
    return new Target(parts[0], parts[1]);
  }

  private static InvalidSecretRefException invalid(SecretRef ref, String why) {
    return new InvalidSecretRefException("azure-kv reference '" + ref.toUri() + "' " + why, ref);
  }

  private static SecretConfigurationException badVault(String url, String why) {
    return new SecretConfigurationException(
        "vault URL '" + url + "' cannot be used: " + why + "; a vault URL looks like https://my-vault.vault.azure.net");
  }
}
