package io.secretsdk.aws.internal;

import io.secretsdk.internal.RedactedCause;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Maps AWS SDK exceptions, and the per-secret error codes of batch calls, to secretsdk's typed
 * exceptions. Messages name the item and the service and say what to do; they never hold the
 * service's own message or any part of a response body. The SDK's exception is attached as a
 * {@link RedactedCause}, never as it is.
 */
public final class AwsErrors {
  private AwsErrors() {}

  /**
   * Maps an exception the SDK threw for one call: an {@link SdkException}, or an {@link
   * java.io.UncheckedIOException} that some HTTP clients let through for a response that is not
   * HTTP at all.
   *
   * @param e the SDK's exception
   * @param ref the secret asked for
   * @param backend which service
   * @param what the item as messages name it, e.g. {@code secret 'db' (stage AWSPREVIOUS)}
   * @return the typed exception to throw
   */
  public static SecretException map(RuntimeException e, SecretRef ref, AwsBackend backend, String what) {
    RedactedCause cause = AwsCauses.of(e);
    if (e instanceof AwsServiceException) {
      AwsServiceException se = (AwsServiceException) e;
      AwsErrorDetails details = se.awsErrorDetails();
      String code = details == null ? null : details.errorCode();
      String message = details == null ? null : details.errorMessage();
      return fromCode(code, message, se.statusCode(), se.isThrottlingException(), retryAfter(se),
          se.requestId(), ref, backend, what, cause);
    }
    if (isMissingCredentials(e)) {
      return new SecretConfigurationException(
          "no AWS credentials were found for reading " + what + " from " + backend.displayName()
              + " (the SDK: \"" + MISSING_CREDENTIALS + "\"); this is configuration, not an outage, and is not"
              + " retried: give the source credentials (credentials(...) on the builder, or a profile with"
              + " profile(...) / the property " + backend.scheme() + ".profile), or make them available to the"
              + " default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, web identity,"
              + " or the container or instance role)",
          ref, cause);
    }
    if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException
        || rootOf(e) instanceof SocketTimeoutException) {
      return new SecretUnavailableException(
          backend.displayName() + " did not answer in time for " + what
              + "; it will be tried again (check the network path to the endpoint and the client's timeouts)",
          ref, cause);
    }
    if (!(e instanceof SdkException) || (e instanceof SdkClientException && isUnreadableResponse(e))) {
      return new SecretUnavailableException(
          backend.displayName() + " sent a response for " + what
              + " that could not be read (truncated or not JSON; a proxy or a dropped connection can cause this);"
              + " it will be tried again",
          ref, cause);
    }
    return new SecretUnavailableException(
        "could not reach " + backend.displayName() + " for " + what + " (" + AwsCauses.describe(rootOf(e))
            + "); it will be tried again (check the endpoint, network and proxy settings)",
        ref, cause);
  }

  /**
   * Maps the error of one secret in a batch answer.
   *
   * @param code the error code the service gave for this secret
   * @param message the service's message for it; only searched, never repeated
   * @param ref the secret
   * @param backend which service
   * @param what the item as messages name it
   * @return the typed exception for this secret
   */
  public static SecretException fromBatchError(
      @Nullable String code, @Nullable String message, SecretRef ref, AwsBackend backend, String what) {
    return fromCode(code, message, -1, false, null, null, ref, backend, what, null);
  }

  /**
   * Maps an error answer of the local AWS agent: by the service's error code the agent passes on
   * (its {@code __type}) and the HTTP status (the agent answers 403 for a missing or wrong SSRF
   * token as well as for IAM's refusal, and 404 for a missing secret).
   *
   * @param code the {@code __type} of the answer, if it had one
   * @param message the message of the answer; only searched, never repeated
   * @param status the HTTP status
   * @param ref the secret
   * @param backend which service is behind the agent
   * @param what the item as messages name it, with the agent's endpoint
   * @return the typed exception
   */
  public static SecretException fromAgent(@Nullable String code, @Nullable String message, int status, SecretRef ref,
      AwsBackend backend, String what) {
    boolean known = code != null && KNOWN_CODES.contains(code);
    if (!known && status == 404) {
      return new SecretNotFoundException(backend.displayName() + " has no " + what + " (HTTP 404 from the agent)"
          + "; check the name, the region the agent uses and the version or stage asked for", ref);
    }
    if (!known && (status == 401 || status == 403)) {
      return new SecretAccessDeniedException("the AWS agent refused the request for " + what + " (HTTP " + status
          + "): check the SSRF token it expects (header X-Aws-Parameters-Secrets-Token, from AWS_TOKEN,"
          + " AWS_SESSION_TOKEN or the token file) and the IAM permissions of the agent's role ("
          + backend.readPermission() + ")", ref);
    }
    if (!known && status == 400) {
      return new InvalidSecretRefException(
          "the AWS agent rejected the request for " + what + " as malformed (HTTP 400); check the name or ARN,"
              + " and the version id or label", ref);
    }
    return fromCode(known ? code : null, message, status, false, null, null, ref, backend, what, null);
  }

  private static SecretException fromCode(
      @Nullable String code,
      @Nullable String serviceMessage,
      int status,
      boolean sdkSaysThrottling,
      @Nullable Duration retryAfter,
      @Nullable String requestId,
      SecretRef ref,
      AwsBackend backend,
      String what,
      @Nullable Throwable cause) {
    String c = code == null ? "" : code;
    String suffix = " (" + (c.isEmpty() ? "no error code" : "error code " + shownCode(c))
        + (status > 0 ? ", HTTP " + status : "")
        + (requestId != null ? ", request id " + shownRequestId(requestId) : "") + ")";
    String svc = backend.displayName();
    switch (c) {
      case "ResourceNotFoundException":
      case "ParameterNotFound":
      case "ParameterVersionNotFound":
        return new SecretNotFoundException(
            svc + " has no " + what + suffix + "; check the name, the region and the version or stage asked for",
            ref, cause);
      case "AccessDeniedException":
      case "AccessDenied":
        return new SecretAccessDeniedException(
            svc + " denied access to " + what + suffix + ": IAM does not allow the caller "
                + backend.readPermission() + " on it; grant that action (and kms:Decrypt on its key)",
            ref, cause);
      case "UnrecognizedClientException":
      case "InvalidClientTokenId":
      case "InvalidSignatureException":
      case "SignatureDoesNotMatch":
      case "IncompleteSignature":
      case "ExpiredTokenException":
      case "MissingAuthenticationToken":
        return new SecretAccessDeniedException(
            svc + " rejected the caller's credentials when reading " + what + suffix
                + "; check the AWS credentials (keys, session token expiry, profile) this client uses",
            ref, cause);
      case "DecryptionFailure":
      case "InvalidKeyId":
        return new SecretAccessDeniedException(
            svc + " could not decrypt " + what + " with its KMS key" + suffix
                + ": the caller lacks kms:Decrypt on that key, or the key is disabled or pending deletion",
            ref, cause);
      case "InvalidRequestException":
        if (serviceMessage != null && serviceMessage.toLowerCase(Locale.ROOT).contains("deletion")) {
          return new SecretNotFoundException(
              svc + " has " + what + " scheduled for deletion" + suffix
                  + "; it cannot be read until it is restored (RestoreSecret), or stop using it",
              ref, cause);
        }
        return new SecretException(
            svc + " refused the request for " + what + suffix + "; the secret is in a state that does not allow reading",
            ref, cause);
      case "InvalidParameterException":
      case "ValidationException":
      case "InvalidParameters":
        return new InvalidSecretRefException(
            svc + " rejected the request for " + what + " as malformed" + suffix
                + "; check the name or ARN, and the version id or label",
            ref);
      default:
        break;
    }
    if (sdkSaysThrottling || status == 429 || c.equals("ThrottlingException") || c.equals("TooManyRequestsException")
        || c.equals("ThrottledException") || c.equals("RequestLimitExceeded") || c.equals("ProvisionedThroughputExceededException")) {
      return new SecretThrottledException(
          svc + " throttled the request for " + what + suffix
              + "; it will be tried again after a pause (lower the request rate or raise the account's quota)",
          ref, cause, retryAfter);
    }
    if (status >= 500 || c.equals("InternalServiceError") || c.equals("InternalServerError")
        || c.equals("InternalFailure") || c.equals("ServiceUnavailable")) {
      return new SecretUnavailableException(
          svc + " failed to answer for " + what + suffix + "; it will be tried again", ref, cause);
    }
    if (status == 403) {
      return new SecretAccessDeniedException(
          svc + " refused access to " + what + suffix + "; check the caller's credentials and IAM permissions",
          ref, cause);
    }
    return new SecretException(
        svc + " answered the request for " + what + " with an unexpected error" + suffix, ref, cause);
  }

  private static @Nullable Duration retryAfter(AwsServiceException e) {
    AwsErrorDetails details = e.awsErrorDetails();
    if (details == null || details.sdkHttpResponse() == null) {
      return null;
    }
    Optional<String> header = details.sdkHttpResponse().firstMatchingHeader("Retry-After");
    if (header.isEmpty()) {
      return null;
    }
    try {
      long seconds = Long.parseLong(header.get().trim());
      return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
    } catch (NumberFormatException ignored) {
      return null; // an HTTP date: no hint rather than a guess
    }
  }

  /**
   * The error codes AWS documents for the calls this module makes. An error code is read from the
   * response body, so only these are repeated in a message; any other is text of the body (a proxy's
   * page, a malformed answer) and is not shown.
   */
  private static final Set<String> KNOWN_CODES = Set.of(
      "ResourceNotFoundException", "ParameterNotFound", "ParameterVersionNotFound", "AccessDeniedException",
      "AccessDenied", "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException",
      "SignatureDoesNotMatch", "IncompleteSignature", "ExpiredTokenException", "MissingAuthenticationToken",
      "DecryptionFailure", "InvalidKeyId", "InvalidRequestException", "InvalidParameterException",
      "ValidationException", "InvalidParameters", "ThrottlingException", "TooManyRequestsException",
      "ThrottledException", "RequestLimitExceeded", "ProvisionedThroughputExceededException",
      "InternalServiceError", "InternalServerError", "InternalFailure", "ServiceUnavailable",
      "InvalidNextTokenException", "LimitExceededException", "RequestExpired", "ParameterVersionLabelLimitExceeded",
      "InvalidFilterKey", "InvalidFilterValue", "InvalidFilterOption", "OptInRequired", "RequestTimeout");

  /**
   * An error code as a message may show it.
   *
   * @param code the code read from a response
   * @return the code if AWS documents it, else a fixed phrase
   */
  public static String shownCode(String code) {
    return KNOWN_CODES.contains(code) ? code : "not one AWS documents (not shown: it is text of the response)";
  }

  /**
   * A request id as a message may show it: AWS's are letters, digits and dashes.
   *
   * @param requestId the id read from a response header
   * @return the id, or a fixed phrase for anything else
   */
  public static String shownRequestId(String requestId) {
    return requestId.length() <= 128 && requestId.chars().allMatch(ch -> (ch >= 'a' && ch <= 'z')
        || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '=' || ch == '/' || ch == '+')
        ? requestId : "(malformed, not shown)";
  }

  /** The opening of the SDK's message when no provider of its credential chain has credentials. */
  static final String MISSING_CREDENTIALS = "Unable to load credentials from any of the providers in the chain";

  /**
   * Whether the SDK failed before sending anything because no credentials could be loaded: an
   * {@link SdkClientException} of the SDK's own making (its credential providers' messages, never
   * a service response).
   *
   * @param e the SDK's exception
   * @return {@code true} for missing credentials
   */
  public static boolean isMissingCredentials(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SdkClientException && t.getMessage() != null
          && (t.getMessage().startsWith("Unable to load credentials")
              || t.getMessage().startsWith("Profile file contained no credentials"))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUnreadableResponse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String name = t.getClass().getName();
      if (name.contains("jackson") || name.contains("Json") || name.contains("Unmarshal")) {
        return true;
      }
      String message = t.getMessage();
      if (t instanceof SdkClientException && message != null
          && message.toLowerCase(Locale.ROOT).contains("unmarshall")) {
        return true;
      }
    }
    return false;
  }

  private static Throwable rootOf(Throwable e) {
    Throwable t = e;
    for (int i = 0; i < 8 && t.getCause() != null && t.getCause() != t; i++) {
      t = t.getCause();
    }
    return t;
  }
}
