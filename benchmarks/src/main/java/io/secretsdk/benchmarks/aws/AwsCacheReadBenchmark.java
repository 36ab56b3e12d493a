package io.secretsdk.benchmarks.aws;

import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.aws.AwsSecretsManagerSource;
import io.secretsdk.cache.SecretCache;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Warm reads of one secret: secretsdk's {@code SecretCache} over {@code AwsSecretsManagerSource}
 * against the AWS caching library's {@code SecretCache}, both warmed from the same fake AWS
 * Secrets Manager (100 secrets), with 1 and 2 reader threads. Neither touches the backend during
 * the measurement: each TTL is far longer than the run.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar AwsCacheReadBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class AwsCacheReadBenchmark {
  private FakeSecretsManager fake;
  private SecretsManagerClient oursClient;
  private SecretsManagerClient theirsClient;
  private SecretCache ours;
  private com.amazonaws.secretsmanager.caching.SecretCache theirs;
  private SecretRef ref;
  private String id;

  @Setup(Level.Trial)
  public void setUp() {
    fake = new FakeSecretsManager(100);
    oursClient = fake.client();
    theirsClient = fake.client();
    ours = SecretCache.builder(AwsSecretsManagerSource.builder().client(oursClient).build()).build();
    theirs = new com.amazonaws.secretsmanager.caching.SecretCache(
        new SecretCacheConfiguration().withClient(theirsClient));
    List<SecretRef> refs = new ArrayList<>();
    for (String each : fake.ids()) {
      refs.add(SecretRef.of(each));
      theirs.getSecretString(each);
    }
    ours.prefetch(refs);
    id = FakeSecretsManager.id(7);
    ref = SecretRef.of(id);
    ours.get(ref);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ours.close();
    theirs.close();
    oursClient.close();
    theirsClient.close();
    fake.close();
  }

  @Benchmark
  @Threads(1)
  public SecretValue secretsdk1Thread() {
    return ours.get(ref).value();
  }

  @Benchmark
  @Threads(2)
  public SecretValue secretsdk2Threads() {
    return ours.get(ref).value();
  }

  @Benchmark
  @Threads(1)
  public String awsCaching1Thread() {
    return theirs.getSecretString(id);
  }

  @Benchmark
  @Threads(2)
  public String awsCaching2Threads() {
    return theirs.getSecretString(id);
  }
}
