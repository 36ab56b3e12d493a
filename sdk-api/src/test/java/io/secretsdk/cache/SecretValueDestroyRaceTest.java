package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretValue;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The cache zeroes values that readers may be reading at that moment; SecretValue promises that a
 * reader then gets either the whole content or an IllegalStateException, never a half-zeroed copy.
 */
class SecretValueDestroyRaceTest {
  private static final int ROUNDS = 30;
  private static final int READERS = 4;
  private static final int LENGTH = 2048;

  @Test
  void aReaderRacingDestroyGetsTheWholeValueOrAnErrorNeverAPartlyZeroedCopy() throws Exception {
    char[] pattern = new char[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      pattern[i] = (char) ('a' + i % 26);
    }
    ExecutorService pool = Executors.newFixedThreadPool(READERS);
    List<String> torn = new CopyOnWriteArrayList<>();
    AtomicLong whole = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    try {
      for (int round = 0; round < ROUNDS; round++) {
        SecretValue owned = SecretValue.copyOf(pattern);
        SecretValue borrowed = owned.borrow();
        CyclicBarrier start = new CyclicBarrier(READERS + 1);
        CountDownLatch destroyed = new CountDownLatch(1);
        Future<?>[] readers = new Future<?>[READERS];
        for (int r = 0; r < READERS; r++) {
          int kind = r;
          readers[r] = pool.submit(() -> {
            start.await();
            boolean after = false;
            while (!after) {
              after = destroyed.getCount() == 0;
              try {
                boolean ok;
                switch (kind % 3) {
                  case 0:
                    ok = borrowed.withChars(chars -> Arrays.equals(chars, pattern));
                    break;
                  case 1:
                    ok = borrowed.contentEquals(pattern);
                    break;
                  default:
                    ok = borrowed.withBytes(bytes -> bytes.length == LENGTH && bytes[LENGTH - 1] == (byte) pattern[LENGTH - 1]);
                }
                if (ok) {
                  whole.incrementAndGet();
                } else {
                  torn.add("reader kind " + kind + " saw a partly zeroed value");
                }
              } catch (IllegalStateException expected) {
                refused.incrementAndGet();
                return null;
              }
            }
            return null;
          });
        }
        start.await(5, TimeUnit.SECONDS);
        Thread.onSpinWait();
        owned.destroy();
        destroyed.countDown();
        for (Future<?> f : readers) {
          f.get(5, TimeUnit.SECONDS);
        }
        assertThat(borrowed.isDestroyed()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(torn).isEmpty();
    // Every reader ends by being refused once the value is gone.
    assertThat(refused.get()).isEqualTo((long) ROUNDS * READERS);
    assertThat(whole.get()).isPositive();
  }
}
