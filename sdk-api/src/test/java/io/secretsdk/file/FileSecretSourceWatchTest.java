package io.secretsdk.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSecretSourceWatchTest {
  @TempDir Path root;

  /** The layout kubelet writes, with the first timestamped directory. */
  private void kubeletVolume(String password) throws Exception {
    Path first = root.resolve("..2026_12_01_00_00_00.1");
    Files.createDirectories(first);
    Files.writeString(first.resolve("password"), password);
    Files.createSymbolicLink(root.resolve("..data"), first.getFileName());
    Files.createSymbolicLink(root.resolve("password"), Path.of("..data/password"));
  }

  /** kubelet's atomic update: a new directory, a ..data_tmp link to it renamed over ..data, the old one removed. */
  private void kubeletSwap(String password) throws Exception {
    Path next = root.resolve("..2026_12_01_00_00_00.2");
    Files.createDirectories(next);
    Files.writeString(next.resolve("password"), password);
    Files.createSymbolicLink(root.resolve("..data_tmp"), next.getFileName());
    Files.move(root.resolve("..data_tmp"), root.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    Path old = root.resolve("..2026_12_01_00_00_00.1");
    Files.delete(old.resolve("password"));
    Files.delete(old);
  }

  @Test
  void aKubeletAtomicSwapIsReportedWithinASecond() throws Exception {
    kubeletVolume("first-password");
    LinkedBlockingQueue<Predicate<SecretRef>> changes = new LinkedBlockingQueue<>();
    try (FileSecretSource source = FileSecretSource.of(root)) {
      assertThat(source.fetch(SecretRef.of("password")).value().revealString()).isEqualTo("first-password");
      SecretSource.Watch watch = source.watch(changes::add).orElseThrow();
      long t0 = System.nanoTime();
      kubeletSwap("second-password");
      Predicate<SecretRef> affected = changes.poll(1, TimeUnit.SECONDS);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      System.out.println("[watch] kubelet swap reported after " + ms + " ms");
      assertThat(affected).as("a change reported within a second").isNotNull();
      assertThat(affected.test(SecretRef.parse("file://password"))).isTrue();
      assertThat(affected.test(SecretRef.of("password"))).isTrue();
      assertThat(affected.test(SecretRef.parse("vault://secret/password"))).as("another scheme's ref").isFalse();
      assertThat(source.fetch(SecretRef.of("password")).value().revealString()).isEqualTo("second-password");
      watch.close();
    }
  }

  @Test
  void aChangeInASubdirectoryNamesOnlyWhatIsUnderItOrReadThroughIt() throws Exception {
    Files.createDirectories(root.resolve("prod"));
    Files.createDirectories(root.resolve("dev"));
    Files.writeString(root.resolve("prod/db"), "p1");
    Files.writeString(root.resolve("dev/db"), "d1");
    Files.createDirectories(root.resolve("aliases"));
    Files.createSymbolicLink(root.resolve("aliases/db"), Path.of("../prod/db"));
    List<Predicate<SecretRef>> changes = new CopyOnWriteArrayList<>();
    LinkedBlockingQueue<Boolean> seen = new LinkedBlockingQueue<>();
    try (FileSecretSource source = FileSecretSource.of(root)) {
      source.fetch(SecretRef.of("aliases/db")).value().destroy();
      source.watch(p -> {
        changes.add(p);
        seen.add(true);
      }).orElseThrow();
      Files.writeString(root.resolve("prod/db"), "p2");
      assertThat(seen.poll(1, TimeUnit.SECONDS)).isNotNull();
      Predicate<SecretRef> affected = changes.get(0);
      assertThat(affected.test(SecretRef.of("prod/db"))).isTrue();
      assertThat(affected.test(SecretRef.of("aliases/db"))).as("read through prod/").isTrue();
      assertThat(affected.test(SecretRef.of("dev/db"))).isFalse();
    }
  }

  @Test
  void closingTheWatchStopsItsThread() throws Exception {
    Files.writeString(root.resolve("k"), "v");
    try (FileSecretSource source = FileSecretSource.of(root)) {
      LinkedBlockingQueue<Boolean> seen = new LinkedBlockingQueue<>();
      SecretSource.Watch watch = source.watch(p -> seen.add(true)).orElseThrow();
      assertThat(watchThreads()).isPositive();
      watch.close();
      watch.close();
      assertThat(watchThreads()).as("watch threads left after close").isZero();
      Files.writeString(root.resolve("k"), "changed");
      assertThat(seen.poll(300, TimeUnit.MILLISECONDS)).as("a change after close").isNull();
    }
  }

  @Test
  void closingTheSourceStopsItsWatches() throws Exception {
    FileSecretSource source = FileSecretSource.of(root);
    source.watch(p -> { }).orElseThrow();
    source.watch(p -> { }).orElseThrow();
    assertThat(watchThreads()).isEqualTo(2);
    source.close();
    assertThat(watchThreads()).isZero();
  }

  private static long watchThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("secretsdk-file-watch") && t.isAlive()).count();
  }
}
