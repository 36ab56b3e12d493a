package io.secretsdk.azure.internal;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpResponse;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Stands in for an Azure SDK exception as the cause of a secretsdk exception: the original's type,
 * HTTP status, Key Vault error codes, request id and stack trace, but not its message.
 *
 * <p>azure-core's messages hold text from the response: an {@link HttpResponseException}'s message
 * repeats the response body, and a failed deserialization may quote part of it, which for a
 * successful read is the secret's value. So an exception's message is kept only where it cannot
 * come from a response: exceptions of the {@code java.net} and {@code javax.net.ssl} packages
 * ("Connection reset", "request timed out") and {@link java.util.concurrent.TimeoutException}.
 * Causes are redacted the same way, all the way down.
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
    if (t instanceof HttpResponseException) {
      HttpResponse response = ((HttpResponseException) t).getResponse();
      if (response != null) {
        sb.append(" (HTTP ").append(response.getStatusCode());
        String requestId = AzureErrors.requestId(response);
        if (requestId != null) {
          sb.append(", request id ").append(requestId);
        }
        sb.append(')');
      }
    } else if (hasSafeMessage(t) && t.getMessage() != null) {
      sb.append(": ").append(t.getMessage());
    }
    return sb.toString();
  }

  private static boolean hasSafeMessage(Throwable t) {
    if (t instanceof java.util.concurrent.TimeoutException) {
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
