package io.secretsdk.benchmarks.azure;

import io.secretsdk.SecretRef;
import io.secretsdk.azure.AzureKeyVaultSource;
import io.secretsdk.cache.SecretCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Requests that reach Key Vault for 100 secrets read in a loop through one {@code SecretCache} over
 * {@code AzureKeyVaultSource}, counted at the fake vault (WireMock on 127.0.0.1): the warm-up, then
 * a steady state in scaled time (ttl 6 s, measured over 30 s) scaled to an hour at the cache's
 * defaults (ttl 5 min, refresh at 0.75 of it).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.secretsdk.benchmarks.azure.AzureCallsPerHour}
 * (about 35 s; real time passes: this is a measurement, not a test).
 */
public final class AzureCallsPerHour {
  private static final int SECRETS = 100;

  private AzureCallsPerHour() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Duration ttl = Duration.ofSeconds(6);
    Duration window = Duration.ofSeconds(30);
    try (FakeKeyVault fake = new FakeKeyVault(SECRETS)) {
      List<SecretRef> refs = new ArrayList<>();
      fake.names().forEach(n -> refs.add(SecretRef.parse("azure-kv://" + n)));
      try (AzureKeyVaultSource source = fake.source();
          SecretCache cache = SecretCache.builder(source).defaultTtl(ttl).build()) {
        cache.prefetch(refs);
        int warm = fake.requests();
        int warmChallenges = fake.challenges();
        int warmTokens = fake.tokens.get();
        fake.resetCounts();
        long reads = 0;
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end) {
          for (SecretRef r : refs) {
            cache.get(r);
            reads++;
          }
          Thread.sleep(5);
        }
        int steady = fake.requests();
        double perSecretPerTtl = steady / (double) SECRETS / (window.toMillis() / (double) ttl.toMillis());
        double perHourDefault = perSecretPerTtl * SECRETS * 3600.0 / Duration.ofMinutes(5).toSeconds();
        System.out.printf(Locale.ROOT, "warm-up of %d secrets: %d requests (%d challenge 401s), %d token requests%n",
            SECRETS, warm, warmChallenges, warmTokens);
        System.out.printf(Locale.ROOT, "steady state, ttl %d s, %d s: %d cache reads, %d requests (%d challenges),"
            + " %.2f requests per secret per ttl%n", ttl.toSeconds(), window.toSeconds(), reads, steady,
            fake.challenges(), perSecretPerTtl);
        System.out.printf(Locale.ROOT, "scaled: %.0f requests per hour for %d secrets at the default ttl of 5 min"
            + " (%.0f at a ttl of 1 h); a bare getSecret per read makes one request per read%n",
            perHourDefault, SECRETS, perSecretPerTtl * SECRETS);
      }
    }
  }
}
