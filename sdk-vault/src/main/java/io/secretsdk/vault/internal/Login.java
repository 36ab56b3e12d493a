package io.secretsdk.vault.internal;

import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import io.secretsdk.vault.VaultSecretSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a client token is obtained: a given token, or a login with AppRole, Kubernetes or JWT.
 * Secrets used to log in are sent as {@code byte[]} bodies that are wiped after each login.
 */
public abstract class Login {

  /**
   * A token Vault granted.
   *
   * @param token the client token, owned by the receiver (empty for {@link #none()})
   * @param header the token as the {@code X-Vault-Token} header needs it: the one String made of
   *     it; {@code null} to send no token header
   * @param ttl how long it lasts from now, or {@code null} if it never expires
   * @param renewable whether {@code renew-self} can extend it
   */
  public record Grant(SecretValue token, @Nullable String header, @Nullable Duration ttl, boolean renewable) {
    /**
     * Never shows the token.
     *
     * @return the lifetime only
     */
    @Override
    public String toString() {
      return "Grant[ttl=" + ttl + ", renewable=" + renewable + "]";
    }
  }

  Login() {}

  /**
   * Names the method in messages, never with a secret.
   *
   * @return e.g. {@code "AppRole login at auth/approle"}
   */
  public abstract String describe();

  /**
   * Whether a new token can be obtained when the current one stops working.
   *
   * @return {@code false} for a given token
   */
  public abstract boolean canLogInAgain();

  /**
   * Obtains a token.
   *
   * @param http the transport
   * @return the grant, whose token the caller owns
   * @throws SecretException if Vault refuses or cannot be reached
   */
  public abstract Grant login(VaultHttp http);

  /** Wipes what this login holds, and drops the token's header String. */
  public abstract void destroy();

  /**
   * Whether a request refused with 403 should be followed by {@code auth/token/lookup-self} to
   * tell a dead token from a missing policy.
   *
   * @return {@code false} when there is no token, or the token may not look itself up
   */
  public boolean mayLookUpSelf() {
    return true;
  }

  /**
   * No token at all: for a Vault Agent or Vault Proxy with {@code use_auto_auth_token}, which adds
   * its own.
   *
   * @return the login
   */
  public static Login none() {
    return new NoLogin();
  }

  /**
   * A given token; "logging in" looks the token up to learn its lifetime.
   *
   * @param token the token; copied
   * @return the login
   */
  public static Login token(SecretValue token) {
    return new TokenLogin(SecretValue.wrap(token.toCharArray()));
  }

  /**
   * AppRole.
   *
   * @param mount the auth mount, usually {@code approle}
   * @param roleId the role id
   * @param secretId the secret id; copied
   * @return the login
   */
  public static Login appRole(String mount, String roleId, SecretValue secretId) {
    return new AppRoleLogin(mount, roleId, SecretValue.wrap(secretId.toCharArray()));
  }

  /**
   * Kubernetes or JWT: a role and a token read from a file at each login.
   *
   * @param kind {@code "Kubernetes"} or {@code "JWT"}, for messages
   * @param mount the auth mount, e.g. {@code kubernetes} or {@code jwt}
   * @param role the role
   * @param jwtFile the file holding the JWT
   * @return the login
   */
  public static Login jwt(String kind, String mount, String role, Path jwtFile) {
    return new JwtLogin(kind, mount, role, jwtFile);
  }

  /**
   * Reads the {@code auth} block of a login or renewal answer.
   *
   * @param body the answer's body
   * @param what names the operation in errors
   * @return the grant
   * @throws SecretFormatException if the answer has no usable {@code auth.client_token}
   */
  public static Grant grant(byte[] body, String what) {
    Json.Obj root = Json.parse(body, what, null);
    Json.Obj auth = Json.obj(root, "auth", what, null);
    if (auth == null) {
      throw new SecretFormatException(what + ": Vault's answer has no 'auth' block");
    }
    Json.Str token = Json.str(auth, "client_token", what, null);
    if (token == null) {
      throw new SecretFormatException(what + ": Vault's answer has no 'auth.client_token'");
    }
    Long ttl = Json.integer(auth, "lease_duration", body, what, null);
    Boolean renewable = Json.bool(auth, "renewable", what, null);
    char[] chars = token.chars(body, what);
    checkTokenChars(chars, what);
    String header = new String(chars);
    return new Grant(SecretValue.wrap(chars), header, ttl == null || ttl <= 0 ? null : Duration.ofSeconds(ttl),
        Boolean.TRUE.equals(renewable));
  }

