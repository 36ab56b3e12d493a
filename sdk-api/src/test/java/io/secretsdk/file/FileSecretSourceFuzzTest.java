package io.secretsdk.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing campaigns (issue 10, "Fuzzing"), driven by a seeded {@link Random} so that a failure
 * replays: arbitrary file trees (links inside, outside, looping and dangling, FIFOs, huge, empty and
 * deep files) and arbitrary names through the file backend. Required of every fetch: a secret read
 * from inside the root or a typed {@link SecretException}, within a bounded time, and never a
 * file's content in a message.
 */
class FileSecretSourceFuzzTest {
  static final long SEED = Long.getLong("fuzz.seed", 20261202L);
  static final int TREES = Integer.getInteger("fuzz.trees", 60);
  static final int FETCHES_PER_TREE = 60;
  static final int REFS = Integer.getInteger("fuzz.refs", 3000);

  @TempDir Path work;

  /** Content marker: every file's content holds one, and no message may. */
  private static String marker(Random r) {
    return "fz" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36);
  }

  private static boolean mkfifo(Path p) {
    try {
      Process mk = new ProcessBuilder("mkfifo", p.toString()).start();
      return mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Builds a random tree under root; returns the names made (some of them not regular files). */
  private static List<String> tree(Random r, Path root, Path outside, List<String> markers) throws IOException {
    List<String> dirs = new ArrayList<>(List.of(""));
    List<String> names = new ArrayList<>();
    int entries = 5 + r.nextInt(25);
    int fifos = 0;
    for (int i = 0; i < entries; i++) {
      String parent = dirs.get(r.nextInt(dirs.size()));
      String leaf = switch (r.nextInt(6)) {
        case 0 -> "..data";
        case 1 -> "..2026_" + r.nextInt(3);
        case 2 -> "k" + r.nextInt(10) + ".txt";
        case 3 -> " sp ace" + r.nextInt(3);
        default -> "n" + i;
      };
      String name = parent.isEmpty() ? leaf : parent + "/" + leaf;
      Path p = root.resolve(name);
      if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      try {
        switch (r.nextInt(12)) {
          case 0, 1 -> {
            Files.createDirectories(p);
            dirs.add(name);
          }
          case 2 -> {
            // deep
            StringBuilder deep = new StringBuilder(name);
            for (int d = 0; d < 20 + r.nextInt(30); d++) {
              deep.append("/d").append(d);
            }
            Files.createDirectories(root.resolve(deep.toString()));
            String m = marker(r);
            markers.add(m);
            Files.writeString(root.resolve(deep + "/leaf"), m);
            names.add(deep + "/leaf");
          }
          case 3 -> Files.write(p, new byte[0]);
          case 4 -> {
            byte[] huge = new byte[FileSecretSource.MAX_SIZE + 1 + r.nextInt(100)];
            String m = marker(r);
            markers.add(m);
            byte[] mb = m.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(mb, 0, huge, 0, mb.length);
            Files.write(p, huge);
          }
          case 5 -> { // link inside, relative, maybe through ..
            String target = names.isEmpty() ? "nowhere" : names.get(r.nextInt(names.size()));
            String up = "../".repeat(parent.isEmpty() ? 0 : parent.split("/").length);
            Files.createSymbolicLink(p, Path.of(up + target));
          }
          case 6 -> Files.createSymbolicLink(p, outside.resolve("stolen")); // outside, absolute
          case 7 -> Files.createSymbolicLink(p, Path.of("../".repeat(1 + r.nextInt(4)) + "stolen")); // outside, relative
          case 8 -> Files.createSymbolicLink(p, Path.of(leaf)); // itself: a loop
          case 9 -> {
            if (fifos++ < 2 && mkfifo(p)) {
              names.add(name);
            }
            continue;
          }
          case 10 -> Files.createSymbolicLink(p, root.resolve(names.isEmpty() ? "x" : names.get(0))); // absolute, inside
          default -> {
            String m = marker(r);
            markers.add(m);
            byte[] content = r.nextBoolean() ? (m + "\n").getBytes(StandardCharsets.UTF_8)
                : concat(m.getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xFF, 0, (byte) 0xC3});
            Files.write(p, content);
          }
        }
        names.add(name);
      } catch (IOException e) {
        // e.g. a parent that is a file: skip that entry
      }
    }
    return names;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> all = Files.walk(p)) {
      for (Path x : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }

  @Test
  void arbitraryFileTreesGiveInsideContentOrTypedErrorsNeverAHangOrALeak() throws Exception {
    Random r = new Random(SEED);
    Path outside = work.resolve("outside");
    Files.createDirectories(outside);
    String stolen = "outside-" + marker(r);
    Files.writeString(outside.resolve("stolen"), stolen);
    long fetches = 0;
    long read = 0;
    java.util.Map<String, Integer> errors = new java.util.TreeMap<>();
    long slowest = 0;
    for (int t = 0; t < TREES; t++) {
      Path root = work.resolve("root" + t);
      Files.createDirectories(root);
      List<String> markers = new ArrayList<>();
      List<String> names = tree(r, root, outside, markers);
      try (FileSecretSource source = FileSecretSource.of(root, Duration.ofMillis(300))) {
        for (int f = 0; f < FETCHES_PER_TREE; f++) {
          String name = names.isEmpty() || r.nextInt(5) == 0 ? "missing" + f : names.get(r.nextInt(names.size()));
          fetches++;
          long t0 = System.nanoTime();
          try {
            Secret s = source.fetch(SecretRef.of(name));
            String content = s.value().isBinary() ? new String(s.value().<byte[]>withBytes(b -> b.clone()),
                StandardCharsets.ISO_8859_1) : s.value().revealString();
            s.value().destroy();
            assertThat(content).as("tree %d name %s", t, name).doesNotContain(stolen);
            read++;
          } catch (SecretException e) {
            assertThat(e.getClass()).as("a typed subclass").isNotEqualTo(SecretException.class);
            assertThat(e.getMessage()).doesNotContain(stolen);
            for (String m : markers) {
              assertThat(e.getMessage()).as("tree %d name %s", t, name).doesNotContain(m);
            }
            errors.merge(e.getClass().getSimpleName(), 1, Integer::sum);
          }
          slowest = Math.max(slowest, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
      }
      deleteTree(root);
    }
    System.out.println("[fuzz] file trees: seed " + SEED + ", " + TREES + " trees, " + fetches + " fetches, " + read
        + " read, errors " + errors + ", slowest " + slowest + " ms");
    // No hang: a fetch waits at most the read timeout (300 ms), plus a margin for a loaded machine.
    assertThat(slowest).as("slowest fetch, ms").isLessThan(15_000);
  }

  @Test
  void arbitraryNamesGiveTypedErrorsOnly() throws Exception {
    Random r = new Random(SEED + 1);
    Path root = work.resolve("names");
    Files.createDirectories(root.resolve("a/b"));
    Files.writeString(root.resolve("a/b/c"), "names-content-77");
    String alphabet = "ab/./../\\\0\n\r\t %?#:@*~\u00e9\u2028\ud83d\ude00\u0085\u0001..data";
    java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();
    int refMessagesWithLineBreaks = 0;
    try (FileSecretSource source = FileSecretSource.of(root)) {
      for (int i = 0; i < REFS; i++) {
        StringBuilder sb = new StringBuilder();
        int len = 1 + r.nextInt(24);
        for (int k = 0; k < len; k++) {
          sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        String name = sb.toString();
        String outcome;
        SecretRef ref;
        try {
          ref = r.nextBoolean() ? SecretRef.of(name) : SecretRef.parse("file://" + name);
        } catch (RuntimeException e) {
          // sdk-api's ref parsing (SecretRef, not the file backend's): counted, and raw line breaks noted.
          outcomes.merge("ref refused by SecretRef (" + e.getClass().getSimpleName() + ")", 1, Integer::sum);
          if (e.getMessage() != null && (e.getMessage().contains("\n") || e.getMessage().contains("\r"))) {
            refMessagesWithLineBreaks++;
          }
          continue;
        }
        try {
          Secret s = source.fetch(ref);
          s.value().destroy();
          outcome = "read";
        } catch (SecretException e) {
          assertThat(e.getClass()).isNotEqualTo(SecretException.class);
          assertThat(e.getMessage()).as(name).doesNotContain("names-content-77").doesNotContain("\n").doesNotContain("\r")
              .doesNotContain("\u2028").doesNotContain("\u0085");
          outcome = e.getClass().getSimpleName();
        }
        outcomes.merge(outcome, 1, Integer::sum);
      }
    }
    System.out.println("[fuzz] file names: seed " + (SEED + 1) + ", " + REFS + " names: " + outcomes
        + "; SecretRef messages with a raw line break: " + refMessagesWithLineBreaks);
    assertThat(outcomes).doesNotContainKey("read");
    // Found by this campaign: names no Path can hold (unpaired surrogates) were "unavailable"; they are invalid refs.
    assertThat(outcomes).doesNotContainKey("SecretUnavailableException");
    assertThat(outcomes.keySet()).contains(InvalidSecretRefException.class.getSimpleName());
  }
}
