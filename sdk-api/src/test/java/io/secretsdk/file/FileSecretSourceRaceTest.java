package io.secretsdk.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.testing.LeakGuard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker with write access under the root swaps a file, or a parent directory, for a link to
 * outside content, or swaps a FIFO in, while readers fetch: no read may return outside content,
 * and no read may hang.
 */
class FileSecretSourceRaceTest {
  static final String INSIDE = "inside-value-7781";
  static final String OUTSIDE = "outside-content-9923";
  static final int FETCHES = 20_000;

  @TempDir Path root;
  @TempDir Path outside;

  /** What the readers saw. */
  record Tally(long fetches, long inside, long escapes, long refused, long timeouts, long slowestMs, List<String> odd) {}

  /** Runs {@code readers} threads fetching {@code name} while {@code swap} runs in a loop, until FETCHES. */
  private Tally attack(FileSecretSource source, String name, int readers, Swap swap) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong fetches = new AtomicLong();
    AtomicLong inside = new AtomicLong();
    AtomicLong escapes = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    AtomicLong timeouts = new AtomicLong();
    AtomicLong slowest = new AtomicLong();
    List<String> odd = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch started = new CountDownLatch(readers + 1);
    try {
      Future<?> swapper = pool.submit(() -> {
        started.countDown();
        while (running.get()) {
          swap.run();
        }
        return null;
      });
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < readers; t++) {
        futures.add(pool.submit(() -> {
          started.countDown();
          started.await();
          while (fetches.incrementAndGet() <= FETCHES) {
            long t0 = System.nanoTime();
            try {
              Secret s = source.fetch(SecretRef.of(name));
              String v = s.value().isBinary() ? "<binary>" : s.value().revealString();
              s.value().destroy();
              if (v.equals(INSIDE)) {
                inside.incrementAndGet();
              } else if (v.contains("outside")) {
                escapes.incrementAndGet();
              } else {
                odd.add("value of length " + v.length());
              }
            } catch (SecretUnavailableException e) {
              if (e.getMessage().contains("within")) {
                timeouts.incrementAndGet();
              } else {
                refused.incrementAndGet();
              }
            } catch (SecretException e) {
              refused.incrementAndGet();
            } catch (RuntimeException e) {
              odd.add(e.toString());
            }
            slowest.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), Math::max);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
      running.set(false);
      swapper.get(30, TimeUnit.SECONDS);
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
    Tally tally = new Tally(FETCHES, inside.get(), escapes.get(), refused.get(), timeouts.get(), slowest.get(), odd);
    System.out.println("[race] " + name + ": " + tally);
    return tally;
  }

  @FunctionalInterface
  interface Swap {
    void run() throws IOException;
  }

  /** root/a alternates between a regular file and a link to outside content, by atomic renames. */
  private Swap fileForLink() throws IOException {
    Files.writeString(outside.resolve("stolen"), OUTSIDE);
    Files.writeString(root.resolve("a"), INSIDE);
    Files.writeString(root.resolve("a.file"), INSIDE);
    Files.createSymbolicLink(root.resolve("a.link"), outside.resolve("stolen"));
    return () -> {
      Files.move(root.resolve("a.link"), root.resolve("a"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.createSymbolicLink(root.resolve("a.link"), outside.resolve("stolen"));
      Files.move(root.resolve("a.file"), root.resolve("a"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.writeString(root.resolve("a.file"), INSIDE);
    };
  }

  /** root/dir (holding secret) alternates with a link to an outside directory holding secret. */
  private Swap directoryForLink() throws IOException {
    Files.createDirectories(root.resolve("dir"));
    Files.writeString(root.resolve("dir/secret"), INSIDE);
    Files.writeString(outside.resolve("secret"), OUTSIDE);
    Files.createSymbolicLink(root.resolve("dir.link"), outside);
    return () -> {
      Files.move(root.resolve("dir"), root.resolve("dir.real"), StandardCopyOption.ATOMIC_MOVE);
      Files.move(root.resolve("dir.link"), root.resolve("dir"), StandardCopyOption.ATOMIC_MOVE);
      Thread.onSpinWait();
      Files.move(root.resolve("dir"), root.resolve("dir.link"), StandardCopyOption.ATOMIC_MOVE);
      Files.move(root.resolve("dir.real"), root.resolve("dir"), StandardCopyOption.ATOMIC_MOVE);
    };
  }

  @Test
  void aFileSwappedForALinkToOutsideContentNeverLeaksIt() throws Exception {
    LeakGuard.watch(OUTSIDE);
    Swap swap = fileForLink();
    try (FileSecretSource source = FileSecretSource.of(root)) {
      Tally t = attack(source, "a", 2, swap);
      assertThat(t.escapes()).as("fetches that returned outside content").isZero();
      assertThat(t.odd()).isEmpty();
      assertThat(t.inside()).as("fetches that read the real file").isPositive();
    }
  }

  @Test
  void aParentDirectorySwappedForALinkToOutsideNeverLeaksIt() throws Exception {
    LeakGuard.watch(OUTSIDE);
    Swap swap = directoryForLink();
    try (FileSecretSource source = FileSecretSource.of(root)) {
      Tally t = attack(source, "dir/secret", 2, swap);
      assertThat(t.escapes()).as("fetches that returned outside content").isZero();
      assertThat(t.odd()).isEmpty();
      assertThat(t.inside()).isPositive();
    }
  }

  /**
   * The fall-back for platforms without SecureDirectoryStream resolves, checks, then opens: a final
   * link is never followed, but a parent directory swapped in between can be. This documents the
   * limit that the secure path removes.
   */
  @Test
  void theFallBackNeverFollowsAFinalLinkButCanFollowASwappedParent() throws Exception {
    LeakGuard.watch(OUTSIDE);
    Swap swap = fileForLink();
    try (FileSecretSource source = FileSecretSource.create(root, Duration.ofSeconds(2), false)) {
      Tally t = attack(source, "a", 2, swap);
      assertThat(t.escapes()).as("fall-back fetches that returned outside content through a final link").isZero();
      assertThat(t.odd()).isEmpty();
    }
  }

  @Test
  void aFifoSwappedInNeverHangsAReader() throws Exception {
    Path fifo = root.resolve("a.fifo");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mk.waitFor(10, TimeUnit.SECONDS)).isTrue();
    org.junit.jupiter.api.Assumptions.assumeTrue(mk.exitValue() == 0 && Files.exists(fifo), "mkfifo is available");
    Files.writeString(root.resolve("a"), INSIDE);
    Files.writeString(root.resolve("a.file"), INSIDE);
    Swap swap = () -> {
      // FIFO in, regular file back, by renames: the FIFO is never written to.
      Files.move(root.resolve("a"), root.resolve("a.spare"), StandardCopyOption.ATOMIC_MOVE);
      Files.move(fifo, root.resolve("a"), StandardCopyOption.ATOMIC_MOVE);
      Files.move(root.resolve("a"), fifo, StandardCopyOption.ATOMIC_MOVE);
      Files.move(root.resolve("a.spare"), root.resolve("a"), StandardCopyOption.ATOMIC_MOVE);
    };
    try (FileSecretSource source = FileSecretSource.of(root, Duration.ofMillis(250))) {
      Tally t = attack(source, "a", 2, swap);
      assertThat(t.odd()).isEmpty();
      assertThat(t.inside()).isPositive();
      // Bounded by the read timeout (250 ms) plus a margin for a loaded machine; a hang never ends.
      assertThat(t.slowestMs()).as("the slowest fetch, ms").isLessThan(15_000);
      assertThat(t.inside() + t.refused() + t.timeouts()).isEqualTo(FETCHES);
    }
    assertThat(new String(Files.readAllBytes(root.resolve("a")), StandardCharsets.UTF_8)).isEqualTo(INSIDE);
  }
}
