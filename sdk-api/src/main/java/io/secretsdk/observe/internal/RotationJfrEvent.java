package io.secretsdk.observe.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.jspecify.annotations.Nullable;

/** Flight Recorder: a cache installed another version of a secret. */
@Name("io.secretsdk.Rotation")
@Label("Secret Rotation")
@Category("secretsdk")
@Description("A secret cache installed another version of a secret; the previous stays readable until its overlap ends")
@StackTrace(false)
public final class RotationJfrEvent extends jdk.jfr.Event {
  /** The secret's reference. */
  @Label("Secret")
  public @Nullable String secret;

  /** The backend. */
  @Label("Scheme")
  public @Nullable String scheme;

  /** The version rotated away from. */
  @Label("Previous Version")
  public @Nullable String previousVersion;

  /** The version now current. */
  @Label("Version")
  public @Nullable String version;

  /** Made by the cache. */
  public RotationJfrEvent() {}
}
