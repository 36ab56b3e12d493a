package io.secretsdk.cache;

import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real-time backend for tests on the cache's own threads: {@code slow-*} secrets hang until
 * {@link #release} opens (or the calling thread is interrupted); {@code lease} is handed out once
 * with a 300 ms lease, after which the backend fails fast for it.
 */
final class BlockingSource implements SecretSource {
  final CountDownLatch release = new CountDownLatch(1);
  final AtomicInteger blocked = new AtomicInteger();
  final AtomicInteger leaseFetches = new AtomicInteger();
  volatile Instant leaseEnd = Instant.MAX;

  @Override
  public String scheme() {
    return "blocking";
  }

  @Override
  public Secret fetch(SecretRef ref) {
    if (ref.name().startsWith("slow")) {
      blocked.incrementAndGet();
      try {
        if (!release.await(30, TimeUnit.SECONDS)) {
          throw new SecretUnavailableException("a test left a call hanging", ref);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SecretUnavailableException("interrupted", ref);
      }
      return Secret.builder(ref.name()).versionId("v1").value(SecretValue.copyOf("slow-value".toCharArray())).build();
    }
    if (leaseFetches.getAndIncrement() > 0) {
      throw new SecretUnavailableException("backend 'blocking' cannot issue '" + ref + "' now", ref);
    }
    Instant now = Instant.now();
    Lease lease = new Lease("lease-1", now, Duration.ofMillis(300), false);
    leaseEnd = lease.expiresAt();
    return Secret.builder(ref.name()).versionId("v1").lease(lease)
        .value(SecretValue.copyOf("leased-value".toCharArray())).build();
  }
}
