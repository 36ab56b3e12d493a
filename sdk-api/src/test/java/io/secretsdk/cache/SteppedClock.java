package io.secretsdk.cache;

import io.secretsdk.testing.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * A wall clock that reads a {@link ManualClock} plus an offset a test can step, as NTP or a resumed
 * VM steps a real one, while the scheduler driven by the manual clock keeps its own (monotonic)
 * time.
 */
final class SteppedClock extends Clock {
  private final ManualClock base;
  private volatile Duration offset = Duration.ZERO;

  SteppedClock(ManualClock base) {
    this.base = base;
  }

  /** Steps the wall clock by {@code by} (negative: backwards), without moving the scheduler. */
  void step(Duration by) {
    offset = offset.plus(by);
  }

  @Override
  public ZoneId getZone() {
    return base.getZone();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Instant instant() {
    return base.instant().plus(offset);
  }
}
