package io.secretsdk.internal;

import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Stands in for a vendor client's exception as the cause of a secretsdk exception: the original's
 * type, what the backend module's describer says is safe (status, error code, request id) and its
 * stack trace, but never its message, which vendor clients fill with text from the response (a
 * service error message, a parser's excerpt of a body that may be a secret's value). Causes are
 * redacted the same way, all the way down (at most {@value #MAX_DEPTH} deep).
 *
 * <p>Each backend module supplies the describer for its client's exceptions and falls back to
 * {@link #typeAndJdkMessage} for the rest.
 */
public final class RedactedCause extends RuntimeException {
  private static final long serialVersionUID = 1L;
  /** How many causes deep the chain is kept. */
  public static final int MAX_DEPTH = 8;

  private RedactedCause(String message, @Nullable Throwable cause, StackTraceElement[] stack) {
    super(message, cause);
    setStackTrace(stack);
  }

  /**
   * Redacts an exception and its causes.
   *
   * @param original the client's exception
   * @param describe a one-line description of one exception holding nothing from a response
   * @return a stand-in that is safe to log
   */
  public static RedactedCause of(Throwable original, Function<Throwable, String> describe) {
    return of(original, describe, 0);
  }

  private static RedactedCause of(Throwable t, Function<Throwable, String> describe, int depth) {
    Throwable cause = t.getCause();
    RedactedCause redactedCause =
        cause == null || cause == t || depth >= MAX_DEPTH ? null : of(cause, describe, depth + 1);
    return new RedactedCause(describe.apply(t), redactedCause, t.getStackTrace());
  }

  /**
   * Whether an exception's message is the JDK's own and cannot come from a response: exceptions of
   * the {@code java.net} and {@code javax.net.ssl} packages ("Connection reset", "Read timed out").
   *
   * @param t the exception
   * @return whether its message may be shown
   */
  public static boolean hasJdkMessage(Throwable t) {
    String name = t.getClass().getName().toLowerCase(Locale.ROOT);
    return name.startsWith("java.net.") || name.startsWith("javax.net.ssl.");
  }

  /**
   * The exception's type, and its message where {@code safe} says it may be shown.
   *
   * @param t the exception
   * @param safe whether its message may be shown
   * @return the description
   */
  public static String typeAndMessage(Throwable t, boolean safe) {
    String message = t.getMessage();
    return safe && message != null ? t.getClass().getName() + ": " + message : t.getClass().getName();
  }

  /**
   * The exception's type, and its message if it is the JDK's own ({@link #hasJdkMessage}).
   *
   * @param t the exception
   * @return the description
   */
  public static String typeAndJdkMessage(Throwable t) {
    return typeAndMessage(t, hasJdkMessage(t));
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
