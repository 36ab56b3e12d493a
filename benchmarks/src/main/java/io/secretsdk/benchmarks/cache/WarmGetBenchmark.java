package io.secretsdk.benchmarks.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.resilience.ResiliencePolicy;
import java.time.Duration;
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
 * A warm {@code SecretCache.get} against a bare Caffeine {@code getIfPresent} on the same keys.
 * Goal: within 1.5x of Caffeine and no allocation. Run with {@code -t 1} and {@code -t 2}, and
 * {@code -prof gc} for B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class WarmGetBenchmark {
  static final int KEYS = 64;

  /** The cache and the bare Caffeine, warmed with the same keys. */
  @State(Scope.Benchmark)
  public static class Caches {
    final SecretRef[] refs = new SecretRef[KEYS];
    /** The same secrets written with their scheme: the cache's own keys, no alias in between. */
    final SecretRef[] canonicalRefs = new SecretRef[KEYS];
    SecretCache secretCache;
    Cache<SecretRef, Secret> caffeine;
    Cache<SecretRef, Secret> caffeineWithStats;
    /** Caffeine configured as the secret cache's store (weigher, inline maintenance, removal listener). */
    Cache<SecretRef, Secret> caffeineAsStore;

    @Setup(Level.Trial)
    public void warm() {
      InMemorySource source = new InMemorySource(0);
      secretCache = SecretCache.builder(source)
          .defaultTtl(Duration.ofHours(1))
          .resilience(ResiliencePolicy.none())
          .build();
      caffeine = Caffeine.newBuilder().maximumSize(10_000).build();
      caffeineWithStats = Caffeine.newBuilder().maximumSize(10_000).recordStats().build();
      caffeineAsStore = Caffeine.newBuilder()
          .maximumWeight(10_000)
          .weigher((SecretRef k, Secret v) -> 1)
          .executor(Runnable::run)
          .removalListener((k, v, cause) -> { })
          .recordStats()
          .build();
      for (int i = 0; i < KEYS; i++) {
        refs[i] = SecretRef.of("bench/secret-" + i);
        Secret s = secretCache.get(refs[i]);
        canonicalRefs[i] = refs[i].withScheme(source.scheme());
        caffeine.put(refs[i], s);
        caffeineWithStats.put(refs[i], s);
        caffeineAsStore.put(refs[i], s);
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      secretCache.close();
    }
  }

  /** Each thread's walk over the keys. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    SecretRef pick(SecretRef[] refs) {
      return refs[next++ & (KEYS - 1)];
    }
  }

  /** A warm read through the secret cache. */
  @Benchmark
  public Secret secretCacheGet(Caches caches, Cursor cursor) {
    return caches.secretCache.get(cursor.pick(caches.refs));
  }

  /** A warm read through the secret cache, by the canonical ref (scheme written). */
  @Benchmark
  public Secret secretCacheGetCanonical(Caches caches, Cursor cursor) {
    return caches.secretCache.get(cursor.pick(caches.canonicalRefs));
  }

  /** The same read from a bare Caffeine cache. */
  @Benchmark
  public Secret caffeineGetIfPresent(Caches caches, Cursor cursor) {
    return caches.caffeine.getIfPresent(cursor.pick(caches.refs));
  }

  /**
   * The same read from Caffeine counting hits and misses, as {@code SecretCache.stats()} always
   * does: the like-for-like baseline.
   */
  @Benchmark
  public Secret caffeineWithStatsGetIfPresent(Caches caches, Cursor cursor) {
    return caches.caffeineWithStats.getIfPresent(cursor.pick(caches.refs));
  }

  /** Caffeine configured like the secret cache's store: what the store itself costs. */
  @Benchmark
  public Secret caffeineAsStoreGetIfPresent(Caches caches, Cursor cursor) {
    return caches.caffeineAsStore.getIfPresent(cursor.pick(caches.refs));
  }
}
