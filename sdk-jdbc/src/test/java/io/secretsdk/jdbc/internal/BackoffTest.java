package io.secretsdk.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Property(tries = 500)
  void aDelayIsBetweenHalfAndAllOfItsCeilingAndNeverPastTheWindow(
      @ForAll @IntRange(min = 0, max = 100) int round,
      @ForAll @LongRange(min = 0, max = 60_000) long remainingMillis,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double random) {
    Backoff backoff = Backoff.DEFAULT;
    Duration remaining = Duration.ofMillis(remainingMillis);
    Duration delay = backoff.delay(round, remaining, () -> random);
    long ceiling = Math.min(backoff.cap().toNanos(), backoff.base().toNanos() << Math.min(round, 30));
    assertThat(delay).isLessThanOrEqualTo(remaining);
    assertThat(delay.toNanos()).isLessThanOrEqualTo(ceiling);
    if (remaining.toNanos() >= ceiling) {
      assertThat(delay.toNanos()).isGreaterThanOrEqualTo(ceiling / 2);
    }
  }

  @Property(tries = 200)
  void aWindowIsUsedUpInABoundedNumberOfRounds(
      @ForAll @LongRange(min = 0, max = 120) long windowSeconds,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double random) {
    Duration left = Duration.ofSeconds(windowSeconds);
    int rounds = 0;
    while (!left.isZero()) {
      left = left.minus(Backoff.DEFAULT.delay(rounds++, left, () -> random));
      assertThat(rounds).isLessThanOrEqualTo(10 + (int) windowSeconds);
    }
  }

  @Test
  void boundsAreChecked() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
