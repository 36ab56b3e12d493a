/**
 * Resilience policies for backend calls: retry, circuit breaker, bulkhead, timeout.
 */
@NullMarked
package io.secretsdk.resilience;

import org.jspecify.annotations.NullMarked;