  /**
   * A token's lifetime as a renewal states it.
   *
   * @param ttl how long it lasts from now, or {@code null} if it never expires
   * @param renewable whether it can be renewed again
   */
  public record Lifetime(@Nullable Duration ttl, boolean renewable) {}

  /**
   * Reads the lifetime from the {@code auth} block of a {@code renew-self} answer, leaving the
   * token (the one already held) undecoded.
   *
   * @param body the answer's body
   * @param what names the operation in errors
   * @return the lifetime
   * @throws SecretFormatException if the answer has no {@code auth} block
   */
  public static Lifetime lifetime(byte[] body, String what) {
    Json.Obj root = Json.parse(body, what, null);
    Json.Obj auth = Json.obj(root, "auth", what, null);
    if (auth == null) {
      throw new SecretFormatException(what + ": Vault's answer has no 'auth' block");
    }
    Long ttl = Json.integer(auth, "lease_duration", body, what, null);
    Boolean renewable = Json.bool(auth, "renewable", what, null);
    return new Lifetime(ttl == null || ttl <= 0 ? null : Duration.ofSeconds(ttl), Boolean.TRUE.equals(renewable));
  }

  /** A token goes into an HTTP header: printable ASCII only. Wipes it if not. */
  static void checkTokenChars(char[] chars, String what) {
    if (!validTokenChars(chars)) {
      Arrays.fill(chars, '\0');
      throw new SecretFormatException(what + ": the client token is empty or not printable ASCII");
    }
  }

  /** Whether a token can go into an HTTP header: non-empty, printable ASCII, no space. Copies nothing. */
  static boolean validTokenChars(char[] chars) {
    boolean ok = chars.length > 0;
    for (char c : chars) {
      ok &= c > 0x20 && c < 0x7F;
    }
    return ok;
  }

  /** POSTs a login body (then wipes it) and returns a copy of a 200 answer's body. */
  static byte[] send(VaultHttp http, String path, byte[] body, String what) {
    try (VaultHttp.Response r = http.send("POST", path, null, body, what, null)) {
      if (r.status() != 200) {
        throw VaultErrors.toException(r, what, null);
      }
      return r.body().clone();
    } finally {
      Arrays.fill(body, (byte) 0);
    }
  }

  /** No token header: a Vault Agent or Proxy in front of Vault adds its own. */
  private static final class NoLogin extends Login {
    @Override
    public String describe() {
      return "no token (a Vault Agent or Proxy adds it)";
    }

    @Override
    public boolean canLogInAgain() {
      return false;
    }

    @Override
    public boolean mayLookUpSelf() {
      return false;
    }

    @Override
    public Grant login(VaultHttp http) {
      return new Grant(SecretValue.wrap(new char[0]), null, null, false);
    }

    @Override
    public void destroy() {}
  }

  private static final class TokenLogin extends Login {
    private static final Logger LOG = LoggerFactory.getLogger(VaultSecretSource.class);

    private final SecretValue token;
    private volatile @Nullable String header;
    /** Whether lookup-self answered: null before the first look-up. */
    private volatile @Nullable Boolean lookUpAllowed;

    TokenLogin(SecretValue token) {
      this.token = token;
      // The check reads the copy withChars lends (and wipes); no other copy is made.
      boolean valid = token.withChars(Login::validTokenChars);
      if (!valid) {
        token.destroy();
        throw new SecretFormatException("the Vault token: the client token is empty or not printable ASCII");
      }
      this.header = token.revealString();
    }

    @Override
    public String describe() {
      return "token auth";
    }

    @Override
    public boolean canLogInAgain() {
      return false;
    }

    @Override
    public boolean mayLookUpSelf() {
      return !Boolean.FALSE.equals(lookUpAllowed);
    }

