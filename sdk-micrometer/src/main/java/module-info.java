/**
 * Micrometer metrics for secretsdk's caches: {@link io.secretsdk.micrometer.SecretMetrics}, a
 * {@code MeterBinder} fed by the cache's observer SPI and its statistics.
 */
module io.secretsdk.micrometer {
  requires transitive io.secretsdk;
  requires transitive micrometer.core;

  exports io.secretsdk.micrometer;
}
