package io.secretsdk.cache;

import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.Secret;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * What the cache holds for one secret, keyed by its canonical reference (see {@link
 * io.secretsdk.SecretSource#canonical}, without field): the current {@link Version}, the previous
 * one while its overlap lasts, versions cut out of the overlap by a second rotation ({@link
 * #retired}), the last failure and a remembered not-found answer, and the entry's tasks.
 *
 * <p>Locking: the entry's monitor guards its in-flight load, its tasks and its retired versions;
 * the rest is volatile so that readers take no lock. No Caffeine call, backend call or listener
 * runs under the monitor.
 */
final class Entry {
  private static final VarHandle FRESH;

  static {
    try {
      FRESH = MethodHandles.lookup().findVarHandle(Entry.class, "fresh", Secret.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final SecretRef key;
  /** The scheme of the backend that serves this entry, named in messages. */
  final String backend;
  /** The lifetime of values without a lease or expiry: {@code defaultTtl} or the source's suggestion. */
  final long ttl;
  /** Other spellings of this reference that the store maps to this entry (e.g. without scheme). */
  final Set<SecretRef> aliases = ConcurrentHashMap.newKeySet();
  volatile @Nullable Version current;
  /**
   * The warm read path's one field: the current version's secret while that version is fresh and
   * was read once (its first-read event is behind it), else null. Published by a reader ({@link
   * #publish}); cleared by whoever changes {@link #current} (under the monitor, right after the
   * change) and by a phase flip ({@link #advance}). Publishing re-checks after the write, so a
   * reader racing a flip or a swap can never leave a stale value here: either it sees the change
   * and takes its write back, or the change comes after its write and clears it.
   */
  volatile @Nullable Secret fresh;
  volatile @Nullable Version previous;
  volatile long previousUntil;
  volatile @Nullable SecretException lastError;
  volatile long lastErrorAt;
  /**
   * Until when a reader of an entry that holds nothing gets {@link #lastError} without a new
   * backend call: set when the backend answered with something that could not be served (an
   * already-expired lease), so that it is not asked again on every read.
   */
  volatile long failFastUntil;
  volatile @Nullable SecretNotFoundException notFound;
  volatile long notFoundAt;
  volatile long notFoundUntil;
  /** When the entry was made or its last load failed, for entries that hold nothing. */
  volatile long idleSince;
  volatile boolean retryPending;
  volatile boolean removed;
  volatile int failures;
  // Guarded by this.
  @Nullable CompletableFuture<Version> inFlight;
  @Nullable ScheduledFuture<?> refreshTask;
  @Nullable ScheduledFuture<?> overlapTask;
  @Nullable ScheduledFuture<?> expireTask;
  /** Versions cut out of previous() by a later rotation, zeroed when their promised overlap ends. */
  @Nullable Map<Version, Retired> retired;

  Entry(SecretRef key, String backend, long now, long ttl) {
    this.key = key;
    this.backend = backend;
    this.ttl = ttl;
    this.idleSince = now;
  }

  /** Lets the warm path serve {@code v} directly; takes it back if {@code v} stopped being the fresh current version meanwhile. */
  void publish(Version v) {
    Secret s = v.borrowed;
    fresh = s;
    if (current != v || v.phase != Version.FRESH || removed) {
      FRESH.compareAndSet(this, s, null);
    }
  }

  /** Moves {@code v}'s phase forward and, if it is no longer fresh, takes it off the warm path. */
  void advance(Version v, int to) {
    v.advance(to);
    if (to != Version.FRESH) {
      FRESH.compareAndSet(this, v.borrowed, null);
    }
  }

  /** Keeps a version cut out of the overlap until {@code until}. Holds this monitor. */
  void retire(Version v, long until, @Nullable ScheduledFuture<?> end) {
    if (retired == null) {
      retired = new LinkedHashMap<>(2);
    }
    retired.put(v, new Retired(until, end));
  }

  /** The last instant a retired version was promised to readers, or {@code Long.MIN_VALUE}. Holds this monitor. */
  long retiredUntil() {
    long until = Long.MIN_VALUE;
    if (retired != null) {
      for (Retired r : retired.values()) {
        until = Math.max(until, r.until);
      }
    }
    return until;
  }

  /** A version cut out of the overlap: until when it was promised, and the task that zeroes it then. */
  static final class Retired {
    final long until;
    final @Nullable ScheduledFuture<?> end;

    Retired(long until, @Nullable ScheduledFuture<?> end) {
      this.until = until;
      this.end = end;
    }
  }
}
