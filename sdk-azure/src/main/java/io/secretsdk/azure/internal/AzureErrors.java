package io.secretsdk.azure.internal;

import io.secretsdk.internal.RedactedCause;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Maps the exceptions of azure-core, azure-identity and the Key Vault client to secretsdk's typed
 * exceptions. Messages name the secret and the vault and say what to do; they never hold the
 * service's message or any part of a response body (only its error codes, which are identifiers).
 * The SDK's exception is attached as a {@link RedactedCause}, never as it is.
 */
public final class AzureErrors {
  /** What messages call the service. */
  public static final String SERVICE = "Azure Key Vault";
  /** The longest retry hint taken from an answer; a longer one is cut to it. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  private static final HttpHeaderName REQUEST_ID = HttpHeaderName.fromString("x-ms-request-id");
  private static final HttpHeaderName RETRY_AFTER_MS = HttpHeaderName.fromString("retry-after-ms");
  private static final HttpHeaderName X_MS_RETRY_AFTER_MS = HttpHeaderName.fromString("x-ms-retry-after-ms");
  private static final int MAX_CODES = 4;

  private AzureErrors() {}

  /**
   * Maps an exception thrown by one call of the client.
   *
   * @param e the exception
   * @param ref the secret asked for
   * @param vault the vault's URL, for messages
   * @param what the item as messages name it, e.g. {@code secret 'db' (current version)}
   * @return the typed exception to throw
   */
  public static SecretException map(RuntimeException e, SecretRef ref, String vault, String what) {
    RedactedCause cause = AzureCauses.of(e);
    String at = SERVICE + " " + vault;
    if (e instanceof HttpResponseException && ((HttpResponseException) e).getResponse() != null) {
      HttpResponseException he = (HttpResponseException) e;
      return fromResponse(he.getResponse(), he.getValue(), ref, at, what, cause);
    }
    if (isCredentialUnavailable(e)) {
      return new SecretConfigurationException(
          "no Azure credential could be had to read " + what + " from " + at + " (" + AzureCauses.describe(e)
              + "); run where a managed or workload identity is assigned, set AZURE_CLIENT_ID/AZURE_TENANT_ID"
              + " with a secret or federated token, sign in with 'az login' for development, or give the"
              + " builder a TokenCredential",
          ref, cause);
    }
    if (e instanceof ClientAuthenticationException) {
      return new SecretAccessDeniedException(
          "Microsoft Entra ID refused a token for reading " + what + " from " + at + " ("
              + AzureCauses.describe(e) + "); check the identity's tenant, client id and credentials",
          ref, cause);
    }
    if (find(e, CheckedJsonPolicy.OtherHostException.class) != null) {
      return new SecretFormatException(
          at + " answered " + what + " with a link to another host; it was not followed and nothing was sent there"
              + " (the vault's token goes to the vault only); check for a proxy rewriting answers",
          ref, cause);
    }
    Throwable timeout = find(e, HttpTimeoutException.class, SocketTimeoutException.class, TimeoutException.class);
    if (timeout != null) {
      return new SecretUnavailableException(
          at + " did not answer in time for " + what + " (" + AzureCauses.describe(timeout)
              + "); it will be tried again (check the network path to the vault and the client's timeouts)",
          ref, cause);
    }
    Throwable io = find(e, IOException.class);
    if (io != null && !isUnreadable(e)) {
      return new SecretUnavailableException(
          "could not reach " + at + " for " + what + " (" + AzureCauses.describe(io)
              + "); it will be tried again (check DNS, the firewall or private endpoint, and proxy settings)",
          ref, cause);
    }
    return new SecretUnavailableException(
        at + " sent an answer for " + what + " that could not be read (" + AzureCauses.describe(e)
            + "; truncated or not JSON: a proxy or a dropped connection can cause this); it will be tried again",
        ref, cause);
  }

  private static SecretException fromResponse(HttpResponse response, @Nullable Object value, SecretRef ref,
      String at, String what, Throwable cause) {
    int status = response.getStatusCode();
    List<String> codes = errorCodes(response, value);
    String requestId = requestId(response);
    String suffix = " (HTTP " + status + (codes.isEmpty() ? "" : ", error code " + String.join("/", codes))
        + (requestId == null ? "" : ", request id " + requestId) + ")";
    switch (status) {
      case 404:
        return new SecretNotFoundException(
            at + " has no " + what + suffix + "; check the secret's name and version, and that it is not deleted",
            ref, cause);
      case 401:
        return new SecretAccessDeniedException(
            at + " did not accept the caller's token for " + what + suffix
                + "; check that the credential's tenant is the vault's tenant",
            ref, cause);
      case 403:
        if (codes.contains("SecretDisabled")) {
          return new SecretAccessDeniedException(
              at + " has " + what + " disabled" + suffix
                  + "; enable that version (or read another), the vault refuses to return a disabled secret",
              ref, cause);
        }
        return new SecretAccessDeniedException(
            at + " forbade reading " + what + suffix + ": the identity lacks the permission to get secrets"
                + " (RBAC role 'Key Vault Secrets User' or an access policy with secrets/get), or the vault's"
                + " firewall refuses this network",
            ref, cause);
      case 429:
        return new SecretThrottledException(
            at + " throttled the request for " + what + suffix
                + "; it will be tried again after a pause (lower the request rate: cache longer, share one cache)",
            ref, cause, retryAfter(response));
      case 400:
        return new InvalidSecretRefException(
            at + " rejected the request for " + what + " as malformed" + suffix + "; check the name and version",
            ref);
      default:
        break;
    }
    if (status >= 500 || status == 408) {
      return new SecretUnavailableException(
          at + " failed to answer for " + what + suffix + "; it will be tried again", ref, cause);
    }
    return new SecretException(at + " answered the request for " + what + " with an unexpected error" + suffix,
        ref, cause);
  }

