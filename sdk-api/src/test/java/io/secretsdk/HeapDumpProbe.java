package io.secretsdk;

import io.secretsdk.file.FileSecretSource;
import io.secretsdk.testing.HeapDumps;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Run in its own JVM by {@link HeapDumpTest}: makes secrets through {@code fromUtf8}, {@code
 * Secret.field} and the file backend from a seed, dumps the heap, counts each value (positive
 * control), destroys everything, dumps again and counts again. Prints one line per value and
 * phase: {@code before <name> <count>} and {@code after <name> <count>}.
 *
 * <p>The values exist only inside the SDK's objects until the first dump; the search patterns
 * are rebuilt from the seed after each dump and wiped before the next.
 */
public final class HeapDumpProbe {
  private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();
  private static final String[] NAMES = {"fromUtf8", "field", "file"};

  private HeapDumpProbe() {}

  /** Fills {@code out} with the seeded value number {@code index}. */
  static void value(long seed, int index, char[] out) {
    SplittableRandom random = new SplittableRandom(seed * 31 + index);
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
  }

  /** The seeded value as ASCII bytes, wrapped in a prefix and suffix. */
  static byte[] bytes(long seed, int index, String prefix, String suffix) {
    byte[] pre = prefix.getBytes(StandardCharsets.US_ASCII);
    byte[] post = suffix.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[pre.length + 32 + post.length];
    System.arraycopy(pre, 0, out, 0, pre.length);
    SplittableRandom random = new SplittableRandom(seed * 31 + index);
    for (int i = 0; i < 32; i++) {
      out[pre.length + i] = (byte) ALPHABET[random.nextInt(ALPHABET.length)];
    }
    System.arraycopy(post, 0, out, pre.length + 32, post.length);
    return out;
  }

  /**
   * Runs the probe.
   *
   * @param args the seed and a scratch directory
   * @throws Exception on any failure, which fails the forked JVM
   */
  public static void main(String[] args) throws Exception {
    long seed = Long.parseLong(args[0]);
    Path dir = Path.of(args[1]);
    List<SecretValue> owned = new ArrayList<>();
    List<SecretValue> reads = new ArrayList<>();

    byte[] raw = bytes(seed, 0, "", "");
    SecretValue plain = SecretValue.fromUtf8(raw);
    Arrays.fill(raw, (byte) 0);
    owned.add(plain);
    reads.add(plain);

    byte[] json = bytes(seed, 1, "{\"username\":\"app\",\"password\":\"", "\",\"port\":5432}");
    SecretValue jsonValue = SecretValue.fromUtf8(json);
    Arrays.fill(json, (byte) 0);
    Secret secret = Secret.builder("db").versionId("v1").value(jsonValue).build();
    owned.add(jsonValue);
    reads.add(secret.field("password"));

    byte[] fileJson = bytes(seed, 2, "{\"password\":\"", "\"}");
    try (OutputStream out = new FileOutputStream(dir.resolve("db.json").toFile())) {
      out.write(fileJson);
    }
    Arrays.fill(fileJson, (byte) 0);
    Secret fromFile = FileSecretSource.of(dir).fetch(SecretRef.of("db.json"));
    owned.add(fromFile.value());
    reads.add(fromFile.field("password"));

    // Use every value once, as an application would.
    int total = 0;
    for (SecretValue v : reads) {
      total += v.withChars(chars -> chars.length);
    }
    if (total != 96) {
      throw new IllegalStateException("unexpected lengths: " + total);
    }

    report("before", seed, dir.resolve("before.hprof"));
    for (SecretValue v : owned) {
      v.destroy();
    }
    for (SecretValue v : reads) {
      if (!v.isDestroyed()) {
        throw new IllegalStateException("a derived value survived its owner");
      }
    }
    report("after", seed, dir.resolve("after.hprof"));
  }

  private static void report(String phase, long seed, Path dump) throws Exception {
    HeapDumps.dump(dump);
    char[] pattern = new char[32];
    for (int i = 0; i < NAMES.length; i++) {
      value(seed, i, pattern);
      List<byte[]> encodings = HeapDumps.encodings(pattern);
      Arrays.fill(pattern, '\0');
      long count = HeapDumps.count(dump, encodings);
      encodings.forEach(e -> Arrays.fill(e, (byte) 0));
      System.out.println(phase + " " + NAMES[i] + " " + count);
    }
  }
}
