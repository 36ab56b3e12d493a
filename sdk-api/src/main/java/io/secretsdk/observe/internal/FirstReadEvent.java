package io.secretsdk.observe.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.jspecify.annotations.Nullable;

/** Flight Recorder: the first read of one version, naming the code that read it. */
@Name("io.secretsdk.FirstRead")
@Label("Secret First Read")
@Category("secretsdk")
@Description("The first read of one version of a secret from a cache, naming the calling class (recorded once per version)")
@StackTrace(false)
public final class FirstReadEvent extends jdk.jfr.Event {
  /** The secret's reference. */
  @Label("Secret")
  public @Nullable String secret;

  /** The backend. */
  @Label("Scheme")
  public @Nullable String scheme;

  /** The version read. */
  @Label("Version")
  public @Nullable String version;

  /** The first class and method outside the cache on the reader's stack. */
  @Label("Caller")
  public @Nullable String caller;

  /** Made by the cache. */
  public FirstReadEvent() {}
}
