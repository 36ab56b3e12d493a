/**
 * Micrometer metrics, with or without Spring: {@link io.secretsdk.micrometer.SecretMetrics}
 * attaches to a {@link io.secretsdk.cache.SecretCache.Builder} as an observer and binds to any
 * {@code MeterRegistry}. Tags are schemes and fixed words only, never a secret's name or value.
 */
@NullMarked
package io.secretsdk.micrometer;

import org.jspecify.annotations.NullMarked;
