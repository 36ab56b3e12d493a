package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a user who treats a cache's value as their own is told: closing it, and reading a kept one
 * after its overlap ended, are errors that say what to do instead.
 */
class BorrowedValueMessagesTest {
  private static final SecretRef DB = SecretRef.of("prod/db");
  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeSource source = new FakeSource(clock);
  private final SecretCache cache = SecretCache.builder(source)
      .clock(clock).scheduler(scheduler).listenerExecutor(Runnable::run).resilience(ResiliencePolicy.none())
      .refreshJitter(0).defaultTtl(Duration.ofSeconds(100)).overlap(Duration.ofSeconds(30)).build();

  @AfterEach
  void close() {
    cache.close();
  }

  @Test
  void closingACachedValueSaysItIsBorrowedAndWhereTryWithResourcesBelongs() {
    LeakGuard.watch("borrowed-pw-1");
    source.put("prod/db", "borrowed-pw-1");
    SecretValue value = cache.get(DB).value();

    assertThat(value.isBorrowed()).isTrue();
    assertThatThrownBy(value::close)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessage("this value is borrowed from a SecretCache, which zeroes it; do not close it — use"
            + " try-with-resources only on values a SecretSource returned");
    assertThat(value.contentEquals("borrowed-pw-1".toCharArray())).isTrue();
  }

  @Test
  void aKeptValueReadAfterItsOverlapEndedSaysToReadItFromTheCacheEachTime() {
    LeakGuard.watch("kept-pw-1");
    LeakGuard.watch("kept-pw-2");
    source.put("prod/db", "kept-pw-1");
    SecretValue kept = cache.get(DB).value();
    source.rotate("prod/db", "kept-pw-2");
    clock.advance(Duration.ofSeconds(75)); // the refresh sees v2; v1's overlap runs 30 s more
    assertThat(kept.contentEquals("kept-pw-1".toCharArray())).isTrue();
    clock.advance(Duration.ofSeconds(30));

    assertThatThrownBy(kept::revealString)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("this value was zeroed by its cache after its version was replaced")
        .hasMessageContaining("read it again from the cache each time you need it instead of keeping it");
    assertThat(cache.get(DB).value().contentEquals("kept-pw-2".toCharArray())).isTrue();
  }

  @Test
  void aKeptFieldOfACachedSecretSaysToReadTheSecretAgain() {
    LeakGuard.watch("field-pw-1");
    source.put("prod/db", "{\"password\":\"field-pw-1\"}");
    Secret secret = cache.get(DB);
    SecretValue field = secret.field("password");
    assertThatThrownBy(field::close).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("field of a Secret").hasMessageContaining("do not close it");
    cache.close(); // zeroes every version it holds, and with it the parsed fields

    assertThat(secret.value().isDestroyed()).isTrue();
    assertThatThrownBy(field::revealString).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("read the secret again instead of keeping its fields");
  }
}
