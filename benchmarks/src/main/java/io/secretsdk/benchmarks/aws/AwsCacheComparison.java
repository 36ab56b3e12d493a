package io.secretsdk.benchmarks.aws;

import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import io.secretsdk.SecretRef;
import io.secretsdk.aws.AwsSecretsManagerSource;
import io.secretsdk.cache.SecretCache;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * secretsdk's cache over {@code AwsSecretsManagerSource} against the AWS caching library for Java
 * ({@code com.amazonaws.secretsmanager:aws-secretsmanager-caching-java}), side by side against one
 * fake AWS Secrets Manager (WireMock on 127.0.0.1, 100 secrets), in one run, printed as a table:
 *
 * <ol>
 *   <li>warm read throughput with 1 and 2 threads (JMH, {@link AwsCacheReadBenchmark}, forked);
 *   <li>the slowest read while the backend takes 1.5 s to answer the refresh of a held secret;
 *   <li>backend calls to warm 100 rotation-enabled secrets, and per hour of steady state for 100
 *       unchanged secrets, by operation: the cache as it is, and one batched check round
 *       ({@code checkVersions} of all 100, what a cache that batches its checks makes) at the
 *       source's suggested lifetime;
 *   <li>seconds until a rotation made on the server, at its published rotation time, is seen.
 * </ol>
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.secretsdk.benchmarks.aws.AwsCacheComparison}.
 * Real time passes here (this is a measurement, not a test); the whole run takes about two
 * minutes. The machine's CPU is shared, so absolute throughput figures vary from run to run.
 */
public final class AwsCacheComparison {
  private static final int SECRETS = 100;
  private static final Duration SLOW = Duration.ofMillis(1_500);

  private final FakeSecretsManager fake;
  private final Map<String, String[]> rows = new LinkedHashMap<>();

  private AwsCacheComparison(FakeSecretsManager fake) {
    this.fake = fake;
  }

  public static void main(String[] args) throws Exception {
    String logConfig = quietLogging();
    boolean skipJmh = args.length > 0 && args[0].equals("--no-jmh");
    Map<String, Double> throughput = skipJmh ? Map.of() : readThroughput(logConfig);
    // Every secret has rotation enabled, with its next rotation a month away.
    try (FakeSecretsManager fake = new FakeSecretsManager(SECRETS, Instant.now().plus(Duration.ofDays(30)))) {
      AwsCacheComparison c = new AwsCacheComparison(fake);
      if (!skipJmh) {
        c.row("1. warm reads, 1 thread (ops/µs)", fmt(throughput.get("secretsdk1Thread")),
            fmt(throughput.get("awsCaching1Thread")));
        c.row("1. warm reads, 2 threads (ops/µs)", fmt(throughput.get("secretsdk2Threads")),
            fmt(throughput.get("awsCaching2Threads")));
      }
      c.slowRefresh();
      c.warmUpCalls();
      c.steadyStateCalls();
      c.rotationSeen();
      c.print();
    }
  }

  // ---------------------------------------------------------------- 1. throughput (JMH)

  /**
   * Logback's default is DEBUG to the console, which would drown the table (and slow the run): a
   * WARN-level configuration is written to a temporary file and used here and in the JMH fork.
   */
  private static String quietLogging() throws java.io.IOException {
    java.nio.file.Path config = java.nio.file.Files.createTempFile("aws-comparison-logback", ".xml");
    config.toFile().deleteOnExit();
    java.nio.file.Files.writeString(config, "<configuration><appender name=\"C\" "
        + "class=\"ch.qos.logback.core.ConsoleAppender\"><encoder><pattern>%level %logger{20} - %msg%n</pattern>"
        + "</encoder></appender><root level=\"WARN\"><appender-ref ref=\"C\"/></root></configuration>");
    System.setProperty("logback.configurationFile", config.toString());
    return config.toString();
  }

