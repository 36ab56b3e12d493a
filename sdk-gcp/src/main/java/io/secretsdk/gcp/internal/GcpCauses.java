package io.secretsdk.gcp.internal;

import com.google.api.gax.rpc.ApiException;
import io.secretsdk.internal.RedactedCause;

/**
 * Google client exceptions as safe causes ({@link RedactedCause}): the type, status code and error
 * reason, never the message. Client messages carry text from the server: a gRPC status
 * description, or over HTTP/JSON the whole error body ({@code HttpResponseException} puts the
 * content in its message); only the JDK's own network messages are kept.
 */
public final class GcpCauses {
  private GcpCauses() {}

  /**
   * Redacts an exception and its causes.
   *
   * @param original the client's exception
   * @return a stand-in that is safe to log
   */
  public static RedactedCause of(Throwable original) {
    return RedactedCause.of(original, GcpCauses::describe);
  }

  /**
   * A one-line description of an exception that holds nothing from a response.
   *
   * @param t the exception
   * @return its type, and what of it is safe to show
   */
  public static String describe(Throwable t) {
    if (!(t instanceof ApiException)) {
      return RedactedCause.typeAndJdkMessage(t);
    }
    ApiException e = (ApiException) t;
    StringBuilder sb = new StringBuilder(t.getClass().getName());
    sb.append(" (status ").append(e.getStatusCode().getCode());
    String reason = e.getReason();
    if (reason != null && reason.matches("[A-Z0-9_]{1,64}")) {
      sb.append(", reason ").append(reason);
    }
    return sb.append(')').toString();
  }
}
