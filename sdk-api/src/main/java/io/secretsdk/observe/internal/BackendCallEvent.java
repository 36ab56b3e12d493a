package io.secretsdk.observe.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.jspecify.annotations.Nullable;

/** Flight Recorder: one call to a backend, timed by the event itself ({@code begin()}/{@code end()}). */
@Name("io.secretsdk.BackendCall")
@Label("Secret Backend Call")
@Category("secretsdk")
@Description("One call of a secret cache to its backend (every attempt, retries included)")
@StackTrace(false)
public final class BackendCallEvent extends jdk.jfr.Event {
  /** The backend, e.g. aws-sm. */
  @Label("Scheme")
  public @Nullable String scheme;

  /** The SecretSource method. */
  @Label("Operation")
  public @Nullable String operation;

  /** ok, not_found, denied, unavailable, throttled, format, expired or error. */
  @Label("Outcome")
  public @Nullable String outcome;

  /** The exception's class name on failure. */
  @Label("Failure")
  public @Nullable String failure;

  /** The secret's reference, or the number of references of a bulk call. */
  @Label("Secret")
  public @Nullable String secret;

  /** Made by the cache's source decorator. */
  public BackendCallEvent() {}
}
