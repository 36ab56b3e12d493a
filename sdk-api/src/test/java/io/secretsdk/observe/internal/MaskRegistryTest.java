package io.secretsdk.observe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskRegistryTest {
  private final ManualClock clock = new ManualClock();
  private final MaskRegistry registry = new MaskRegistry(clock, Duration.ofMinutes(10), new Random(42));

  private void hold(Object owner, String label, String text) {
    registry.register(owner, List.of(registry.print(label, text.toCharArray())));
  }

  @Test
  void aHeldValueIsMaskedWhereverItAppearsInALine() {
    hold(this, "prod/db#password", "s3cr3t-pa55word");
    assertThat(registry.mask("login failed for s3cr3t-pa55word, retrying (s3cr3t-pa55word)"))
        .isEqualTo("login failed for ***secret:prod/db#password***, retrying (***secret:prod/db#password***)");
    assertThat(registry.mask("s3cr3t-pa55word")).isEqualTo("***secret:prod/db#password***");
  }

  @Test
  void aLineWithoutAHeldValueIsReturnedAsIs() {
    hold(this, "prod/db", "s3cr3t-pa55word");
    String line = "nothing to see: s3cr3t-pa55wor and 3cr3t-pa55word and S3CR3T-PA55WORD";
    assertThat(registry.mask(line)).isSameAs(line);
  }

  @Test
  void theLongestHeldValueAtAPositionWinsAndOverlappingShorterOnesAreNotMaskedTwice() {
    Object owner = new Object();
    registry.register(owner, List.of(
        registry.print("prod/api", "abcdefgh-long-token-value".toCharArray()),
        registry.print("prod/api#prefix", "abcdefgh-long".toCharArray())));
    assertThat(registry.mask("[abcdefgh-long-token-value] [abcdefgh-long-other]"))
        .isEqualTo("[***secret:prod/api***] [***secret:prod/api#prefix***-other]");
  }

  @Test
  void valuesShorterThanTheWindowAreNotRegistered() {
    assertThat(registry.print("x", "1234567".toCharArray())).isNull();
    assertThat(registry.print("x", "12345678".toCharArray())).isNotNull();
  }

  @Test
  void aRetiredValueStaysMaskedForTheRetentionPeriodThenIsForgotten() {
    Object owner = new Object();
    hold(owner, "prod/db", "rotated-out-value");
    clock.advance(Duration.ofMinutes(3));
    registry.retire(owner);
    clock.advance(Duration.ofMinutes(10).minusMillis(1));
    assertThat(registry.mask("x rotated-out-value")).isEqualTo("x ***secret:prod/db***");
    clock.advance(Duration.ofMillis(1));
    assertThat(registry.mask("x rotated-out-value")).isEqualTo("x rotated-out-value");
    assertThat(registry.size()).isZero();
  }

  @Test
  void manyHeldValuesAreAllFoundAndRandomTextMatchesNone() {
    Random random = new Random(7);
    List<String> held = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      String v = randomText(random, 8 + random.nextInt(40));
      held.add(v);
      hold(new Object(), "s" + i, v);
    }
    for (int i = 0; i < held.size(); i++) {
      assertThat(registry.mask("<" + held.get(i) + ">")).isEqualTo("<***secret:s" + i + "***>");
    }
    for (int i = 0; i < 2_000; i++) {
      String line = randomText(random, 200);
      assertThat(registry.mask(line)).isSameAs(line);
    }
  }

  @Test
  void theFingerprintsHoldNoPlaintext() {
    MaskRegistry.Print p = registry.print("prod/db", "visible-if-leaked".toCharArray());
    assertThat(p.toString()).doesNotContain("visible");
    assertThat(p.replacement).isEqualTo("***secret:prod/db***");
    assertThat(p.length).isEqualTo(17);
  }

  private static String randomText(Random random, int length) {
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_ ";
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  @Test
  void scansRacingRegistrationsAndRetirementsAlwaysMaskWhatIsHeldThroughout() throws Exception {
    hold(this, "stable", "always-held-value-0001");
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger scans = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      threads.add(new Thread(() -> {
        try {
          start.await();
          while (!stop.get()) {
            String masked = registry.mask("a always-held-value-0001 b");
            if (!masked.equals("a ***secret:stable*** b")) {
              failures.add(new AssertionError("unmasked: " + masked.length() + " chars"));
            }
            scans.incrementAndGet();
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (int i = 0; i < 2_000; i++) {
      Object owner = new Object();
      hold(owner, "churn-" + i, "churning-value-" + i + "-xyz");
      registry.retire(owner);
      if (i % 100 == 0) {
        clock.advance(Duration.ofMinutes(11));
      }
    }
    stop.set(true);
    for (Thread t : threads) {
      t.join(10_000);
    }
    assertThat(failures).isEmpty();
    assertThat(scans.get()).isPositive();
  }
}
