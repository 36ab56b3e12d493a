/**
 * secretsdk's API: values, secrets, references, the backend SPI, the lease-aware cache, resilience
 * and the file backend.
 */
module io.secretsdk {
  requires transitive org.jspecify;
  requires org.slf4j;
  requires jdk.jfr;
  requires com.fasterxml.jackson.core;
  requires static com.fasterxml.jackson.annotation;
  requires com.github.benmanes.caffeine;
  requires transitive io.github.resilience4j.core;
  requires transitive io.github.resilience4j.retry;
  requires transitive io.github.resilience4j.circuitbreaker;
  requires transitive io.github.resilience4j.bulkhead;

  exports io.secretsdk;
  exports io.secretsdk.spi;
  exports io.secretsdk.file;
  exports io.secretsdk.cache;
  exports io.secretsdk.resilience;
  exports io.secretsdk.observe;
  // Shared helpers (strict UTF-8, JSON strings into char[], content hashes) for secretsdk's own modules only.
  exports io.secretsdk.internal to
      io.secretsdk.aws,
      io.secretsdk.gcp,
      io.secretsdk.azure,
      io.secretsdk.vault,
      io.secretsdk.jdbc,
      io.secretsdk.spring;

  uses io.secretsdk.spi.SecretSourceProvider;

  provides io.secretsdk.spi.SecretSourceProvider with
      io.secretsdk.file.internal.FileSecretSourceProvider;
}
