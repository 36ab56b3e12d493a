package io.secretsdk.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The part of a held version that remembers whether it was read yet, for the once-per-version
 * first-read event. The warm path reads the flag plainly (no fence); only the first reader pays a
 * compare-and-set. A stale plain read can only send a later reader to the CAS, which then fails.
 */
abstract class ObservedVersion {
  private static final VarHandle READ;

  static {
    try {
      READ = MethodHandles.lookup().findVarHandle(ObservedVersion.class, "read", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Set once, by {@link #markRead()}; read plainly by the warm path. */
  boolean read;

  /** True for exactly one caller: the first to mark this version read. */
  final boolean markRead() {
    return !read && READ.compareAndSet(this, false, true);
  }

  /** A version that replaces {@code before} with the same value (renewal, same-version fetch) keeps its flag. */
  final void inheritRead(ObservedVersion before) {
    if (before.read) {
      READ.setVolatile(this, true);
    }
  }
}
