package io.secretsdk.testing;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Proves that a destroyed secret leaves no copy on the heap: dump the heap of a JVM, then count
 * the occurrences of a value in the dump in each encoding a Java heap can hold it in.
 *
 * <p>The usual shape is a probe program run in its own JVM with {@link #runForked}: it makes its
 * secrets from a seed (so no copy exists before they are made), {@link #dump dumps}, rebuilds the
 * values from the seed only then to {@link #count} them (positive control: found), destroys the
 * secrets, dumps again and counts again (expected: zero). Dumps hold live objects only.
 */
public final class HeapDumps {
  private HeapDumps() {}

  /**
   * Dumps the live objects of this JVM's heap (a full GC runs first).
   *
   * @param file where to write; must not exist
   * @throws IOException if the dump cannot be written
   */
  public static void dump(Path file) throws IOException {
    HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    bean.dumpHeap(file.toAbsolutePath().toString(), true);
  }

  /**
   * The byte patterns a text value takes on a heap: Latin-1 (compact strings, UTF-8 of ASCII),
   * UTF-16BE (how HPROF writes {@code char[]}) and UTF-16LE.
   *
   * @param value the text; not modified
   * @return three patterns; the caller wipes them
   */
  public static List<byte[]> encodings(char[] value) {
    byte[] latin1 = new byte[value.length];
    byte[] be = new byte[value.length * 2];
    byte[] le = new byte[value.length * 2];
    for (int i = 0; i < value.length; i++) {
      char c = value[i];
      latin1[i] = (byte) c;
      be[2 * i] = (byte) (c >> 8);
      be[2 * i + 1] = (byte) c;
      le[2 * i] = (byte) c;
      le[2 * i + 1] = (byte) (c >> 8);
    }
    List<byte[]> out = new ArrayList<>(3);
    out.add(latin1);
    out.add(be);
    out.add(le);
    return out;
  }

  /**
   * Counts the occurrences of each pattern in a file, streaming it.
   *
   * @param file a heap dump
   * @param patterns the byte patterns; not modified
   * @return the total occurrences of all patterns
   * @throws IOException if the file cannot be read
   */
  public static long count(Path file, List<byte[]> patterns) throws IOException {
    int longest = patterns.stream().mapToInt(p -> p.length).max().orElse(0);
    if (longest == 0) {
      throw new IllegalArgumentException("no patterns to count");
    }
    long total = 0;
    byte[] window = new byte[(1 << 20) + longest];
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
      int carry = 0;
      while (true) {
        int read = in.readNBytes(window, carry, window.length - carry);
        int filled = carry + read;
        boolean eof = read < window.length - carry;
        // Matches starting before `limit` are counted now; later starts move to the next window.
        int limit = eof ? filled : filled - (longest - 1);
        for (byte[] p : patterns) {
          for (int i = 0; i < limit && i + p.length <= filled; i++) {
            if (matches(window, i, p)) {
              total++;
            }
          }
        }
        if (eof) {
          break;
        }
        carry = filled - limit;
        System.arraycopy(window, limit, window, 0, carry);
      }
    }
    Arrays.fill(window, (byte) 0);
    return total;
  }

  private static boolean matches(byte[] window, int at, byte[] pattern) {
    for (int k = 0; k < pattern.length; k++) {
      if (window[at + k] != pattern[k]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs a class's {@code main} in a new JVM with this JVM's class path.
   *
   * @param mainClass the class to run
   * @param timeoutSeconds how long it may take before it is killed
   * @param args its arguments
   * @return its exit code and output (stdout and stderr merged)
   * @throws IOException if it cannot be started
   * @throws InterruptedException if interrupted while waiting
   */
  public static Forked runForked(Class<?> mainClass, long timeoutSeconds, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx128m");
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(Arrays.asList(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output;
    try (InputStream in = process.getInputStream()) {
      output = in.readAllBytes();
    }
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(mainClass.getName() + " did not finish in " + timeoutSeconds + " s");
    }
    return new Forked(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  /**
   * What a forked JVM left.
   *
   * @param exitCode its exit code
   * @param output its stdout and stderr
   */
  public record Forked(int exitCode, String output) {}
}
