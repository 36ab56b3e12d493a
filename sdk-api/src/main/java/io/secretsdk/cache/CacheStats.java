package io.secretsdk.cache;

/**
 * Counters since the cache was built.
 *
 * @param hits reads answered from a held value
 * @param misses reads that found no usable value
 * @param loads backend fetches for misses that succeeded
 * @param loadFailures backend fetches for misses that failed
 * @param refreshes background refreshes and renewals that succeeded
 * @param refreshFailures background refreshes and renewals that failed
 * @param rotations version changes announced to listeners
 * @param staleServed reads answered with a value past its refresh time because the backend failed
 * @param evictions entries removed for size or expiry
 */
public record CacheStats(
    long hits,
    long misses,
    long loads,
    long loadFailures,
    long refreshes,
    long refreshFailures,
    long rotations,
    long staleServed,
    long evictions) {}
