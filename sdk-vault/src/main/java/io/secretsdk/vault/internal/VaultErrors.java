package io.secretsdk.vault.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Turns an unsuccessful Vault answer into the SDK's exceptions.
 *
 * <p>Vault's {@code {"errors":[...]}} messages are never copied into an exception: they can echo
 * request input. Each message is decoded into a {@code char[]}, searched for a fixed list of
 * phrases that say what happened and cannot hold a value, and wiped; only the phrases found are
 * quoted.
 */
public final class VaultErrors {
  /** Phrases Vault uses that are safe to repeat, most telling first. */
  private static final List<String> KNOWN = List.of(
      "invalid token",
      "token expired",
      "missing client token",
      "permission denied",
      "Vault is sealed",
      "lease not found",
      "lease is not renewable",
      "lease expired",
      "invalid lease ID",
      "local node not active",
      "standby",
      "rate limit quota exceeded",
      "unsupported path",
      "no handler for route",
      "role not found",
      "invalid role ID",
      "invalid secret id",
      "namespace not found",
      "invalid version");

  private VaultErrors() {}

  /**
   * The known phrases among the messages of an {@code {"errors":[...]}} body.
   *
   * @param body the body; read, not modified
   * @return the phrases found, possibly none; empty as well if the body is not such an object
   */
  public static List<String> phrases(byte[] body) {
    List<String> found = new ArrayList<>();
    Json.Obj root;
    try {
      root = Json.parse(body, "Vault's error answer", null);
    } catch (SecretException e) {
      return found;
    }
    Json.Node errors = root.get("errors");
    if (!(errors instanceof Json.Arr)) {
      return found;
    }
    for (Json.Node item : ((Json.Arr) errors).items()) {
      if (!(item instanceof Json.Str)) {
        continue;
      }
      char[] message;
      try {
        message = ((Json.Str) item).chars(body, "Vault's error answer");
      } catch (SecretException e) {
        continue;
      }
      try {
        for (String phrase : KNOWN) {
          if (!found.contains(phrase) && containsIgnoreCase(message, phrase)) {
            found.add(phrase);
          }
        }
      } finally {
        Arrays.fill(message, '\0');
      }
    }
    return found;
  }

  /**
   * Whether the answer says the token itself is bad, rather than that it lacks a policy.
   *
   * @param body a 403 body
   * @return {@code true} if Vault said the token is invalid, expired or missing
   */
  public static boolean saysTokenInvalid(byte[] body) {
    List<String> p = phrases(body);
    return p.contains("invalid token") || p.contains("token expired") || p.contains("missing client token");
  }

  static boolean containsIgnoreCase(char[] text, String phrase) {
    int m = phrase.length();
    outer:
    for (int i = 0; i + m <= text.length; i++) {
      for (int k = 0; k < m; k++) {
        if (Character.toLowerCase(text[i + k]) != Character.toLowerCase(phrase.charAt(k))) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * The exception for an unsuccessful answer.
   *
   * @param r the answer
   * @param what what was being done, e.g. {@code "reading vault secret 'secret/app'"}
   * @param ref the secret concerned, or {@code null}
   * @return the exception to throw
   */
  public static SecretException toException(VaultHttp.Response r, String what, @Nullable SecretRef ref) {
    int status = r.status();
    List<String> phrases = phrases(r.body());
    String said = phrases.isEmpty() ? "" : " (Vault said: " + String.join(", ", phrases) + ")";
    switch (status) {
      case 400:
        return new InvalidSecretRefException(
            what + ": Vault rejected the request as invalid (HTTP 400)" + said + "; check the path and parameters", ref);
      case 401:
      case 403:
        return new SecretAccessDeniedException(
            what + ": Vault denied access (HTTP " + status + ")" + said
                + "; check the policies of the token or auth role",
            ref);
      case 404:
        return new SecretNotFoundException(what + ": Vault has nothing at this path (HTTP 404)" + said, ref);
      case 412:
        return new SecretUnavailableException(
            what + ": Vault has not caught up with a recent write yet (HTTP 412); retry", ref);
      case 429:
        return new SecretThrottledException(
            what + ": Vault asked to slow down (HTTP 429)" + said + "; retry later", ref, null, r.retryAfter().orElse(null));
      case 503:
        return new SecretUnavailableException(
            what + ": Vault is sealed, in standby or under maintenance (HTTP 503)" + said + "; retry later", ref);
      default:
        if (status >= 300 && status < 400) {
          return new SecretUnavailableException(
              what + ": Vault answered with a redirect (HTTP " + status
                  + "), as a standby node does; point the address at the active node or its load balancer",
              ref);
        }
        if (status >= 500) {
          return new SecretUnavailableException(what + ": Vault failed (HTTP " + status + ")" + said + "; retry later", ref);
        }
        return new SecretFormatException(what + ": Vault answered HTTP " + status + said, ref);
    }
  }
}
