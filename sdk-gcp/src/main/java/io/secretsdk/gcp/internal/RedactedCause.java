package io.secretsdk.gcp.internal;

import com.google.api.gax.rpc.ApiException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Stands in for a Google client exception as the cause of a secretsdk exception: the original's
 * type, status code, error reason and stack trace, but not its message.
 *
 * <p>Client messages carry text from the server: a gRPC status description, or over HTTP/JSON the
 * whole error body ({@code HttpResponseException} puts the content in its message). So a message
 * is kept only where it cannot come from a response: exceptions of the {@code java.net} and {@code
 * javax.net.ssl} packages ("Connection refused", "Read timed out"). Causes are redacted the same
 * way, all the way down.
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
   * @param original the client's exception
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
   * A one-line description of an exception that holds nothing from a response.
   *
   * @param t the exception
   * @return its type, and what of it is safe to show
   */
  public static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder(t.getClass().getName());
    if (t instanceof ApiException) {
      ApiException e = (ApiException) t;
      sb.append(" (status ").append(e.getStatusCode().getCode());
      String reason = e.getReason();
      if (reason != null && reason.matches("[A-Z0-9_]{1,64}")) {
        sb.append(", reason ").append(reason);
      }
      sb.append(')');
    } else if (hasSafeMessage(t) && t.getMessage() != null) {
      sb.append(": ").append(t.getMessage());
    }
    return sb.toString();
  }

  private static boolean hasSafeMessage(Throwable t) {
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