    @Override
    public Grant login(VaultHttp http) {
      String h = header;
      if (h == null) {
        throw new IllegalStateException("this VaultSecretSource is closed");
      }
      String what = "looking up the Vault token (auth/token/lookup-self)";
      byte[] body;
      try (VaultHttp.Response r = http.send("GET", "auth/token/lookup-self", h, null, what, null)) {
        if (r.status() == 403 || r.status() == 401) {
          if (Boolean.TRUE.equals(lookUpAllowed)) {
            // It could look itself up before: the token itself is no longer accepted.
            throw new SecretAccessDeniedException(
                what + ": Vault does not accept the token (HTTP " + r.status()
                    + "); it is invalid, expired or revoked, and token auth cannot log in again: supply a new token");
          }
          if (lookUpAllowed == null) {
            LOG.warn("Vault refuses the token's look-up (HTTP {} for auth/token/lookup-self: a token without the default"
                + " policy?); using the token anyway, without renewal and with its expiry unknown", r.status());
          }
          lookUpAllowed = Boolean.FALSE;
          return new Grant(SecretValue.wrap(token.toCharArray()), h, null, false);
        }
        if (r.status() != 200) {
          throw VaultErrors.toException(r, what, null);
        }
        lookUpAllowed = Boolean.TRUE;
        body = r.body().clone();
      }
      try {
        Json.Obj root = Json.parse(body, what, null);
        Json.Obj data = Json.obj(root, "data", what, null);
        Long ttl = data == null ? null : Json.integer(data, "ttl", body, what, null);
        Boolean renewable = data == null ? null : Json.bool(data, "renewable", what, null);
        return new Grant(SecretValue.wrap(token.toCharArray()), h, ttl == null || ttl <= 0 ? null : Duration.ofSeconds(ttl),
            Boolean.TRUE.equals(renewable));
      } finally {
        Arrays.fill(body, (byte) 0);
      }
    }

    @Override
    public void destroy() {
      token.destroy();
      // A String cannot be wiped: drop the one reference this class holds.
      header = null;
    }
  }

  private static final class AppRoleLogin extends Login {
    private final String mount;
    private final String roleId;
    private final SecretValue secretId;

    AppRoleLogin(String mount, String roleId, SecretValue secretId) {
      this.mount = Objects.requireNonNull(mount, "mount");
      this.roleId = Objects.requireNonNull(roleId, "roleId");
      this.secretId = secretId;
    }

    @Override
    public String describe() {
      return "AppRole login at auth/" + mount;
    }

    @Override
    public boolean canLogInAgain() {
      return true;
    }

    @Override
    public Grant login(VaultHttp http) {
      String what = describe();
      byte[] request = secretId.withChars(chars -> new JsonBody().field("role_id", roleId).field("secret_id", chars).toBytes());
      byte[] body = send(http, "auth/" + VaultHttp.encodePath(mount) + "/login", request, what);
      try {
        return grant(body, what);
      } finally {
        Arrays.fill(body, (byte) 0);
      }
    }

    @Override
    public void destroy() {
      secretId.destroy();
    }
  }

  private static final class JwtLogin extends Login {
    private final String kind;
    private final String mount;
    private final String role;
    private final Path jwtFile;

    JwtLogin(String kind, String mount, String role, Path jwtFile) {
      this.kind = kind;
      this.mount = Objects.requireNonNull(mount, "mount");
      this.role = Objects.requireNonNull(role, "role");
      this.jwtFile = Objects.requireNonNull(jwtFile, "jwtFile");
    }

    @Override
    public String describe() {
      return kind + " login as role '" + role + "' at auth/" + mount;
    }

    @Override
    public boolean canLogInAgain() {
      return true;
    }

    @Override
    public Grant login(VaultHttp http) {
      String what = describe();
      byte[] jwt;
      try {
        // Read at each login: Kubernetes rotates projected service-account tokens.
        jwt = Files.readAllBytes(jwtFile);
      } catch (NoSuchFileException e) {
        throw new SecretAccessDeniedException(what + ": the token file " + jwtFile + " does not exist");
      } catch (IOException e) {
        throw new SecretAccessDeniedException(
            what + ": the token file " + jwtFile + " could not be read (" + e.getClass().getSimpleName() + ")");
      }
      byte[] request;
      try {
        request = new JsonBody().field("role", role).fieldUtf8Trimmed("jwt", jwt).toBytes();
      } finally {
        Arrays.fill(jwt, (byte) 0);
      }
      byte[] body = send(http, "auth/" + VaultHttp.encodePath(mount) + "/login", request, what);
      try {
        return grant(body, what);
      } finally {
        Arrays.fill(body, (byte) 0);
      }
    }

    @Override
    public void destroy() {}
  }
}
