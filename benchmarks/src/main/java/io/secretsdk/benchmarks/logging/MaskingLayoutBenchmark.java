package io.secretsdk.benchmarks.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretValue;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.logback.SecretMaskingLayout;
import io.secretsdk.observe.SecretMasking;
import io.secretsdk.resilience.ResiliencePolicy;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Logback's plain {@code PatternLayout} against {@code SecretMaskingLayout} with the same pattern,
 * while caches hold {@code held} JSON secrets (each registered as the whole value and two
 * fields), and the scan alone ({@code maskOnly}). Lines: {@code clean} (a 100-character message, nothing held), {@code secret} (the same
 * with one held password in it) and {@code long} (a 2,000-character message, nothing held).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class MaskingLayoutBenchmark {
  static final String PATTERN = "%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n";

  @Param({"10", "1000"})
  public int held;

  @Param({"clean", "secret", "long"})
  public String line;

  SecretCache cache;
  PatternLayout plain;
  SecretMaskingLayout masking;
  LoggingEvent event;
  String rendered;

  /** Values made from the name, the same each run. */
  static final class Generated implements SecretSource {
    @Override
    public String scheme() {
      return "bench";
    }

    @Override
    public Secret fetch(SecretRef ref) {
      String json = "{\"username\":\"svc-" + ref.name().hashCode() + "\",\"password\":\"" + password(ref.name())
          + "\",\"api_key\":\"ak-" + password(ref.name() + "/key") + password(ref.name() + "/key2") + "\"}";
      return Secret.builder(ref.name()).versionId("v1").value(SecretValue.copyOf(json.toCharArray())).build();
    }
  }

  static String password(String seed) {
    Random r = new Random(seed.hashCode());
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      b.append((char) ('a' + r.nextInt(26)));
    }
    return b.toString();
  }

  @Setup(org.openjdk.jmh.annotations.Level.Trial)
  public void setUp() {
    LoggerContext context = new LoggerContext();
    plain = new PatternLayout();
    plain.setContext(context);
    plain.setPattern(PATTERN);
    plain.start();
    masking = new SecretMaskingLayout();
    masking.setContext(context);
    masking.setPattern(PATTERN);
    masking.start(); // enables masking before the cache installs anything
    cache = SecretCache.builder(new Generated()).defaultTtl(Duration.ofHours(1)).resilience(ResiliencePolicy.none())
        .maximumSize(held + 10).build();
    for (int i = 0; i < held; i++) {
      cache.get(SecretRef.of("bench/db-" + i));
    }
    String clean = "user 4711 logged in from 10.1.2.3 using session 7f3e; cart has 3 items, total 99.95 EUR, ok";
    String message;
    switch (line) {
      case "clean":
        message = clean;
        break;
      case "secret":
        message = clean + " pw=" + password("bench/db-" + (held / 2));
        break;
      default:
        StringBuilder b = new StringBuilder();
        while (b.length() < 2000) {
          b.append(clean).append(' ');
        }
        message = b.toString();
    }
    Logger logger = context.getLogger("com.example.shop.CheckoutService");
    event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, message, null, null);
    event.setThreadName("http-nio-8080-exec-7");
    rendered = plain.doLayout(event);
  }

  @TearDown(org.openjdk.jmh.annotations.Level.Trial)
  public void tearDown() {
    cache.close();
  }

  /** The plain pattern layout. */
  @Benchmark
  public String plainPatternLayout() {
    return plain.doLayout(event);
  }

  /** The scan alone, over the line the plain layout rendered. */
  @Benchmark
  public String maskOnly() {
    return SecretMasking.mask(rendered);
  }

  /** The same pattern, masked. */
  @Benchmark
  public String maskingPatternLayout() {
    return masking.doLayout(event);
  }
}
