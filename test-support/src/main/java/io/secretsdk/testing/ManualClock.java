package io.secretsdk.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Clock} that stands still until a test moves it, for code that takes a {@code Clock}
 * and a {@link java.util.concurrent.ScheduledExecutorService}.
 *
 * <p>Time only moves forward, through {@link #advance(Duration)} or {@link #advanceTo(Instant)}.
 * Each {@link ManualScheduler} made on this clock runs its tasks as time passes their due times:
 * in due order, on the thread that moves the clock, with the clock reading each task's due time
 * while it runs. Then the clock reads the target time.
 *
 * <p>Thread-safe: any thread may read the clock while another moves it; moves are serialized.
 * Clocks made by {@link #withZone(ZoneId)} share this clock's time and schedulers.
 */
public final class ManualClock extends Clock {
  /** Where a clock made with {@link #ManualClock()} starts: 2026-01-01T00:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final Timeline timeline;
  private final ZoneId zone;

  /** A clock reading {@link #DEFAULT_START} in UTC. */
  public ManualClock() {
    this(DEFAULT_START);
  }

  /**
   * A clock reading the given instant, in UTC.
   *
   * @param start the first reading
   */
  public ManualClock(Instant start) {
    this(new Timeline(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  private ManualClock(Timeline timeline, ZoneId zone) {
    this.timeline = timeline;
    this.zone = zone;
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /**
   * This clock's time in another zone; moving either moves both.
   *
   * @param zone the zone
   * @return a clock sharing this clock's time and schedulers
   */
  @Override
  public Clock withZone(ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    return zone.equals(this.zone) ? this : new ManualClock(timeline, zone);
  }

  @Override
  public Instant instant() {
    return timeline.now;
  }

  @Override
  public long millis() {
    return timeline.now.toEpochMilli();
  }

  /**
   * Moves time forward, running every scheduler task that falls due on the way.
   *
   * @param duration how far to move; zero runs only the tasks already due
   * @return the new reading
   * @throws IllegalArgumentException if the duration is negative
   */
  public Instant advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("a ManualClock only moves forward; was asked to move " + duration);
    }
    synchronized (timeline) {
      return advanceTo(timeline.now.plus(duration));
    }
  }

  /**
   * Moves time forward to an instant, running every scheduler task that falls due on the way. A
   * task that schedules another task due before the target sees it run too.
   *
   * @param target the new reading
   * @return the new reading
   * @throws IllegalArgumentException if the target is before the current reading
   */
  public Instant advanceTo(Instant target) {
    Objects.requireNonNull(target, "target");
    synchronized (timeline) {
      if (target.isBefore(timeline.now)) {
        throw new IllegalArgumentException(
            "a ManualClock only moves forward; it reads " + timeline.now + ", was asked for " + target);
      }
      while (true) {
        ManualScheduler next = null;
        Instant nextDue = null;
        for (ManualScheduler scheduler : timeline.schedulers) {
          Instant due = scheduler.nextDue();
          if (due != null && !due.isAfter(target) && (nextDue == null || due.isBefore(nextDue))) {
            next = scheduler;
            nextDue = due;
          }
        }
        if (next == null) {
          break;
        }
        if (nextDue.isAfter(timeline.now)) {
          timeline.now = nextDue;
        }
        next.runOneDue(timeline.now);
      }
      timeline.now = target;
      return target;
    }
  }

  void register(ManualScheduler scheduler) {
    timeline.schedulers.add(scheduler);
  }

  /** Runs the tasks due now, on the calling thread, under the same lock as moves. */
  void runDue() {
    advance(Duration.ZERO);
  }

  @Override
  public String toString() {
    return "ManualClock[" + timeline.now + ", " + zone + "]";
  }

  /** The time shared by a clock and its zone views, and the schedulers driven by it. */
  private static final class Timeline {
    volatile Instant now;
    final List<ManualScheduler> schedulers = new CopyOnWriteArrayList<>();

    Timeline(Instant start) {
      this.now = start;
    }
  }
}
