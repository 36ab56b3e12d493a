package io.secretsdk.cache;

import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
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
  final SecretRef key;
  /** The scheme of the backend that serves this entry, named in messages. */
  final String backend;
  /** The lifetime of values without a lease or expiry: {@code defaultTtl} or the source's suggestion. */
  final long ttl;
  /** Other spellings of this reference that the store maps to this entry (e.g. without scheme). */
  final Set<SecretRef> aliases = ConcurrentHashMap.newKeySet();
  volatile @Nullable Version current;
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
