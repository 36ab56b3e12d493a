package io.secretsdk.observe.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.jspecify.annotations.Nullable;

/** Flight Recorder: a held version may no longer be served. */
@Name("io.secretsdk.Expired")
@Label("Secret Expired")
@Category("secretsdk")
@Description("A version held by a secret cache passed the last instant it may be served (lease end, expiry, stale limit)")
@StackTrace(false)
public final class ExpiredEvent extends jdk.jfr.Event {
  /** The secret's reference. */
  @Label("Secret")
  public @Nullable String secret;

  /** The backend. */
  @Label("Scheme")
  public @Nullable String scheme;

  /** The version that expired. */
  @Label("Version")
  public @Nullable String version;

  /** Made by the cache. */
  public ExpiredEvent() {}
}
