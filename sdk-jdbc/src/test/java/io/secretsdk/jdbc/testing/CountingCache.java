package io.secretsdk.jdbc.testing;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.cache.CacheStats;
import io.secretsdk.cache.RotationListener;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.cache.Subscription;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** A real cache, decorated to count open rotation subscriptions and forced refreshes. */
public final class CountingCache implements SecretCache {
  private final SecretCache cache;
  private final AtomicInteger openSubscriptions = new AtomicInteger();
  private final AtomicInteger refreshCalls = new AtomicInteger();

  /**
   * Decorates a cache.
   *
   * @param cache the real cache
   */
  public CountingCache(SecretCache cache) {
    this.cache = cache;
  }

  /**
   * Subscriptions made and not yet closed.
   *
   * @return the count
   */
  public int openSubscriptions() {
    return openSubscriptions.get();
  }

  /**
   * Calls of {@link #refresh}.
   *
   * @return the count
   */
  public int refreshCalls() {
    return refreshCalls.get();
  }

  @Override
  public Secret get(SecretRef ref) {
    return cache.get(ref);
  }

  @Override
  public Secret get(String uri) {
    return cache.get(uri);
  }

  @Override
  public SecretValue value(String uri) {
    return cache.value(uri);
  }

  @Override
  public CompletableFuture<Secret> getAsync(SecretRef ref) {
    return cache.getAsync(ref);
  }

  @Override
  public Optional<Secret> previous(SecretRef ref) {
    return cache.previous(ref);
  }

  @Override
  public List<SecretValue> accepted(SecretRef ref) {
    return cache.accepted(ref);
  }

  @Override
  public void prefetch(Collection<SecretRef> refs) {
    cache.prefetch(refs);
  }

  @Override
  public Subscription onRotation(SecretRef ref, RotationListener listener) {
    return counted(cache.onRotation(ref, listener));
  }

  @Override
  public Subscription onRotation(RotationListener listener) {
    return counted(cache.onRotation(listener));
  }

  private Subscription counted(Subscription s) {
    openSubscriptions.incrementAndGet();
    java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        openSubscriptions.decrementAndGet();
      }
      s.close();
    };
  }

  @Override
  public CompletableFuture<Secret> refresh(SecretRef ref) {
    refreshCalls.incrementAndGet();
    return cache.refresh(ref);
  }

  @Override
  public void invalidate(SecretRef ref) {
    cache.invalidate(ref);
  }

  @Override
  public CacheStats stats() {
    return cache.stats();
  }

  @Override
  public io.secretsdk.cache.CacheSnapshot snapshot() {
    return cache.snapshot();
  }

  @Override
  public void close() {
    cache.close();
  }
}
