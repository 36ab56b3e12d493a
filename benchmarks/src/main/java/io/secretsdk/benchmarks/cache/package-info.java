/**
 * Benchmarks of the lease-aware cache: warm reads against bare Caffeine, and read latency while
 * slow refreshes are in flight.
 */
@NullMarked
package io.secretsdk.benchmarks.cache;

import org.jspecify.annotations.NullMarked;
