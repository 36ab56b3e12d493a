package io.secretsdk.aws.internal;

import io.secretsdk.internal.RedactedCause;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * AWS SDK exceptions as safe causes ({@link RedactedCause}): the type, HTTP status, AWS error code
 * and request id, never the message. The SDK's messages can hold text from the response (the
 * service's error message, a parser's excerpt of the body); messages are kept only for the JDK's own
 * network exceptions and the SDK's call timeouts, and of its missing-credentials message only the
 * fixed opening.
 */
public final class AwsCauses {
  private AwsCauses() {}

  /**
   * Redacts an exception and its causes.
   *
   * @param original the SDK's exception
   * @return a stand-in that is safe to log
   */
  public static RedactedCause of(Throwable original) {
    return RedactedCause.of(original, AwsCauses::describe);
  }

  /**
   * A one-line description of an exception that holds nothing from a response body.
   *
   * @param t the exception
   * @return its type, and what of it is safe to show
   */
  public static String describe(Throwable t) {
    if (t instanceof AwsServiceException) {
      AwsServiceException e = (AwsServiceException) t;
      AwsErrorDetails details = e.awsErrorDetails();
      StringBuilder sb = new StringBuilder(t.getClass().getName()).append(" (HTTP ").append(e.statusCode());
      if (details != null && details.errorCode() != null) {
        sb.append(", error code ").append(AwsErrors.shownCode(details.errorCode()));
      }
      if (e.requestId() != null) {
        sb.append(", request id ").append(AwsErrors.shownRequestId(e.requestId()));
      }
      return sb.append(')').toString();
    }
    if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException
        || RedactedCause.hasJdkMessage(t)) {
      return RedactedCause.typeAndMessage(t, true);
    }
    if (t instanceof SdkClientException && t.getMessage() != null
        && t.getMessage().startsWith(AwsErrors.MISSING_CREDENTIALS)) {
      // The SDK's own words, not its full message (which lists each provider's attempt and paths).
      return t.getClass().getName() + ": " + AwsErrors.MISSING_CREDENTIALS;
    }
    return t.getClass().getName();
  }
}
