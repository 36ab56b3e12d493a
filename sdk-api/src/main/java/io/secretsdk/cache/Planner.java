package io.secretsdk.cache;

import io.secretsdk.SecretRef;
import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretValue;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refresh planner: when each next step of an entry happens, and why.
 *
 * <ul>
 *   <li>A version's times ({@link #version}): it ends at its lease's end, its stated expiry, or
 *       {@code defaultTtl} after the fetch; an unleased one is served stale up to {@code maxStale}
 *       more (never past a stated expiry); its refresh is at {@code refreshAhead} (spread by jitter)
 *       of its lifetime, or just after a published rotation time if that comes first.
 *   <li>The tasks of an installed version ({@link #planNext}): the refresh step, and the two phase
 *       flips that make the warm path stop serving it on time.
 *   <li>Retries ({@link #backoff}): jittered exponential, at least the backend's retry-after, never
 *       past the point where the held value stops being servable.
 *   <li>Expiry ({@link #touch}): a task a grace period past the last instant anything in the entry
 *       may be served (current, previous, retired versions, a not-found answer) drops it.
 *   <li>Wall-clock steps ({@link #checkClock}): the tasks run on the scheduler's monotonic time, and
 *       the instants they aim at are read from the cache's (wall) clock. A periodic check compares
 *       the two; when the wall clock jumped, every entry is re-planned from the clock's new reading:
 *       phases that the clock says are over move at once, tasks due earlier are brought forward. No
 *       task is ever postponed by a jump, so a step backwards never makes a value live longer in
 *       real time than it was planned to.
 * </ul>
 */
final class Planner {
  private static final Logger log = LoggerFactory.getLogger(SecretCache.class);

  /**
   * How far a lease-end fetch is spread per cache instance, as a fraction of {@link
   * DefaultSecretCache#LEASE_END_FETCH_AT}: an instance fetches new credentials between 85% and
   * 100% of that point, always well before the lease ends.
   */
  static final double LEASE_END_SPREAD = 0.15;

  private final DefaultSecretCache c;
  private final ScheduledExecutorService scheduler;
  /** The wall clock's reading at the last check; written by the check task only. */
  private volatile long lastWall;
  /** The builder's lifetime when the user set one, else -1: the source's suggestion wins then. */
  private final long explicitTtl;
  /**
   * This instance's wait after a published rotation time: {@code AFTER_ROTATION_MILLIS} plus its
   * own random share of {@code rotationSpread}, drawn once, so that a fleet which learned the same
   * rotation time spreads its refreshes over the spread instead of calling in one second.
   */
  final long afterRotationMillis;
  /** This instance's point of a lease's remaining time at which new credentials are fetched. */
  final double leaseEndFetchAt;

  Planner(DefaultSecretCache c, ScheduledExecutorService scheduler, SecretCache.Builder b) {
    this.c = c;
    this.scheduler = scheduler;
    this.explicitTtl = b.defaultTtlSet ? DefaultSecretCache.saturatedMillis(b.defaultTtl) : -1;
    double share = b.seed != null ? new SplittableRandom(b.seed).nextDouble() : ThreadLocalRandom.current().nextDouble();
    // refreshJitter(0) asks for a schedule without chance: no spread then, unless a rotation
    // spread was asked for explicitly.
    boolean jitter = b.refreshJitter > 0;
    long spread = jitter || b.rotationSpreadSet ? DefaultSecretCache.saturatedMillis(b.rotationSpread) : 0;
    this.afterRotationMillis = plus(DefaultSecretCache.AFTER_ROTATION_MILLIS, (long) (share * spread));
    this.leaseEndFetchAt = DefaultSecretCache.LEASE_END_FETCH_AT * (1 - (jitter ? LEASE_END_SPREAD * share : 0));
  }

  /**
   * The lifetime of values without a lease or expiry for one entry: the builder's {@code
   * defaultTtl} when the user set it, else the source's {@link io.secretsdk.SecretSource#suggestedTtl}
   * for the reference, else the builder's default. Asked once, when the entry is made.
   */
  long ttlFor(SecretRef key) {
    if (explicitTtl >= 0) {
      return explicitTtl;
    }
    try {
      Optional<Duration> suggested = c.source.suggestedTtl(key);
      if (suggested != null && suggested.isPresent() && !suggested.get().isNegative() && !suggested.get().isZero()) {
        return DefaultSecretCache.saturatedMillis(suggested.get());
      }
    } catch (RuntimeException unroutable) {
      // a reference the source cannot route: its fetch will say why
    }
    return c.defaultTtl;
  }

  // ---------------------------------------------------------------- version times

  /** A random point of the refresh window: {@code refreshAhead} spread by {@code refreshJitter}. */
  double refreshFraction() {
    double spread = c.refreshJitter == 0 ? 0 : (ThreadLocalRandom.current().nextDouble() - 0.5) * c.refreshJitter;
    return Math.min(0.99, Math.max(0.01, c.refreshAhead + spread));
  }

  /**
   * The times of a version fetched (or renewed, or confirmed unchanged) at {@code now}, refreshed
   * at {@code fraction} of its lifetime.
   */
  Version version(SecretValue owned, Secret borrowed, boolean renewable, long now, double fraction, long ttl) {
    Lease lease = borrowed.lease().orElse(null);
    long hard = Long.MAX_VALUE;
    if (lease != null) {
      hard = leaseEnd(lease);
    }
    Optional<Instant> expiresAt = borrowed.expiresAt();
    if (expiresAt.isPresent()) {
      hard = Math.min(hard, millisOf(expiresAt.get()));
    }
    boolean hardEnd = hard != Long.MAX_VALUE;
    long endsAt = lease != null ? hard : Math.min(plus(now, ttl), hard);
    long serveUntil = lease != null ? endsAt : Math.min(plus(endsAt, c.maxStale), hard);
    long life = Math.max(1, endsAt - now);
    long refreshAt = plus(now, Math.max(DefaultSecretCache.MIN_REFRESH_MILLIS, (long) (life * fraction)));
    Optional<Instant> rotation = borrowed.nextRotationAt();
    if (rotation.isPresent()) {
      long after = plus(millisOf(rotation.get()), afterRotationMillis);
      if (after > now && after < refreshAt) {
        refreshAt = after;
      }
    }
    return new Version(owned, borrowed, renewable, now, refreshAt, endsAt, serveUntil, hardEnd);
  }

  /** A lease's end in epoch millis, saturated: a ttl too long for {@link Instant} never ends. */
  static long leaseEnd(Lease lease) {
    return plus(millisOf(lease.issuedAt()), DefaultSecretCache.saturatedMillis(lease.ttl()));
  }

  static long millisOf(Instant i) {
    try {
      return i.toEpochMilli();
    } catch (ArithmeticException | DateTimeException e) {
      return i.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  static long plus(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
  }

  static Instant instantOf(long millis) {
    return millis == Long.MAX_VALUE ? Instant.MAX : millis == Long.MIN_VALUE ? Instant.MIN : Instant.ofEpochMilli(millis);
  }

  // ---------------------------------------------------------------- tasks of a version

  /** Schedules the entry's next step and the version's phase flips. Holds e's monitor. */
  void planNext(Entry e, Version v, long now) {
    cancel(e.refreshTask);
    e.refreshTask = schedule(Math.max(0, v.refreshAt - now), () -> c.loader.scheduledStep(e, v));
    planFlips(e, v, now);
  }

  /** Schedules the phase flips that are still ahead. Holds the entry's monitor. */
  void planFlips(Entry e, Version v, long now) {
    SecretRef key = e.key;
    v.cancelFlips();
    if (v.phase == Version.FRESH) {
      v.staleFlip = schedule(delay(v.endsAt, now), () -> e.advance(v, Version.STALE));
    }
    if (v.phase != Version.OVER && v.serveUntil != Long.MAX_VALUE) {
      // observer hook: expiry (lease end, hard expiry or stale limit reached)
      v.overFlip = schedule(delay(v.serveUntil, now), () -> {
        e.advance(v, Version.OVER);
        c.observers.expired(key, v.borrowed);
      });
    }
  }

  private static long delay(long at, long now) {
    return Math.max(0, at - now);
  }

  /** Jittered exponential backoff, at least any retry-after hint, and never past the serving limit; -1 for none. */
  long backoff(int failures, Version v, long now, Throwable failure) {
    long base = backoffBase(v);
    long exp = base << Math.min(failures - 1, 20);
    long delay = (long) (Math.min(DefaultSecretCache.MAX_BACKOFF_MILLIS, exp) * (0.5 + ThreadLocalRandom.current().nextDouble()));
    if (failure instanceof SecretThrottledException) {
      Optional<Duration> hint = ((SecretThrottledException) failure).retryAfter();
      if (hint.isPresent()) {
        delay = Math.max(delay, DefaultSecretCache.saturatedMillis(hint.get()));
      }
    }
    long left = v.serveUntil - now;
    if (delay < left) {
      return delay;
    }
    // Too close to the end for the full backoff: halve what is left, down to the base.
    return left / 2 >= base ? left / 2 : -1;
  }

  private static long backoffBase(Version v) {
    return Math.max(DefaultSecretCache.MIN_RETRY_MILLIS,
        Math.min(DefaultSecretCache.BASE_BACKOFF_MILLIS, (v.endsAt - v.fetchedAt) / 16));
  }

  /** The wait before an entry that holds nothing asks again after an unservable answer. */
  static long coldBackoff(int failures) {
    long exp = DefaultSecretCache.BASE_BACKOFF_MILLIS << Math.min(Math.max(0, failures - 1), 20);
    return Math.min(DefaultSecretCache.MAX_BACKOFF_MILLIS, exp);
  }

  // ---------------------------------------------------------------- expiry

  /**
   * Plans the entry's expiry from its state: a task at the last instant anything in it may be
   * served, plus a grace period, that drops the entry if it is still dead then. Called after every
   * change of state, outside the entry's monitor.
   */
  void touch(Entry e) {
    if (e.removed || c.closed) {
      return;
    }
    long now = c.clock.millis();
    synchronized (e) {
      if (e.removed) {
        return;
      }
      long deadline = deadline(e);
      cancel(e.expireTask);
      e.expireTask = deadline == Long.MAX_VALUE ? null : schedule(delay(deadline, now), () -> expireIfDead(e));
    }
  }

  /** The instant past which nothing in the entry may be served. Holds e's monitor. */
  static long deadline(Entry e) {
    Version v = e.current;
    long until;
    if (v != null) {
      until = plus(v.serveUntil, DefaultSecretCache.GRACE_MILLIS);
    } else if (e.notFound != null) {
      until = e.notFoundUntil;
    } else {
      // Loading, or a failed first load: long enough for a load, short enough not to linger.
      until = plus(e.idleSince, e.failures > 0 ? DefaultSecretCache.GRACE_MILLIS : TimeUnit.HOURS.toMillis(1));
      until = Math.max(until, e.failFastUntil);
    }
    if (e.previous != null) {
      until = Math.max(until, e.previousUntil);
    }
    // A version cut out of the overlap by a second rotation was promised to readers until its end.
    return Math.max(until, e.retiredUntil());
  }

  /**
   * Drops an entry that nothing can be served from any more, atomically with respect to loads
   * that would revive it. An entry not dead yet by the clock (it reads earlier than the task was
   * planned for, or a load is under way) is planned again.
   */
  void expireIfDead(Entry e) {
    long now = c.clock.millis();
    boolean[] dropped = {false};
    // The version held when the entry is dropped: the removal listener clears e.current before
    // the eviction is reported, and the report names the version it zeroed.
    Version[] last = new Version[1];
    c.store.asMap().computeIfPresent(e.key, (k, held) -> {
      if (held != e) {
        return held;
      }
      synchronized (e) {
        if (e.inFlight != null || now < deadline(e)) {
          return held;
        }
        e.removed = true;
        last[0] = e.current;
      }
      dropped[0] = true;
      return null;
    });
    if (dropped[0]) {
      c.evictions.increment();
      // observer hook: eviction (nothing left to serve)
      c.observers.evicted(e.key, last[0]);
      c.dropAliases(e);
    } else if (!e.removed) {
      touch(e);
    }
  }

  // ---------------------------------------------------------------- wall-clock steps

  /** Starts the periodic wall-clock check; {@code period <= 0} disables it. */
  @Nullable ScheduledFuture<?> startClockCheck(long periodMillis) {
    if (periodMillis <= 0) {
      return null;
    }
    lastWall = c.clock.millis();
    try {
      return scheduler.scheduleAtFixedRate(() -> {
        try {
          checkClock(periodMillis);
        } catch (RuntimeException unexpected) {
          log.error("the secret cache's clock check failed: {}", unexpected.getClass().getName());
        }
      }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException rejected) {
      return null;
    }
  }

  /**
   * One periodic check: the wall clock should have moved by about one period since the last one.
   * A difference of more than a period either way is a step (NTP, a resumed VM), and every entry is
   * re-planned from the clock's new reading.
   */
  void checkClock(long periodMillis) {
    long wall = c.clock.millis();
    long moved = wall - lastWall;
    lastWall = wall;
    long tolerance = Math.max(periodMillis, DefaultSecretCache.CLOCK_STEP_TOLERANCE_MILLIS);
    if (Math.abs(moved - periodMillis) <= tolerance) {
      return;
    }
    log.info("the secret cache's clock moved {} in one check period of {}; re-planning every entry",
        Duration.ofMillis(moved), Duration.ofMillis(periodMillis));
    for (Entry e : List.copyOf(c.store.asMap().values())) {
      replan(e, wall);
    }
  }

  /** Re-plans one entry at the wall clock's reading {@code now}: only ever sooner. */
  void replan(Entry e, long now) {
    boolean dueNow = false;
    Version previous;
    synchronized (e) {
      if (e.removed) {
        return;
      }
      Version v = e.current;
      if (v != null) {
        int phase = v.phaseAt(now);
        int before = v.phase;
        e.advance(v, phase);
        if (before != Version.OVER && v.phase == Version.OVER) {
          // observer hook: expiry (found by a wall-clock step)
          c.observers.expired(e.key, v.borrowed);
        }
        if (sooner(v.staleFlip, v.endsAt, now) || sooner(v.overFlip, v.serveUntil, now) || phase != v.phase) {
          planFlips(e, v, now);
        }
        if (e.inFlight == null && v.refreshAt <= now && sooner(e.refreshTask, v.refreshAt, now)) {
          dueNow = true;
        }
      }
      previous = e.previous;
    }
    if (previous != null && now >= e.previousUntil) {
      c.announcer.endOverlap(e, previous, c.observers);
    }
    if (dueNow) {
      Version v = e.current;
      if (v != null) {
        synchronized (e) {
          if (e.current == v && !e.removed) {
            cancel(e.refreshTask);
            e.refreshTask = schedule(0, () -> c.loader.scheduledStep(e, v));
          }
        }
      }
    }
    touch(e);
  }

  /** Whether a task aimed at {@code at} would run later than the clock now calls for. */
  private static boolean sooner(@Nullable ScheduledFuture<?> task, long at, long now) {
    if (task == null || task.isDone()) {
      return false;
    }
    return task.getDelay(TimeUnit.MILLISECONDS) > delay(at, now) + DefaultSecretCache.CLOCK_STEP_TOLERANCE_MILLIS;
  }

  // ---------------------------------------------------------------- scheduling

  @Nullable ScheduledFuture<?> schedule(long delayMillis, Runnable task) {
    try {
      return scheduler.schedule(() -> {
        try {
          task.run();
        } catch (RuntimeException | Error unexpected) {
          log.error("a scheduled task of the secret cache failed: {}", unexpected.getClass().getName());
        }
      }, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException rejected) {
      if (!c.closed) {
        log.warn("the secret cache's scheduler refused a task; refreshes stop until it accepts again");
      }
      return null;
    }
  }

  static void cancel(@Nullable ScheduledFuture<?> task) {
    if (task != null) {
      task.cancel(false);
    }
  }
}
