package io.secretsdk.benchmarks;

import io.secretsdk.Secret;
import io.secretsdk.SecretValue;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The cost of the value types: strict UTF-8 decoding and JSON field extraction into char[]. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SecretValueBenchmark {
  private final byte[] json =
      "{\"username\":\"app\",\"password\":\"correct-horse-battery-staple\",\"host\":\"db.internal\",\"port\":5432,\"dbname\":\"orders\",\"engine\":\"postgres\"}"
          .getBytes(StandardCharsets.UTF_8);

  /** Decodes, parses one field, reads it, destroys everything. */
  @Benchmark
  public int fieldExtractionAndWipe() {
    SecretValue value = SecretValue.fromUtf8(json);
    try {
      Secret secret = Secret.builder("db").versionId("v1").value(value).build();
      return secret.field("password").length();
    } finally {
      value.destroy();
    }
  }
}