  private static Map<String, Double> readThroughput(String logConfig) throws Exception {
    Options options = new OptionsBuilder()
        .include(AwsCacheReadBenchmark.class.getName())
        .jvmArgsAppend("-Dlogback.configurationFile=" + logConfig)
        .forks(1)
        .warmupIterations(2)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(3)
        .measurementTime(TimeValue.seconds(1))
        .build();
    Map<String, Double> scores = new LinkedHashMap<>();
    for (RunResult r : new Runner(options).run()) {
      String label = r.getParams().getBenchmark();
      scores.put(label.substring(label.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
    }
    return scores;
  }

  // ---------------------------------------------------------------- the two caches

  /** One cache under test: how to read, and how to close it. */
  private interface Reader extends AutoCloseable {
    /** Reads a secret; returns its value's fingerprint (the version it is). */
    String read(String id);

    /** Warms many secrets the way the library offers: one by one unless it has a batch. */
    default void prefetch(List<String> ids) {
      ids.forEach(this::read);
    }

    @Override
    void close();
  }

  private Reader ours(Function<SecretCache.Builder, SecretCache.Builder> config, boolean rotationSchedule) {
    SecretsManagerClient client = fake.client();
    AwsSecretsManagerSource source =
        AwsSecretsManagerSource.builder().client(client).rotationSchedule(rotationSchedule).build();
    SecretCache cache = config.apply(SecretCache.builder(source)).build();
    Map<String, SecretRef> refs = new java.util.concurrent.ConcurrentHashMap<>();
    return new Reader() {
      @Override
      public String read(String id) {
        return cache.get(refs.computeIfAbsent(id, SecretRef::of)).versionId();
      }

      @Override
      public void prefetch(List<String> ids) {
        List<SecretRef> refs = new ArrayList<>();
        ids.forEach(i -> refs.add(SecretRef.of(i)));
        cache.prefetch(refs);
      }

      @Override
      public String toString() {
        return "secretsdk";
      }

      @Override
      public void close() {
        cache.close();
        source.close();
        client.close();
      }
    };
  }

  private Reader theirs(long ttlMillis) {
    SecretsManagerClient client = fake.client();
    com.amazonaws.secretsmanager.caching.SecretCache cache = new com.amazonaws.secretsmanager.caching.SecretCache(
        new SecretCacheConfiguration().withClient(client).withCacheItemTTL(ttlMillis));
    return new Reader() {
      @Override
      public String read(String id) {
        String value = cache.getSecretString(id);
        // The library hands back the value only; the password embeds the version.
        return value.contains("pw-v2-") ? "v2" : "v1";
      }

      @Override
      public String toString() {
        return "aws-caching";
      }

      @Override
      public void close() {
        cache.close();
        client.close();
      }
    };
  }

  // ---------------------------------------------------------------- 2. a slow refresh

  /**
   * Two readers read one secret about every 0.1 ms for 6 s while its ttl (2 s) runs out; once with
   * a backend that answers at once (the control: what this machine does to a read anyway), once
   * with a backend that takes 1.5 s to answer each call.
   */
  private void slowRefresh() throws Exception {
    Duration ttl = Duration.ofSeconds(2);
    String[][] results = new String[2][2];
    for (int slow = 0; slow < 2; slow++) {
      for (int k = 0; k < 2; k++) {
        try (Reader reader = k == 0 ? ours(b -> b.defaultTtl(ttl), false) : theirs(ttl.toMillis())) {
          String id = FakeSecretsManager.id(slow);
          reader.read(id);
          fake.delay(slow == 1 ? SLOW : Duration.ZERO);
          long gcBefore = gcMillis();
          Histogram h = readContinuously(reader, id, 2, Duration.ofSeconds(6));
          long gc = gcMillis() - gcBefore;
          fake.delay(Duration.ZERO);
          long over100 = h.getCountBetweenValues(TimeUnit.MILLISECONDS.toNanos(100), h.getHighestTrackableValue());
          results[slow][k] = String.format(Locale.ROOT,
              "max %.1f ms; %d of %d reads over 100 ms; p99.9 %.3f ms; GC %d ms",
              h.getMaxValue() / 1e6, over100, h.getTotalCount(), h.getValueAtPercentile(99.9) / 1e6, gc);
          // Let a refresh still in flight finish before the next cache is measured.
          Thread.sleep(SLOW.toMillis() * 2);
        }
      }
    }
    row("2. control: read latency, backend answers at once (ttl 2 s, 2 threads, 6 s)", results[0][0], results[0][1]);
    row("2. read latency while each refresh takes 1.5 s (ttl 2 s, 2 threads, 6 s)", results[1][0], results[1][1]);
  }

  private static long gcMillis() {
    long total = 0;
    for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  private static Histogram readContinuously(Reader reader, String id, int threads, Duration period)
      throws InterruptedException {
    ConcurrentHistogram h = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(30), 3);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      Thread th = new Thread(() -> {
        try {
          while (!stop.get()) {
            long start = System.nanoTime();
            reader.read(id);
            h.recordValue(Math.min(System.nanoTime() - start, TimeUnit.SECONDS.toNanos(30)));
            // An application reads now and then; spinning two threads flat out on a shared
            // two-core machine would measure the OS scheduler instead.
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
          }
        } finally {
          done.countDown();
        }
      }, "bench-reader-" + t);
      th.setDaemon(true);
      th.start();
    }
    Thread.sleep(period.toMillis());
    stop.set(true);
    done.await(30, TimeUnit.SECONDS);
    return h;
  }

  // ---------------------------------------------------------------- 3. backend calls

  private void warmUpCalls() {
    List<String> ids = fake.ids();
    fake.resetCounts();
    try (Reader reader = ours(b -> b, true)) {
      reader.prefetch(ids);
      ids.forEach(reader::read);
    }
    String ours = fake.allCalls() + " (" + byOperation() + ")";
    fake.resetCounts();
    try (Reader reader = ours(b -> b, false)) {
      reader.prefetch(ids);
      ids.forEach(reader::read);
    }
    String oursNoSchedule = fake.allCalls() + " with rotationSchedule(false)";
    fake.resetCounts();
    try (Reader reader = theirs(SecretCacheConfiguration.DEFAULT_CACHE_ITEM_TTL)) {
      ids.forEach(reader::read);
    }
    String theirs = fake.allCalls() + " (" + byOperation() + ")";
    row("3. backend calls to warm 100 rotation-enabled secrets", ours + "; " + oursNoSchedule, theirs);
  }

  private String byOperation() {
    StringBuilder sb = new StringBuilder();
    for (String op : List.of("BatchGetSecretValue", "ListSecrets", "DescribeSecret", "GetSecretValue")) {
      long n = fake.calls(op);
      if (n > 0) {
        sb.append(sb.length() == 0 ? "" : " + ").append(n).append(' ').append(op);
      }
    }
    return sb.length() == 0 ? "none" : sb.toString();
  }

  /**
   * Steady state in scaled time: both caches with a 2 s ttl, all 100 secrets read in a loop for
   * 8 s after warming; the calls per secret per ttl are then scaled to an hour at each one's
   * default ttl (secretsdk's cache: 5 min, or the source's suggested 10 min once the cache uses
   * it; the AWS library: 1 h). Then one batched check round of the 100 secrets through the source
   * (what a cache that batches its checks makes, per suggested lifetime), unchanged, and with one
   * secret changed out of band (a PutSecretValue).
   */
  private void steadyStateCalls() throws InterruptedException {
    Duration ttl = Duration.ofSeconds(2);
    Duration window = Duration.ofSeconds(8);
    List<String> ids = fake.ids();
    double[] perSecretPerTtl = new double[2];
    String[] breakdown = new String[2];
    for (int k = 0; k < 2; k++) {
      try (Reader reader = k == 0 ? ours(b -> b.defaultTtl(ttl), true) : theirs(ttl.toMillis())) {
        reader.prefetch(ids);
        ids.forEach(reader::read);
        fake.resetCounts();
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end) {
          ids.forEach(reader::read);
          Thread.sleep(5);
        }
        perSecretPerTtl[k] = fake.allCalls() / (double) SECRETS / (window.toMillis() / (double) ttl.toMillis());
        breakdown[k] = String.format(Locale.ROOT, "%.2f calls per secret per ttl: %s in %d s",
            perSecretPerTtl[k], byOperation(), window.toSeconds());
      }
    }
    SecretsManagerClient client = fake.client();
    String batched;
    String changed;
    Duration suggested;
    try (AwsSecretsManagerSource source = AwsSecretsManagerSource.builder().client(client).build()) {
      List<SecretRef> refs = new ArrayList<>();
      ids.forEach(i -> refs.add(SecretRef.of(i)));
      suggested = source.suggestedTtl(refs.get(0)).orElseThrow();
      Map<SecretRef, String> held = new LinkedHashMap<>();
      source.checkVersions(refs).found().forEach((r, c) -> held.put(r, c.versionId()));
      fake.resetCounts();
      int answered = source.checkVersions(refs).found().size();
      long roundCalls = fake.allCalls();
      // The cache refreshes at 75 % of a lifetime (its default refreshAhead): 8 rounds an hour at 10 min.
      batched = String.format(Locale.ROOT, "%d per round (%s, %d of %d answered); %.0f an hour at the suggested %d min"
              + " (a round at 75 %% of it)", roundCalls, byOperation(), answered, SECRETS,
          roundCalls * 3600.0 / (suggested.toSeconds() * 0.75), suggested.toMinutes());
      String id = FakeSecretsManager.id(7);
      fake.setVersion(id, "v2", FakeSecretsManager.value(7, "v2"), Instant.now().plus(Duration.ofDays(30)));
      fake.resetCounts();
      List<SecretRef> stale = new ArrayList<>();
      source.checkVersions(refs).found().forEach((r, c) -> {
        if (!c.versionId().equals(held.get(r))) {
          stale.add(r);
        }
      });
      // The cache reads a changed entry on its own (GetSecretValue), its schedule known from the listing.
      List<String> read = new ArrayList<>();
      for (SecretRef r : stale) {
        io.secretsdk.Secret sec = source.fetch(r);
        read.add(sec.versionId());
        sec.value().destroy();
      }
      changed = String.format(Locale.ROOT, "%d changed found and read (now %s) with %d calls (%s)", stale.size(),
          read, fake.allCalls(), byOperation());
      fake.setVersion(id, "v1", FakeSecretsManager.value(7, "v1"), Instant.now().plus(Duration.ofDays(30)));
    } finally {
      client.close();
    }
    row("3. steady state measured with ttl 2 s, 100 secrets read in a loop", breakdown[0], breakdown[1]);
    row("3. calls per hour, 100 unchanged secrets, the cache as on this branch at its 5 min default",
        String.format(Locale.ROOT, "%.0f", perSecretPerTtl[0] * SECRETS * 3600.0 / 300),
        String.format(Locale.ROOT, "%.0f at its 1 h default", perSecretPerTtl[1] * SECRETS));
    row("3. calls per hour, same cache at the source's suggested " + suggested.toMinutes() + " min",
        String.format(Locale.ROOT, "%.0f", perSecretPerTtl[0] * SECRETS * 3600.0 / suggested.toSeconds()), "-");
    row("3. one batched check round of 100 unchanged secrets (checkVersions)", batched, "-");
    row("3. the same round after a PutSecretValue on one secret", changed, "-");
  }

