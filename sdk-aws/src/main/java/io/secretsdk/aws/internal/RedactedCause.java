package io.secretsdk.aws.internal;

import java.util.Locale;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Stands in for an AWS SDK exception as the cause of a secretsdk exception: the original's type,
 * HTTP status, AWS error code, request id and stack trace, but not its message.
 *
 * <p>The SDK's messages can hold text from the response: the service's error message, or, when a
 * response cannot be parsed, a parser's excerpt of the body, which may be part of a secret. So the
 * message of an exception is kept only where it cannot come from a response: exceptions of the
 * {@code java.net} and {@code javax.net.ssl} packages ("Connection reset", "Read timed out") and the
 * SDK's call timeouts; of its missing-credentials message, only the fixed opening. Causes are
 * redacted the same way, all the way down.
 */
public final class RedactedCause extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final int MAX_DEPTH = 8;

  private RedactedCause(String message, @Nullable Throwable cause, StackTraceElement[] stack) {
    super(message, cause);
    setStackTrace(stack);
  }

  /**
   * Redacts an exception and its causes.
   *
   * @param original the SDK's exception
   * @return a stand-in that is safe to log
   */
  public static RedactedCause of(Throwable original) {
    return of(original, 0);
  }

  private static RedactedCause of(Throwable t, int depth) {
    Throwable cause = t.getCause();
    RedactedCause redactedCause =
        cause == null || cause == t || depth >= MAX_DEPTH ? null : of(cause, depth + 1);
    return new RedactedCause(describe(t), redactedCause, t.getStackTrace());
  }

  /**
   * A one-line description of an exception that holds nothing from a response body.
   *
   * @param t the exception
   * @return its type, and what of it is safe to show
   */
  public static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder(t.getClass().getName());
    if (t instanceof AwsServiceException) {
      AwsServiceException e = (AwsServiceException) t;
      AwsErrorDetails details = e.awsErrorDetails();
      sb.append(" (HTTP ").append(e.statusCode());
      if (details != null && details.errorCode() != null) {
        sb.append(", error code ").append(AwsErrors.shownCode(details.errorCode()));
      }
      if (e.requestId() != null) {
        sb.append(", request id ").append(AwsErrors.shownRequestId(e.requestId()));
      }
      sb.append(')');
    } else if (hasSafeMessage(t) && t.getMessage() != null) {
      sb.append(": ").append(t.getMessage());
    } else if (t instanceof SdkClientException && t.getMessage() != null
        && t.getMessage().startsWith(AwsErrors.MISSING_CREDENTIALS)) {
      // The SDK's own words, not its full message (which lists each provider's attempt and paths).
      sb.append(": ").append(AwsErrors.MISSING_CREDENTIALS);
    }
    return sb.toString();
  }

  private static boolean hasSafeMessage(Throwable t) {
    if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
      return true;
    }
    String name = t.getClass().getName().toLowerCase(Locale.ROOT);
    return name.startsWith("java.net.") || name.startsWith("javax.net.ssl.");
  }

  /**
   * The redacted description, never the original's message.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + getMessage() + "]";
  }
}
