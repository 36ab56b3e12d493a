package io.secretsdk.benchmarks.azure;

import com.azure.security.keyvault.secrets.SecretClient;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.azure.AzureKeyVaultSource;
import io.secretsdk.cache.SecretCache;
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
 * One read of one secret, two ways, against the same fake Key Vault (WireMock on 127.0.0.1): a warm
 * {@code SecretCache.get} over {@code AzureKeyVaultSource}, and a bare {@code SecretClient.getSecret}
 * per read (what code without a cache does). The fake answers at once, so the bare figure is a floor:
 * a real vault adds a network round trip (a few milliseconds in-region) to every bare read.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar AzureReadBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class AzureReadBenchmark {
  private FakeKeyVault fake;
  private AzureKeyVaultSource source;
  private SecretCache cache;
  private SecretClient bare;
  private SecretRef ref;

  @Setup(Level.Trial)
  public void setUp() {
    fake = new FakeKeyVault(10);
    source = fake.source();
    cache = SecretCache.builder(source).build();
    bare = fake.client();
    ref = SecretRef.parse("azure-kv://secret-3");
    cache.get(ref);
    bare.getSecret("secret-3");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    cache.close();
    source.close();
    fake.close();
  }

  @Benchmark
  public SecretValue warmCacheGet() {
    return cache.get(ref).value();
  }

  @Benchmark
  public String bareGetSecret() {
    return bare.getSecret("secret-3").getValue();
  }
}
