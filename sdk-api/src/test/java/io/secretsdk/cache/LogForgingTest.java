package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Secret names holding line breaks (written {@code %0A} in a reference) never reach a log line or
 * an exception message raw, so a name cannot forge a log entry.
 */
class LogForgingTest {
  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeSource source = new FakeSource(clock);

  @Test
  void aNameWithLineBreaksIsEscapedInMessagesAndInTheCachesLogLines() {
    LeakGuard.watch("forging-pw-1");
    SecretRef hostile = SecretRef.parse("prod%0D%0A2026-12-02 INFO io.secretsdk login ok%0Aend");
    assertThat(hostile.name()).contains("\r\n");
    source.put(hostile.name(), "forging-pw-1");
    try (SecretCache cache = SecretCache.builder(source).clock(clock).scheduler(scheduler)
        .listenerExecutor(Runnable::run).resilience(ResiliencePolicy.none()).refreshJitter(0)
        .defaultTtl(Duration.ofSeconds(100)).build()) {
      cache.get(hostile);
      // A backend error that quotes the raw name, as backends do: the refresh failure is logged.
      source.fail(() -> new SecretUnavailableException("backend down for '" + hostile.name() + "'", hostile));
      clock.advance(Duration.ofSeconds(80));
      SecretRef missing = SecretRef.parse("gone%0AFAKE ENTRY");
      assertThatThrownBy(() -> cache.get(missing))
          .isInstanceOf(SecretUnavailableException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r").contains("prod\\r\\n2026-12-02"));
    }
    assertThat(new SecretNotFoundException("no secret " + hostile.name(), hostile).getMessage())
        .doesNotContain("\n", "\r").contains("prod\\r\\n2026-12-02");

    List<String> lines = LeakGuard.captured();
    assertThat(lines).anySatisfy(line -> assertThat(line).contains("prod%0D%0A2026-12-02"));
    assertThat(lines).allSatisfy(line -> assertThat(line).doesNotContain("\n", "\r"));
  }
}
