package io.secretsdk.azure.internal;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpResponse;
import io.secretsdk.internal.RedactedCause;
import java.util.concurrent.TimeoutException;

/**
 * Azure SDK exceptions as safe causes ({@link RedactedCause}): the type, HTTP status and request
 * id, never the message. azure-core's messages hold text from the response: an {@link
 * HttpResponseException}'s message repeats the body, and a failed deserialization may quote part
 * of it, which for a successful read is the secret's value. Messages are kept only for the JDK's own
 * network exceptions and {@link TimeoutException}.
 */
public final class AzureCauses {
  private AzureCauses() {}

  /**
   * Redacts an exception and its causes.
   *
   * @param original the SDK's exception
   * @return a stand-in that is safe to log
   */
  public static RedactedCause of(Throwable original) {
    return RedactedCause.of(original, AzureCauses::describe);
  }

  /**
   * A one-line description of an exception that holds nothing from a response.
   *
   * @param t the exception
   * @return its type, and what of it is safe to show
   */
  public static String describe(Throwable t) {
    if (t instanceof HttpResponseException) {
      HttpResponse response = ((HttpResponseException) t).getResponse();
      if (response == null) {
        return t.getClass().getName();
      }
      StringBuilder sb = new StringBuilder(t.getClass().getName()).append(" (HTTP ").append(response.getStatusCode());
      String requestId = AzureErrors.requestId(response);
      if (requestId != null) {
        sb.append(", request id ").append(requestId);
      }
      return sb.append(')').toString();
    }
    return RedactedCause.typeAndMessage(t, t instanceof TimeoutException || RedactedCause.hasJdkMessage(t));
  }
}
