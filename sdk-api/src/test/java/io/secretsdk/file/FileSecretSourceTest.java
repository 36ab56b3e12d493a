package io.secretsdk.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretSources;
import io.secretsdk.VersionStage;
import io.secretsdk.testing.LeakGuard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSecretSourceTest {
  @TempDir Path root;
  @TempDir Path outside;

  private Secret read(String name) {
    return FileSecretSource.of(root).fetch(SecretRef.of(name));
  }

  @Test
  void readsTextFilesWithAContentVersion() throws IOException {
    LeakGuard.watch("s3cret-pass");
    Files.createDirectories(root.resolve("prod"));
    Files.writeString(root.resolve("prod/db"), "{\"username\":\"app\",\"password\":\"s3cret-pass\"}");
    Secret secret = read("prod/db");
    assertThat(secret.name()).isEqualTo("prod/db");
    assertThat(secret.field("password").revealString()).isEqualTo("s3cret-pass");
    assertThat(secret.stages()).containsExactly(VersionStage.CURRENT);
    assertThat(secret.versionId()).isEqualTo(read("prod/db").versionId());
    assertThat(secret.createdAt()).isPresent();
    Files.writeString(root.resolve("prod/db"), "{\"username\":\"app\",\"password\":\"other-pass\"}");
    assertThat(read("prod/db").versionId()).isNotEqualTo(secret.versionId());
  }

  @Test
  void keepsContentExactlyIncludingATrailingNewline() throws IOException {
    Files.writeString(root.resolve("token"), "abc\n");
    assertThat(read("token").value().revealString()).isEqualTo("abc\n");
  }

  @Test
  void filesThatAreNotUtf8AreBinary() throws IOException {
    Files.write(root.resolve("keystore"), new byte[] {(byte) 0xFE, (byte) 0xED, 0, 1});
    Secret secret = read("keystore");
    assertThat(secret.value().isBinary()).isTrue();
    assertThat(secret.value().<byte[]>withBytes(b -> b.clone())).containsExactly((byte) 0xFE, (byte) 0xED, 0, 1);
  }

  @Test
  void missingFilesAndDirectoriesAreNotFound() throws IOException {
    Files.createDirectories(root.resolve("dir"));
    assertThatThrownBy(() -> read("nope")).isInstanceOf(SecretNotFoundException.class).hasMessageContaining("nope");
    assertThatThrownBy(() -> read("dir")).isInstanceOf(SecretNotFoundException.class).hasMessageContaining("not a regular file");
  }

  @Test
  void namesThatEscapeTheRootAreRefused() throws IOException {
    Files.writeString(outside.resolve("stolen"), "not-for-you");
    Files.createSymbolicLink(root.resolve("link"), outside.resolve("stolen"));
    Files.createSymbolicLink(root.resolve("dirlink"), outside);
    for (String name : new String[] {"../x", "a/../../x", "/etc/passwd", "./a", "a//b", "a\\b", "link", "dirlink/stolen"}) {
      assertThatThrownBy(() -> read(name)).as(name).isInstanceOf(InvalidSecretRefException.class)
          .hasMessageNotContaining("not-for-you");
    }
  }

  @Test
  void aDanglingLinkIsNotFound() throws IOException {
    Files.createSymbolicLink(root.resolve("dangling"), Path.of("..data/gone"));
    assertThatThrownBy(() -> read("dangling")).isInstanceOf(SecretNotFoundException.class)
        .hasMessageContaining("link to a file that does not exist");
  }

  @Test
  void symlinksInsideTheRootAreFollowed() throws IOException {
    Files.writeString(root.resolve("real"), "inside");
    Files.createSymbolicLink(root.resolve("alias"), Path.of("real"));
    assertThat(read("alias").value().revealString()).isEqualTo("inside");
  }

  @Test
  void filesOverOneMebibyteAreRefused() throws IOException {
    byte[] big = new byte[FileSecretSource.MAX_SIZE + 1];
    Arrays.fill(big, (byte) 'a');
    Files.write(root.resolve("big"), big);
    assertThatThrownBy(() -> read("big")).isInstanceOf(SecretFormatException.class).hasMessageContaining("over the limit");
    Files.write(root.resolve("max"), Arrays.copyOf(big, FileSecretSource.MAX_SIZE));
    assertThat(read("max").value().length()).isEqualTo(FileSecretSource.MAX_SIZE);
  }

  @Test
  void unreadableFilesAreAccessDenied() throws IOException {
    assumeThat(System.getProperty("user.name")).as("root reads every file").isNotEqualTo("root");
    Path file = root.resolve("locked");
    Files.writeString(file, "x");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    assertThatThrownBy(() -> read("locked")).isInstanceOf(SecretAccessDeniedException.class);
  }

  @Test
  void onlyTheCurrentVersionExists() throws IOException {
    Files.writeString(root.resolve("k"), "v1-content");
    FileSecretSource source = FileSecretSource.of(root);
    String version = source.fetch(SecretRef.of("k")).versionId();
    assertThat(source.fetch(SecretRef.of("k").withVersion(version)).versionId()).isEqualTo(version);
    assertThat(source.fetch(SecretRef.of("k").withStage(VersionStage.CURRENT)).versionId()).isEqualTo(version);
    assertThatThrownBy(() -> source.fetch(SecretRef.of("k").withVersion("h-000"))).isInstanceOf(SecretNotFoundException.class);
    assertThatThrownBy(() -> source.fetch(SecretRef.of("k").withStage(VersionStage.PREVIOUS))).isInstanceOf(SecretNotFoundException.class);
    assertThat(source.fetchPrevious(SecretRef.of("k"))).isEmpty();
  }

  @Test
  void aRootThatIsNotADirectoryIsAClearError() throws IOException {
    assertThatThrownBy(() -> FileSecretSource.of(root.resolve("missing"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not exist");
    Files.writeString(root.resolve("f"), "x");
    assertThatThrownBy(() -> FileSecretSource.of(root.resolve("f"))).hasMessageContaining("not a directory");
  }

  @Test
  void isFoundThroughSecretSourcesByItsScheme() throws IOException {
    Files.writeString(root.resolve("api-key"), "key-123456");
    try (SecretSource source = SecretSources.fromProperties(Map.of("file.root", root.toString()))) {
      assertThat(source.fetch(SecretRef.parse("file://api-key")).value().revealString()).isEqualTo("key-123456");
      assertThat(source.fetch(SecretRef.parse("api-key")).value().revealString()).isEqualTo("key-123456");
    }
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("file.rooot", "/x")))
        .isInstanceOf(io.secretsdk.SecretConfigurationException.class).hasMessageContaining("file.root");
  }

  /**
   * The layout kubelet writes: root/..2026_..._N/{key}, root/..data -> that directory, root/key ->
   * ..data/key. An update writes a new directory, then renames a new ..data link over the old one.
   */
  @Test
  void readersNeverSeeHalfOfAKubernetesAtomicUpdate() throws Exception {
    byte[] a = new byte[64 * 1024];
    byte[] b = new byte[64 * 1024];
    Arrays.fill(a, (byte) 'A');
    Arrays.fill(b, (byte) 'B');
    Path first = root.resolve("..2026_11_22_00_00_00.0");
    Files.createDirectories(first);
    Files.write(first.resolve("password"), a);
    Files.createSymbolicLink(root.resolve("..data"), first.getFileName());
    Files.createSymbolicLink(root.resolve("password"), Path.of("..data/password"));

    FileSecretSource source = FileSecretSource.of(root);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger torn = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(4);
    try {
      Future<?>[] readers = new Future<?>[4];
      for (int t = 0; t < readers.length; t++) {
        readers[t] = pool.submit(() -> {
          started.countDown();
          while (running.get()) {
            Secret s = source.fetch(SecretRef.of("password"));
            boolean whole = s.value().<Boolean>withBytes(bytes -> Arrays.equals(bytes, a) || Arrays.equals(bytes, b));
            s.value().destroy();
            reads.incrementAndGet();
            if (!whole) {
              torn.incrementAndGet();
            }
          }
          return null;
        });
      }
      started.await(10, TimeUnit.SECONDS);
      Path current = first;
      for (int swap = 1; swap <= 200; swap++) {
        Path next = root.resolve("..2026_11_22_00_00_00." + swap);
        Files.createDirectories(next);
        Files.write(next.resolve("password"), swap % 2 == 0 ? a : b);
        Path tmp = root.resolve("..data_tmp");
        Files.createSymbolicLink(tmp, next.getFileName());
        Files.move(tmp, root.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(current.resolve("password"));
        Files.delete(current);
        current = next;
      }
      running.set(false);
      for (Future<?> f : readers) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
    assertThat(reads.get()).isPositive();
    assertThat(torn.get()).as("reads that mixed old and new content").isZero();
    assertThat(new String(source.fetch(SecretRef.of("password")).value().<byte[]>withBytes(x -> x.clone()), StandardCharsets.US_ASCII))
        .startsWith("A");
  }
}