  /**
   * The request id Key Vault gave an answer, for support cases.
   *
   * @param response the answer
   * @return its {@code x-ms-request-id}, or {@code null}
   */
  public static @Nullable String requestId(HttpResponse response) {
    String id = response.getHeaderValue(REQUEST_ID);
    return id == null || id.isBlank() || id.length() > 64 || !isIdentifier(id) ? null : id;
  }

  /**
   * How long the service asked to wait: {@code retry-after-ms}, {@code x-ms-retry-after-ms}, or
   * {@code Retry-After} in seconds or as an HTTP date.
   *
   * @param response the answer
   * @return the pause, or {@code null} if none was given (or it cannot be read)
   */
  static @Nullable Duration retryAfter(HttpResponse response) {
    for (HttpHeaderName ms : new HttpHeaderName[] {RETRY_AFTER_MS, X_MS_RETRY_AFTER_MS}) {
      String v = response.getHeaderValue(ms);
      if (v != null) {
        try {
          long millis = Long.parseLong(v.trim());
          if (millis >= 0) {
            return capped(Duration.ofMillis(millis));
          }
        } catch (NumberFormatException ignored) {
          // try the next header
        }
      }
    }
    String v = response.getHeaderValue(HttpHeaderName.RETRY_AFTER);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      long seconds = Long.parseLong(v.trim());
      return seconds >= 0 ? capped(Duration.ofSeconds(seconds)) : null;
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(java.time.Instant.now(), at.toInstant());
        return d.isNegative() ? Duration.ZERO : capped(d);
      } catch (RuntimeException notADate) {
        return null;
      }
    }
  }

  /** A hint of more than {@link #MAX_RETRY_AFTER} is a broken answer: cut to it. */
  private static Duration capped(Duration d) {
    return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
  }

  /**
   * Key Vault's error codes of an error answer, outermost first: {@code error.code}, then each
   * {@code innererror.code} ({@code Forbidden}, {@code SecretDisabled}). Only codes are read; the
   * message is never kept.
   */
  static List<String> errorCodes(HttpResponse response, @Nullable Object value) {
    Object parsed = value;
    try {
      if (parsed instanceof BinaryData) {
        parsed = parse(((BinaryData) parsed).toBytes());
      } else if (parsed instanceof byte[]) {
        parsed = parse((byte[]) parsed);
      } else if (parsed instanceof String) {
        parsed = parse(((String) parsed).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } else if (!(parsed instanceof Map)) {
        BinaryData body = response.getBodyAsBinaryData();
        parsed = body == null ? null : parse(body.toBytes());
      }
    } catch (IOException | UncheckedIOException | IllegalStateException e) {
      return List.of();
    }
    List<String> codes = new ArrayList<>();
    Object node = parsed instanceof Map ? ((Map<?, ?>) parsed).get("error") : null;
    while (node instanceof Map && codes.size() < MAX_CODES) {
      Object code = ((Map<?, ?>) node).get("code");
      if (code instanceof String && isIdentifier((String) code)) {
        codes.add((String) code);
      }
      node = ((Map<?, ?>) node).get("innererror");
    }
    return codes;
  }

  private static @Nullable Object parse(byte[] json) throws IOException {
    if (json.length == 0) {
      return null;
    }
    try (JsonReader reader = JsonProviders.createReader(json)) {
      return reader.readUntyped();
    }
  }

  /** Error codes are short identifiers; anything else is not repeated. */
  private static boolean isIdentifier(String s) {
    if (s.isEmpty() || s.length() > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isCredentialUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getClass().getName().equals("com.azure.identity.CredentialUnavailableException")) {
        return true;
      }
    }
    return false;
  }

  /** A parse failure of the body rather than a failure to reach the vault. */
  private static boolean isUnreadable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String name = t.getClass().getName().toLowerCase(Locale.ROOT);
      if (name.contains("json") || name.contains("jackson") || name.contains("decode")
          || name.contains("eof")) {
        return true;
      }
    }
    return false;
  }

  @SafeVarargs
  private static @Nullable Throwable find(Throwable e, Class<? extends Throwable>... types) {
    int depth = 0;
    for (Throwable t = e; t != null && depth < 10; t = t.getCause() == t ? null : t.getCause(), depth++) {
      for (Class<? extends Throwable> type : types) {
        if (type.isInstance(t)) {
          return t;
        }
      }
    }
    return null;
  }
}
