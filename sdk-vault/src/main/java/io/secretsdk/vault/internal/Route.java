package io.secretsdk.vault.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where a reference's name points in Vault, by the rule documented on {@code VaultSecretSource}.
 *
 * @param kind which engine answers
 * @param mount the mount, without slashes at either end
 * @param path the path inside the mount (the role, for database credentials)
 * @param apiPath the path to read, under {@code /v1/}, not yet encoded
 *
 * <p>Names under {@code auth/} and {@code sys/} are refused: they are Vault's API, not secrets
 * ({@code auth/token/lookup-self} would return the SDK's own token).
 */
public record Route(Kind kind, String mount, String path, String apiPath) {

  /** The engines this client reads. */
  public enum Kind {
    /** KV version 2: versions, metadata. */
    KV2,
    /** KV version 1, or any other path read as is, with an advisory TTL. */
    KV1,
    /** Dynamic database credentials: a lease. */
    DATABASE_CREDS,
    /** Static database role: a password Vault rotates on a schedule. */
    DATABASE_STATIC
  }

  /**
   * The KV v2 metadata path of this secret.
   *
   * @return {@code <mount>/metadata/<path>}
   */
  public String metadataPath() {
    return mount + "/metadata/" + path;
  }

  /**
   * Routes a name.
   *
   * @param ref the reference, for errors
   * @param kv2Mounts the KV v2 mounts
   * @param kv1Mounts the KV v1 mounts
   * @param databaseMounts the database secrets engine mounts
   * @return the route
   * @throws InvalidSecretRefException if the name is not a usable Vault path
   */
  public static Route of(SecretRef ref, Set<String> kv2Mounts, Set<String> kv1Mounts, Set<String> databaseMounts) {
    String name = ref.name();
    while (name.startsWith("/")) {
      name = name.substring(1);
    }
    if (name.startsWith("v1/")) {
      name = name.substring(3);
    }
    if (name.equals("auth") || name.equals("sys") || name.startsWith("auth/") || name.startsWith("sys/")) {
      // auth/token/lookup-self answers with the SDK's own token; sys/ is Vault's configuration.
      throw new InvalidSecretRefException("vault secret '" + ref.name() + "': paths under auth/ and sys/ are Vault's own"
          + " API (tokens, logins, configuration), not secrets, and are never read as one", ref);
    }
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new InvalidSecretRefException(
            "vault secret '" + ref.name() + "': a Vault path has no empty, '.' or '..' segments", ref);
      }
    }
    String kv2 = longestMount(name, kv2Mounts);
    String kv1 = longestMount(name, kv1Mounts);
    String db = longestMount(name, databaseMounts);
    if (kv2 != null && (kv1 == null || kv2.length() >= kv1.length()) && (db == null || kv2.length() >= db.length())) {
      String rest = name.substring(kv2.length() + 1);
      if (rest.startsWith("metadata/") || rest.startsWith("delete/") || rest.startsWith("destroy/")
          || rest.startsWith("undelete/")) {
        throw new InvalidSecretRefException(
            "vault secret '" + ref.name() + "': '" + kv2 + "' is a KV v2 mount; name a secret as '" + kv2
                + "/data/<path>' or '" + kv2 + "/<path>'",
            ref);
      }
      String path = rest.startsWith("data/") ? rest.substring(5) : rest;
      return new Route(Kind.KV2, kv2, path, kv2 + "/data/" + path);
    }
    if (db != null && (kv1 == null || db.length() >= kv1.length())) {
      String rest = name.substring(db.length() + 1);
      int slash = rest.indexOf('/');
      String op = slash < 0 ? rest : rest.substring(0, slash);
      String role = slash < 0 ? "" : rest.substring(slash + 1);
      if (role.isEmpty() || role.contains("/") || !(op.equals("creds") || op.equals("static-creds"))) {
        throw new InvalidSecretRefException(
            "vault secret '" + ref.name() + "': '" + db + "' is a database secrets mount; name credentials as '" + db
                + "/creds/<role>' or '" + db + "/static-creds/<role>'",
            ref);
      }
      return new Route(op.equals("creds") ? Kind.DATABASE_CREDS : Kind.DATABASE_STATIC, db, role, name);
    }
    if (kv1 != null) {
      return new Route(Kind.KV1, kv1, name.substring(kv1.length() + 1), name);
    }
    int slash = name.indexOf('/');
    if (slash < 0) {
      throw new InvalidSecretRefException(
          "vault secret '" + ref.name() + "': a Vault path is '<mount>/<path>'", ref);
    }
    return new Route(Kind.KV1, name.substring(0, slash), name.substring(slash + 1), name);
  }

  private static @Nullable String longestMount(String name, Set<String> mounts) {
    String best = null;
    for (String m : mounts) {
      if (name.startsWith(m + "/") && name.length() > m.length() + 1 && (best == null || m.length() > best.length())) {
        best = m;
      }
    }
    return best;
  }
}
