package io.secretsdk.benchmarks.file;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionStage;
import io.secretsdk.file.FileSecretSource;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one file-backend fetch through a Kubernetes-style volume ({@code password} ->
 * {@code ..data/password} -> {@code ..2026_x/password}): {@link FileSecretSource#fetch}, which
 * walks the name from an open root without following links on a reader thread, against the
 * resolve-then-open read the backend did before (real path, prefix check, then a plain open that
 * follows links, which a racing swap could escape through).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar FileFetch}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FileFetchBenchmark {
  private Path root;
  private Path realRoot;
  private FileSecretSource source;
  private final SecretRef ref = SecretRef.of("password");

  /** Writes the volume. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    root = Files.createTempDirectory("file-fetch-bench");
    realRoot = root.toRealPath();
    Path data = root.resolve("..2026_12_02_00_00_00.1");
    Files.createDirectories(data);
    Files.writeString(data.resolve("password"), "{\"username\":\"app\",\"password\":\"Zq8#vR2!mN5pL9@xT4wK\"}");
    Files.createSymbolicLink(root.resolve("..data_tmp"), data.getFileName());
    Files.move(root.resolve("..data_tmp"), root.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    Files.createSymbolicLink(root.resolve("password"), Path.of("..data/password"));
    source = FileSecretSource.of(root);
  }

  /** Removes the volume. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    source.close();
    for (String p : new String[] {"password", "..data", "..2026_12_02_00_00_00.1/password", "..2026_12_02_00_00_00.1", ""}) {
      Files.deleteIfExists(root.resolve(p));
    }
  }

  /**
   * secretsdk's fetch, the value closed.
   *
   * @return the value's length
   */
  @Benchmark
  public int secureFetch() {
    Secret s = source.fetch(ref);
    int n = s.value().length();
    s.value().destroy();
    return n;
  }

  /**
   * The former read: resolve, check, open following links, read, the same Secret built; buffers wiped.
   *
   * @return the content's length
   * @throws IOException never here
   */
  @Benchmark
  public int resolveThenOpen() throws IOException {
    Path real = root.resolve("password").toRealPath();
    if (!real.startsWith(realRoot)) {
      throw new IllegalStateException("outside");
    }
    BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    byte[] buf = new byte[(int) a.size() + 1];
    int n = 0;
    try (InputStream in = new FileInputStream(real.toFile())) {
      int r;
      while (n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0) {
        n += r;
      }
    }
    byte[] content = Arrays.copyOf(buf, n);
    Arrays.fill(buf, (byte) 0);
    Secret s = Secret.builder("password").value(SecretValue.fromUtf8(content)).versionIdFromContent()
        .stages(Set.of(VersionStage.CURRENT)).createdAt(a.lastModifiedTime().toInstant())
        .metadata(Map.of("file.path", real.toString())).build();
    Arrays.fill(content, (byte) 0);
    int len = s.value().length();
    s.value().destroy();
    return len;
  }
}
