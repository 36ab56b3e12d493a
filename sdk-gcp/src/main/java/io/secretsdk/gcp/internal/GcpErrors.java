package io.secretsdk.gcp.internal;

import io.secretsdk.internal.RedactedCause;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.ErrorDetails;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.rpc.RetryInfo;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Maps the Google client's exceptions, of either transport, to secretsdk's typed exceptions.
 * Messages name the secret and the service and say what to do; they never hold the server's
 * message or any part of a response body. The client's exception is attached as a {@link
 * RedactedCause}, never as it is.
 *
 * <p>gRPC carries the exact status; over HTTP/JSON gax derives the status from the HTTP code only,
 * so a disabled or destroyed version (gRPC {@code FAILED_PRECONDITION}) arrives as {@code
 * INVALID_ARGUMENT} (HTTP 400). Both are resolved the same way: by the version's state, which the
 * caller learns (see {@link #versionState}) and passes in.
 */
public final class GcpErrors {
  /** How the service is named in messages. */
  public static final String SERVICE = "Google Cloud Secret Manager";
  /** The longest retry hint taken from an answer; a longer one is cut to it. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  private static final Pattern VERSION_NUMBER = Pattern.compile("/versions/([1-9][0-9]{0,18})\\b");

  private GcpErrors() {}

  /**
   * The status code of a client exception, if it is one.
   *
   * @param e the exception
   * @return its code, or {@code null} if it is not an {@link ApiException}
   */
  public static StatusCode.@Nullable Code codeOf(RuntimeException e) {
    return e instanceof ApiException ? ((ApiException) e).getStatusCode().getCode() : null;
  }

  /**
   * Whether an error may mean "this version is disabled or destroyed": {@code FAILED_PRECONDITION}
   * over gRPC, {@code INVALID_ARGUMENT} over HTTP/JSON.
   *
   * @param e the exception
   * @return {@code true} if the version's state should be looked at
   */
  public static boolean mayBeVersionState(RuntimeException e) {
    StatusCode.Code code = codeOf(e);
    return code == StatusCode.Code.FAILED_PRECONDITION || code == StatusCode.Code.INVALID_ARGUMENT;
  }

  /**
   * What the server's own message says of the version's state, searched and never repeated: the
   * state and the version number, when it names them.
   *
   * @param e the exception
   * @return {@code DISABLED} or {@code DESTROYED} with the number (or {@code null}), or {@code null}
   */
  public static @Nullable StateHint stateFromMessage(RuntimeException e) {
    String message = e.getMessage();
    if (message == null) {
      return null;
    }
    String upper = message.toUpperCase(Locale.ROOT);
    SecretVersion.State state = upper.contains("DESTROYED") ? SecretVersion.State.DESTROYED
        : upper.contains("DISABLED") ? SecretVersion.State.DISABLED : null;
    if (state == null) {
      return null;
    }
    Matcher m = VERSION_NUMBER.matcher(message);
    return new StateHint(state, m.find() ? m.group(1) : null);
  }

  /**
   * A version's state and number, as learned after a refusal.
   *
   * @param state {@code DISABLED} or {@code DESTROYED}
   * @param number the version number, or {@code null} if unknown
   */
  public record StateHint(SecretVersion.State state, @Nullable String number) {}

  /**
   * The typed exception for a version that is not enabled.
   *
   * @param state the version's state
   * @param number the version number, or {@code null} if unknown
   * @param ref the secret asked for
   * @param what the item as messages name it
   * @param e the client's exception, or {@code null} (a check that found the state itself)
   * @return a {@link SecretNotFoundException} for a destroyed version, a {@link
   *     SecretAccessDeniedException} for a disabled one
   */
  public static SecretException versionState(SecretVersion.State state, @Nullable String number, SecretRef ref,
      String what, @Nullable RuntimeException e) {
    RedactedCause cause = e == null ? null : GcpCauses.of(e);
    String version = number == null ? "the version asked for" : "version " + number;
    if (state == SecretVersion.State.DESTROYED) {
      return new SecretNotFoundException(
          SERVICE + " cannot give " + what + ": " + version + " is DESTROYED and its value is gone for good; "
              + "read another version, or add a new one", ref, cause);
    }
    return new SecretAccessDeniedException(
        SERVICE + " refused " + what + ": " + version + " is DISABLED; enable it "
            + "(gcloud secrets versions enable) or add a new version", ref, cause);
  }

  /**
   * Maps an exception the client threw for one call.
   *
   * @param e the client's exception
   * @param ref the secret asked for
   * @param what the item as messages name it, e.g. {@code secret 'db' version latest}
   * @param permission the IAM permission the call needs, for messages
   * @return the typed exception to throw
   */
  public static SecretException map(RuntimeException e, SecretRef ref, String what, String permission) {
    RedactedCause cause = GcpCauses.of(e);
    if (!(e instanceof ApiException)) {
      return new SecretUnavailableException(
          "could not reach " + SERVICE + " for " + what + " (" + GcpCauses.describe(rootOf(e))
              + "); it will be tried again (check the endpoint, network and proxy settings)", ref, cause);
    }
    ApiException ae = (ApiException) e;
    StatusCode.Code code = ae.getStatusCode().getCode();
    String suffix = " (status " + code + ")";
    switch (code) {
      case NOT_FOUND:
        return new SecretNotFoundException(
            SERVICE + " has no " + what + suffix + "; check the secret's name, project, location and version", ref,
            cause);
      case PERMISSION_DENIED:
        return new SecretAccessDeniedException(
            SERVICE + " denied access to " + what + suffix + ": the caller lacks " + permission
                + " on it (Secret Manager answers so for a secret that does not exist, too); grant it "
                + "(roles/secretmanager.secretAccessor reads values) or check the name", ref, cause);
      case UNAUTHENTICATED:
        return new SecretAccessDeniedException(
            SERVICE + " rejected the caller's credentials when reading " + what + suffix
                + "; check the Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, "
                + "gcloud auth application-default login, or the workload's service account)", ref, cause);
      case INVALID_ARGUMENT:
        return new InvalidSecretRefException(
            SERVICE + " rejected the request for " + what + " as malformed" + suffix
                + "; check the project, secret id and version", ref, cause);
      case FAILED_PRECONDITION:
        return new SecretException(
            SERVICE + " refused " + what + suffix + ": the secret or version is in a state that does not allow "
                + "reading", ref, cause);
      case RESOURCE_EXHAUSTED:
        return new SecretThrottledException(
            SERVICE + " throttled the request for " + what + suffix
                + "; it will be tried again after a pause (lower the request rate or raise the project's quota)",
            ref, cause, retryAfter(ae));
      case UNAVAILABLE:
      case DEADLINE_EXCEEDED:
      case ABORTED:
      case INTERNAL:
      case UNKNOWN:
      case CANCELLED:
        return new SecretUnavailableException(
            SERVICE + " did not answer for " + what + suffix + "; it will be tried again", ref, cause);
      default:
        return new SecretException(
            SERVICE + " answered the request for " + what + " with an unexpected error" + suffix, ref, cause);
    }
  }

  /**
   * The delay a {@code RetryInfo} detail asks for, on either transport.
   *
   * @param e the client's exception
   * @return the delay, or {@code null} if the error carried none
   */
  public static @Nullable Duration retryAfter(ApiException e) {
    ErrorDetails details = e.getErrorDetails();
    if (details == null) {
      return null;
    }
    RetryInfo info;
    try {
      info = details.getRetryInfo();
    } catch (RuntimeException unreadable) {
      return null;
    }
    if (info == null || !info.hasRetryDelay()) {
      return null;
    }
    com.google.protobuf.Duration d = info.getRetryDelay();
    if (d.getSeconds() < 0 || d.getNanos() < 0 || d.getNanos() > 999_999_999) {
      return null;
    }
    // Capped: a hint of centuries is a broken answer, and a Duration that large overflows millis.
    return d.getSeconds() >= MAX_RETRY_AFTER.getSeconds() ? MAX_RETRY_AFTER : Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  private static Throwable rootOf(Throwable e) {
    Throwable t = e;
    for (int i = 0; i < 8 && t.getCause() != null && t.getCause() != t; i++) {
      t = t.getCause();
    }
    return t;
  }
}
