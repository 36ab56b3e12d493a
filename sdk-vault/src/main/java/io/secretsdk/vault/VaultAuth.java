package io.secretsdk.vault;

import io.secretsdk.SecretValue;
import io.secretsdk.vault.internal.Login;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link VaultSecretSource} authenticates to Vault.
 *
 * <ul>
 *   <li>{@link #token}: a given client token. It is looked up ({@code auth/token/lookup-self},
 *       which Vault's {@code default} policy allows) to learn its lifetime, and renewed while
 *       renewable; it cannot be replaced when it expires. A token that may not look itself up
 *       (lookup-self answers 403: a token created without the {@code default} policy) is used
 *       anyway, with one WARN: it is not renewed and its expiry is unknown.
 *   <li>{@link #none()}: no token header at all, for a Vault Agent or Vault Proxy with {@code
 *       use_auto_auth_token} that adds its own.
 *   <li>{@link #appRole}: {@code auth/approle/login} with a role id and secret id.
 *   <li>{@link #kubernetes}: {@code auth/kubernetes/login} with the pod's service-account JWT,
 *       read from its file at each login (Kubernetes rotates projected tokens).
 *   <li>{@link #jwt}: {@code auth/<mount>/login} with a JWT read from a file at each login.
 * </ul>
 *
 * <p>Files that hold the SDK's own login credentials (the service-account or JWT file here, the
 * token and secret-id files of the {@code vault.auth.*} properties) are trimmed of white space at
 * both ends, as Vault's own CLI trims them, so that the newline an editor or {@code echo} adds does
 * not break the login. Secret values are never trimmed: a value read from Vault or from a file
 * ({@code FileSecretSource}) is kept exactly.
 *
 * <p>Secrets given here are copied: the caller keeps, and should destroy, its own. A {@code
 * VaultAuth} is handed to one source, which takes over the copy and wipes it at close; building a
 * second source from the same {@code VaultAuth} is refused.
 *
 * <p>{@code toString()} names the method and role, never a secret.
 */
public final class VaultAuth {
  /** Where Kubernetes mounts a pod's service-account token. */
  public static final Path KUBERNETES_TOKEN_FILE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  private final String description;
  private final AtomicReference<@Nullable Login> login;

  private VaultAuth(String description, Login login) {
    this.description = description;
    this.login = new AtomicReference<>(login);
  }

  /**
   * Authenticates with a given client token.
   *
   * @param token the token; copied
   * @return the authentication
   * @throws io.secretsdk.SecretFormatException if the token is empty or not printable ASCII
   */
  public static VaultAuth token(SecretValue token) {
    Objects.requireNonNull(token, "token");
    return new VaultAuth("token", Login.token(token));
  }

  /**
   * Sends no token: for a Vault Agent or Vault Proxy configured with {@code use_auto_auth_token},
   * which authenticates and adds the token itself. Point the source's address at the agent
   * (usually {@code http://127.0.0.1:8100}, loopback, so plain HTTP is allowed). Nothing is looked
   * up or renewed, and a refused request is simply access denied.
   *
   * @return the authentication
   */
  public static VaultAuth none() {
    return new VaultAuth("none (a Vault Agent or Proxy adds the token)", Login.none());
  }

  /**
   * Authenticates with AppRole at the {@code approle} mount.
   *
   * @param roleId the role id
   * @param secretId the secret id; copied
   * @return the authentication
   */
  public static VaultAuth appRole(String roleId, SecretValue secretId) {
    return appRole("approle", roleId, secretId);
  }

  /**
   * Authenticates with AppRole at another mount.
   *
   * @param mount the auth mount, e.g. {@code approle}
   * @param roleId the role id
   * @param secretId the secret id; copied
   * @return the authentication
   */
  public static VaultAuth appRole(String mount, String roleId, SecretValue secretId) {
    Objects.requireNonNull(secretId, "secretId");
    return new VaultAuth("AppRole at auth/" + mount, Login.appRole(mount, roleId, secretId));
  }

  /**
   * Authenticates with the Kubernetes method at the {@code kubernetes} mount.
   *
   * @param role the Vault role
   * @param jwtFile the service-account token file, usually {@link #KUBERNETES_TOKEN_FILE}
   * @return the authentication
   */
  public static VaultAuth kubernetes(String role, Path jwtFile) {
    return kubernetes("kubernetes", role, jwtFile);
  }

  /**
   * Authenticates with the Kubernetes method at another mount.
   *
   * @param mount the auth mount, e.g. {@code kubernetes}
   * @param role the Vault role
   * @param jwtFile the service-account token file
   * @return the authentication
   */
  public static VaultAuth kubernetes(String mount, String role, Path jwtFile) {
    return new VaultAuth("Kubernetes role '" + role + "' at auth/" + mount, Login.jwt("Kubernetes", mount, role, jwtFile));
  }

  /**
   * Authenticates with the JWT/OIDC method.
   *
   * @param mount the auth mount, e.g. {@code jwt}
   * @param role the Vault role
   * @param jwtFile the file holding the JWT, read at each login
   * @return the authentication
   */
  public static VaultAuth jwt(String mount, String role, Path jwtFile) {
    return new VaultAuth("JWT role '" + role + "' at auth/" + mount, Login.jwt("JWT", mount, role, jwtFile));
  }

  /** Hands the login over to the one source that uses it. */
  Login takeLogin() {
    Login l = login.getAndSet(null);
    if (l == null) {
      throw new IllegalStateException(
          "this VaultAuth (" + description + ") is already used by another VaultSecretSource; make a new one");
    }
    return l;
  }

  /**
   * Names the method, never a secret.
   *
   * @return e.g. {@code VaultAuth[AppRole at auth/approle]}
   */
  @Override
  public String toString() {
    return "VaultAuth[" + description + "]";
  }
}
