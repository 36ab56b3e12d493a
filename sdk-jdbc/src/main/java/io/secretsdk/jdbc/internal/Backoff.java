package io.secretsdk.jdbc.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: the delay before round {@code n} is drawn from {@code [d/2,
 * d]} where {@code d = min(cap, base * 2^n)}, and never exceeds the time left.
 *
 * @param base the first delay's upper bound
 * @param cap the largest delay
 */
public record Backoff(Duration base, Duration cap) {

  /** The default: 100 ms doubling to 2 s. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));

  /**
   * Checks the bounds.
   *
   * @param base the first delay's upper bound, positive
   * @param cap the largest delay, at least {@code base}
   */
  public Backoff {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(cap, "cap");
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < base <= cap");
    }
  }

  /**
   * The delay before a round.
   *
   * @param round 0 for the first wait, then 1, 2, ...
   * @param remaining the time left in the retry window
   * @param random a source of numbers in {@code [0, 1)}
   * @return the delay, between zero and {@code remaining}
   */
  public Duration delay(int round, Duration remaining, DoubleSupplier random) {
    if (remaining.isNegative() || remaining.isZero()) {
      return Duration.ZERO;
    }
    long baseNanos = base.toNanos();
    long capNanos = cap.toNanos();
    int shift = Math.min(Math.max(round, 0), 30);
    long ceiling = baseNanos > (capNanos >> shift) ? capNanos : Math.min(capNanos, baseNanos << shift);
    double r = Math.min(Math.max(random.getAsDouble(), 0.0), 1.0);
    long nanos = ceiling / 2 + (long) ((ceiling - ceiling / 2) * r);
    return Duration.ofNanos(Math.min(nanos, remaining.toNanos()));
  }
}
