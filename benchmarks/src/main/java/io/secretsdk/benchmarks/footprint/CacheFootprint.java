package io.secretsdk.benchmarks.footprint;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.aws.AwsSecretsManagerSource;
import io.secretsdk.benchmarks.azure.FakeKeyVault;
import io.secretsdk.benchmarks.gcp.InProcessSecretManager;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import io.secretsdk.gcp.GcpSecretManagerSource;
import io.secretsdk.vault.VaultAuth;
import io.secretsdk.vault.VaultSecretSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.openjdk.jol.info.GraphLayout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Memory per cached secret and cold start per backend (issue 14, item 7). Not a unit test and
 * not JMH: a measurement run by hand.
 *
 * <p><b>Memory.</b> For each backend (file, AWS Secrets Manager and Vault KV v2 over WireMock,
 * Secret Manager over in-process gRPC, Key Vault over WireMock), a {@link SecretCache} on the
 * real source is filled with {@value #ENTRIES} secrets (about 60-byte JSON values), and JOL's
 * {@link GraphLayout} measures everything reachable from the cache (entries, values, the
 * source's own per-secret memory) after one entry and after all of them: the difference divided
 * by the number of entries added is the retained size of one entry. The JVM's used heap after a
 * GC is shown beside it as a cross-check (it also counts garbage the GC kept).
 *
 * <p><b>Cold start.</b> For each backend a new JVM is started {@value #FORKS} times; inside it,
 * after its fake is up, the clock runs from before the client and source are made to the first
 * value read through a cache (JVM start and fake excluded; client creation, class loading and
 * the first request included). The median is shown.
 *
 * <p>Run: {@code java -Djol.magicFieldOffset=true -cp benchmarks/target/benchmarks.jar
 * io.secretsdk.benchmarks.footprint.CacheFootprint} (several minutes on a loaded machine; {@code
 * -Dentries=N}, {@code -Dforks=N}; {@code cold <backend>} runs one cold start, as the forks do).
 */
public final class CacheFootprint {
  static final int ENTRIES = Integer.getInteger("entries", 10_000);
  static final int FORKS = Integer.getInteger("forks", 3);
  static final int FILL_THREADS = 4;
  static final List<String> BACKENDS = List.of("file", "aws", "vault", "gcp", "azure");

  private CacheFootprint() {}

  /** One backend: its fake, its source and the reference of secret {@code i}. */
  interface Backend extends AutoCloseable {
    SecretSource source();

    SecretRef ref(int i);

    @Override
    void close();
  }

  public static void main(String[] args) throws Exception {
    quietLogging();
    if (args.length == 2 && args[0].equals("cold")) {
      cold(args[1]);
      return;
    }
    if (args.length == 1 && args[0].equals("memory")) {
      for (String b : BACKENDS) {
        String[] r = memory(b);
        System.out.println(b + ": retained " + r[0] + " B/entry (JOL), heap " + r[1] + " B/entry");
      }
      return;
    }
    if (args.length == 2 && args[0].equals("memory")) {
      String[] r = memory(args[1]);
      System.out.println(args[1] + ": retained " + r[0] + " B/entry (JOL), heap " + r[1] + " B/entry");
      return;
    }
    Map<String, String[]> rows = new LinkedHashMap<>();
    for (String b : BACKENDS) {
      rows.put(b, memory(b));
    }
    for (String b : BACKENDS) {
      String[] row = rows.get(b);
      rows.put(b, new String[] {row[0], row[1], coldMedian(b)});
    }
    System.out.printf("%n%-7s %22s %22s %18s%n", "backend", "retained B/entry (JOL)", "heap B/entry (after GC)",
        "cold start ms");
    rows.forEach((b, r) -> System.out.printf("%-7s %22s %22s %18s%n", b, r[0], r[1], r[2]));
    System.out.println("(" + ENTRIES + " entries per backend; cold start: median of " + FORKS + " JVMs, "
        + Runtime.getRuntime().availableProcessors() + " CPUs, load average "
        + ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() + ")");
  }

  // ---------------------------------------------------------------- memory

  private static String[] memory(String name) throws Exception {
    try (Backend b = backend(name); SecretCache cache = SecretCache.builder(b.source())
        .maximumSize(ENTRIES * 2L).defaultTtl(Duration.ofHours(1)).build()) {
      cache.get(b.ref(0)).value().length();
      GraphLayout oneLayout = GraphLayout.parseInstance(cache);
      long one = oneLayout.totalSize();
      // Both heap figures are taken while oneLayout (JOL's own record of a large graph) is alive.
      long heapOne = usedAfterGc();
      List<SecretRef> refs = new ArrayList<>();
      for (int i = 1; i <= ENTRIES; i++) {
        refs.add(b.ref(i));
      }
      long t0 = System.nanoTime();
      // Filled from a few threads: one request at a time to a loaded WireMock would take minutes.
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(FILL_THREADS);
      try {
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < FILL_THREADS; t++) {
          int from = t;
          done.add(pool.submit(() -> {
            for (int i = from; i < refs.size(); i += FILL_THREADS) {
              cache.get(refs.get(i));
            }
          }));
        }
        for (java.util.concurrent.Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      long fillMs = (System.nanoTime() - t0) / 1_000_000;
      long heapAll = usedAfterGc();
      GraphLayout allLayout = GraphLayout.parseInstance(cache);
      long all = allLayout.totalSize();
      if (Boolean.getBoolean("classes")) {
        // What the entries added, by class, the largest sums first (JOL lists them by name).
        List<String[]> lines = new ArrayList<>();
        for (String line : allLayout.subtract(oneLayout).toFootprint().split("\n")) {
          String[] f = line.trim().split("\\s+", 4);
          if (f.length == 4 && f[0].matches("[0-9]+")) {
            lines.add(f);
          }
        }
        lines.sort((x, y) -> Long.compare(Long.parseLong(y[2]), Long.parseLong(x[2])));
        for (String[] f : lines.subList(0, Math.min(lines.size(), 16))) {
          System.out.printf("    %8.1f B/entry  %6s x %-5s %s%n", Long.parseLong(f[2]) / (double) ENTRIES, f[0], f[1], f[3]);
        }
      }
      System.out.printf("%-6s filled %d entries in %d ms; reachable from the cache: %d B with 1, %d B with %d%n",
          name, ENTRIES, fillMs, one, all, ENTRIES + 1);
      return new String[] {Long.toString((all - one) / ENTRIES), Long.toString((heapAll - heapOne) / ENTRIES), ""};
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    MemoryMXBean m = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return m.getHeapMemoryUsage().getUsed();
  }

  // ---------------------------------------------------------------- cold start

  private static String coldMedian(String name) throws Exception {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < FORKS; i++) {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), CacheFootprint.class.getName(), "cold", name)
          .redirectErrorStream(true).start();
      String result = null;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith("cold-start-ms ")) {
            result = line.substring("cold-start-ms ".length()).trim().split(" ")[0];
          }
        }
      }
      p.waitFor();
      if (result == null) {
        return "failed";
      }
      ms.add(Double.parseDouble(result));
    }
    Collections.sort(ms);
    return String.format("%.0f (%.0f-%.0f)", ms.get(ms.size() / 2), ms.get(0), ms.get(ms.size() - 1));
  }

  /** In a fresh JVM: the fake first (not timed), then client, source, cache and the first value. */
  private static void cold(String name) throws Exception {
    Fake fake = fake(name);
    long t0 = System.nanoTime();
    try (Backend b = fake.backend(); SecretCache cache = SecretCache.builder(b.source()).build()) {
      int n = cache.get(b.ref(1)).value().length();
      double ms = (System.nanoTime() - t0) / 1e6;
      System.out.println("cold-start-ms " + ms + " (" + n + " chars)");
    } finally {
      fake.close();
    }
  }

  // ---------------------------------------------------------------- the backends

  /** A backend's fake, started apart from its client so that a cold start can leave it out. */
  interface Fake extends AutoCloseable {
    Backend backend() throws Exception;

    @Override
    void close();
  }

  private static Backend backend(String name) throws Exception {
    Fake fake = fake(name);
    Backend b = fake.backend();
    return new Backend() {
      @Override
      public SecretSource source() {
        return b.source();
      }

      @Override
      public SecretRef ref(int i) {
        return b.ref(i);
      }

      @Override
      public void close() {
        b.close();
        fake.close();
      }
    };
  }

  private static Fake fake(String name) throws Exception {
    switch (name) {
      case "file":
        return fileFake();
      case "aws":
        return awsFake();
      case "vault":
        return vaultFake();
      case "gcp":
        return gcpFake();
      case "azure":
        return azureFake();
      default:
        throw new IllegalArgumentException("backends: " + BACKENDS);
    }
  }

  private static Backend of(SecretSource source, IntFunction<SecretRef> refs) {
    return new Backend() {
      @Override
      public SecretSource source() {
        return source;
      }

      @Override
      public SecretRef ref(int i) {
        return refs.apply(i);
      }

      @Override
      public void close() {
        source.close();
      }
    };
  }

  private static String value(String i) {
    return "{\"username\":\"app-" + i + "\",\"password\":\"pw-" + i + "-0123456789abcdef\"}";
  }

  private static Fake fileFake() throws Exception {
    Path root = Files.createTempDirectory("footprint-files");
    int n = Math.max(ENTRIES + 1, 2);
    for (int i = 0; i <= n; i++) {
      Files.writeString(root.resolve("s" + i), value(Integer.toString(i)));
    }
    return new Fake() {
      @Override
      public Backend backend() {
        return of(FileSecretSource.of(root), i -> SecretRef.parse("file://s" + i));
      }

      @Override
      public void close() {
        try (var files = Files.list(root)) {
          files.forEach(f -> f.toFile().delete());
        } catch (java.io.IOException ignored) {
          // a temporary directory
        }
        root.toFile().delete();
      }
    };
  }

  private static WireMockServer wiremock() {
    WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(16)
        .disableRequestJournal().stubRequestLoggingDisabled(true));
    server.start();
    return server;
  }

  private static Fake awsFake() {
    WireMockServer server = wiremock();
    // One templated answer for every SecretId.
    server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
            .withBody("{\"ARN\":\"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{{jsonPath request.body"
                + " '$.SecretId'}}-AbCdEf\",\"Name\":\"{{jsonPath request.body '$.SecretId'}}\",\"VersionId\":"
                + "\"v1\",\"SecretString\":\"{\\\"username\\\":\\\"app\\\",\\\"password\\\":\\\"pw-{{jsonPath"
                + " request.body '$.SecretId'}}-0123456789abcdef\\\"}\",\"VersionStages\":[\"AWSCURRENT\"],"
                + "\"CreatedDate\":1700000000}")
            .withTransformers("response-template")));
    return new Fake() {
      @Override
      public Backend backend() {
        SecretsManagerClient client = SecretsManagerClient.builder()
            .endpointOverride(URI.create("http://127.0.0.1:" + server.port()))
            .region(Region.EU_WEST_1)
            .credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create("AKIAFAKEFAKEFAKEFAKE", "fake/secret/key/for/benchmarks/only/0000")))
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .overrideConfiguration(o -> o.retryStrategy(
                software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()))
            .build();
        AwsSecretsManagerSource source = AwsSecretsManagerSource.builder().client(client).rotationSchedule(false)
            .build();
        Backend b = of(source, i -> SecretRef.parse("aws-sm://bench-" + i));
        return new Backend() {
          @Override
          public SecretSource source() {
            return source;
          }

          @Override
          public SecretRef ref(int i) {
            return b.ref(i);
          }

          @Override
          public void close() {
            source.close();
            client.close();
          }
        };
      }

      @Override
      public void close() {
        server.stop();
      }
    };
  }

  private static Fake vaultFake() {
    WireMockServer server = wiremock();
    server.stubFor(get(urlPathMatching("/v1/secret/data/.+"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
            .withBody("{\"request_id\":\"0b1f3c9e-7f43-4a52-8f0e-2f7d3c1a9b11\",\"lease_id\":\"\",\"renewable\":false,"
                + "\"lease_duration\":0,\"data\":{\"data\":{\"username\":\"app\",\"password\":\"pw-"
                + "{{request.pathSegments.[3]}}-0123456789abcdef\"},\"metadata\":{\"created_time\":"
                + "\"2026-01-15T09:12:44.123456789Z\",\"custom_metadata\":null,\"deletion_time\":\"\","
                + "\"destroyed\":false,\"version\":1}},\"wrap_info\":null,\"warnings\":null,\"auth\":null}")
            .withTransformers("response-template")));
    return new Fake() {
      @Override
      public Backend backend() {
        VaultSecretSource source = VaultSecretSource.builder().address(URI.create("http://127.0.0.1:" + server.port()))
            .auth(VaultAuth.none()).build();
        return of(source, i -> SecretRef.parse("vault://secret/s" + i));
      }

      @Override
      public void close() {
        server.stop();
      }
    };
  }

  private static Fake gcpFake() {
    InProcessSecretManager fake = new InProcessSecretManager(ENTRIES + 2);
    return new Fake() {
      @Override
      public Backend backend() {
        com.google.cloud.secretmanager.v1.SecretManagerServiceClient client = fake.client();
        GcpSecretManagerSource source = GcpSecretManagerSource.builder().client(client)
            .project(InProcessSecretManager.PROJECT).build();
        return new Backend() {
          @Override
          public SecretSource source() {
            return source;
          }

          @Override
          public SecretRef ref(int i) {
            return SecretRef.parse("gcp-sm://s" + i);
          }

          @Override
          public void close() {
            source.close();
            client.close();
          }
        };
      }

      @Override
      public void close() {
        fake.close();
      }
    };
  }

  private static Fake azureFake() {
    FakeKeyVault fake = FakeKeyVault.templated();
    return new Fake() {
      @Override
      public Backend backend() {
        // A credential of its own: the fake's would keep its WireMock (and journal) reachable from the cache.
        com.azure.core.credential.TokenCredential credential = request -> reactor.core.publisher.Mono.just(
            new com.azure.core.credential.AccessToken(FakeKeyVault.TOKEN, java.time.OffsetDateTime.now().plusHours(1)));
        return of(io.secretsdk.azure.AzureKeyVaultSource.builder().vaultUrl(fake.vaultUrl()).credential(credential)
            .httpClient(fake.httpClient()).build(), i -> SecretRef.parse("azure-kv://secret-" + i));
      }

      @Override
      public void close() {
        fake.close();
      }
    };
  }

  /** WARN and above only: the run prints a table. */
  private static void quietLogging() throws java.io.IOException {
    Path config = Files.createTempFile("footprint-logback", ".xml");
    config.toFile().deleteOnExit();
    Files.writeString(config, "<configuration><appender name=\"C\" class=\"ch.qos.logback.core.ConsoleAppender\">"
        + "<encoder><pattern>%level %logger{20} - %msg%n</pattern></encoder></appender>"
        + "<root level=\"WARN\"><appender-ref ref=\"C\"/></root></configuration>");
    System.setProperty("logback.configurationFile", config.toString());
  }
}
