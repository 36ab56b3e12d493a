package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import io.secretsdk.observe.SecretMasking;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The cache registers each version it installs with the process-wide masking registry, and retires it when zeroed. */
class CacheMaskingTest {
  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeSource source = new FakeSource(clock);

  @Test
  void aHeldValueAndItsSecretFieldsAreMaskedButNotItsNonSecretFields() {
    SecretMasking.enable();
    String json = "{\"username\":\"app_user_prod\",\"password\":\"Pw-7f3a9c2e41b8\",\"host\":\"db.internal.example\"}";
    LeakGuard.watch("Pw-7f3a9c2e41b8");
    source.put("prod/db-json", json);
    try (SecretCache cache = SecretCache.builder(source).clock(clock).scheduler(scheduler)
        .resilience(ResiliencePolicy.none()).build()) {
      cache.get(SecretRef.of("prod/db-json"));
      assertThat(SecretMasking.mask("FATAL: password Pw-7f3a9c2e41b8 for app_user_prod at db.internal.example"))
          .isEqualTo("FATAL: password ***secret:prod/db-json#password*** for app_user_prod at db.internal.example");
      assertThat(SecretMasking.mask("raw " + json)).isEqualTo("raw ***secret:prod/db-json***");
    }
    // zeroed at close, still masked for the retention period (the global registry runs on the system clock)
    assertThat(SecretMasking.mask("late Pw-7f3a9c2e41b8")).isEqualTo("late ***secret:prod/db-json#password***");
  }
}
