package io.secretsdk.cache;

import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretValue;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * One version of one secret as the cache holds it: the owned value, the borrowed {@link Secret}
 * handed to readers, and the instants of its life (all in the cache clock's epoch millis), which
 * the {@link Planner} computed when it was installed.
 *
 * <p>The {@link #phase} is what the warm read path looks at instead of a clock: it moves from
 * {@link #FRESH} (before {@link #endsAt}) to {@link #STALE} (until {@link #serveUntil}) to {@link
 * #OVER} by tasks on the scheduler, never backwards. A version is immutable apart from its phase
 * and its two flip tasks; a renewal or a same-version refresh installs a new {@code Version} over the
 * same value.
 */
// observer hook: first-read mark (ObservedVersion holds it)
final class Version extends ObservedVersion {
  static final int FRESH = 0;
  static final int STALE = 1;
  static final int OVER = 2;

  final SecretValue value;
  final Secret borrowed;
  final @Nullable Lease lease;
  final boolean renewable;
  /** Whether {@link #endsAt} is a hard end (a lease or a stated expiry) rather than a ttl. */
  final boolean hardEnd;
  final long fetchedAt;
  final long refreshAt;
  final long endsAt;
  final long serveUntil;
  /** {@link #FRESH} before {@code endsAt}, {@link #STALE} until {@code serveUntil}, then {@link #OVER}. */
  volatile int phase;
  // Guarded by the entry's monitor.
  @Nullable ScheduledFuture<?> staleFlip;
  @Nullable ScheduledFuture<?> overFlip;

  Version(SecretValue value, Secret borrowed, boolean renewable, long fetchedAt, long refreshAt, long endsAt,
      long serveUntil, boolean hardEnd) {
    this.value = value;
    this.borrowed = borrowed;
    this.lease = borrowed.lease().orElse(null);
    this.renewable = renewable;
    this.fetchedAt = fetchedAt;
    this.refreshAt = refreshAt;
    this.endsAt = endsAt;
    this.serveUntil = serveUntil;
    this.hardEnd = hardEnd;
    this.phase = phaseAt(fetchedAt);
  }

  /** The phase the clock reading {@code now} calls for. */
  int phaseAt(long now) {
    return now < endsAt ? FRESH : now < serveUntil ? STALE : OVER;
  }

  /** Moves the phase forward, never back (the tasks may run out of order). */
  synchronized void advance(int to) {
    if (phase < to) {
      phase = to;
    }
  }

  /** Cancels the phase flips. Holds the entry's monitor. */
  void cancelFlips() {
    Planner.cancel(staleFlip);
    Planner.cancel(overFlip);
    staleFlip = null;
    overFlip = null;
  }

  String versionId() {
    return borrowed.versionId();
  }
}