  // ---------------------------------------------------------------- 4. rotation

  /**
   * A secret with a published rotation time is rotated on the server at that time; both caches
   * keep their default ttls (secretsdk 5 min, the AWS library 1 h) and are read every 10 ms.
   */
  private void rotationSeen() throws InterruptedException {
    String id = "bench/rotating";
    Instant rotateAt = Instant.now().plusSeconds(5).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    fake.setVersion(id, "v1", FakeSecretsManager.value(-1, "v1"), rotateAt);
    Duration limit = Duration.ofSeconds(30);
    try (Reader ours = ours(b -> b, true);
        Reader theirs = theirs(SecretCacheConfiguration.DEFAULT_CACHE_ITEM_TTL)) {
      ours.read(id);
      theirs.read(id);
      long waitMillis = Duration.between(Instant.now(), rotateAt).toMillis();
      Thread.sleep(Math.max(0, waitMillis));
      fake.setVersion(id, "v2", FakeSecretsManager.value(-1, "v2"), rotateAt.plus(Duration.ofDays(7)));
      long rotatedNanos = System.nanoTime();
      Double oursSeen = null;
      Double theirsSeen = null;
      while (System.nanoTime() - rotatedNanos < limit.toNanos() && (oursSeen == null || theirsSeen == null)) {
        double elapsed = (System.nanoTime() - rotatedNanos) / 1e9;
        if (oursSeen == null && ours.read(id).equals("v2")) {
          oursSeen = elapsed;
        }
        if (theirsSeen == null && theirs.read(id).equals("v2")) {
          theirsSeen = elapsed;
        }
        Thread.sleep(10);
      }
      row("4. seconds until a rotation at its published time is seen (default ttls)",
          oursSeen == null ? "not within " + limit.toSeconds() + " s" : String.format(Locale.ROOT, "%.2f s", oursSeen),
          theirsSeen == null
              ? "not within " + limit.toSeconds() + " s (next look at ttl end: up to 3600 s)"
              : String.format(Locale.ROOT, "%.2f s", theirsSeen));
    }
  }

  // ---------------------------------------------------------------- output

  private void row(String what, String ours, String theirs) {
    rows.put(what, new String[] {ours, theirs});
    System.out.println("[aws-comparison] " + what + ": secretsdk " + ours + " | aws-caching " + theirs);
  }

  private void print() {
    StringBuilder sb = new StringBuilder();
    sb.append("\n| measure | secretsdk | aws-secretsmanager-caching-java 2.2.0 |\n|---|---|---|\n");
    rows.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v[0]).append(" | ").append(v[1]).append(" |\n"));
    System.out.println(sb);
  }

  private static String fmt(Double d) {
    return d == null ? "n/a" : String.format(Locale.ROOT, "%.2f", d);
  }
}
