package io.secretsdk.benchmarks.cache;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretValue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** A backend in memory whose every fetch takes a set time, as a slow remote backend would. */
final class InMemorySource implements SecretSource {
  private final long fetchNanos;
  final AtomicLong fetches = new AtomicLong();

  InMemorySource(long fetchNanos) {
    this.fetchNanos = fetchNanos;
  }

  @Override
  public String scheme() {
    return "mem";
  }

  @Override
  public Secret fetch(SecretRef ref) {
    fetches.incrementAndGet();
    if (fetchNanos > 0) {
      long end = System.nanoTime() + fetchNanos;
      for (long left = fetchNanos; left > 0; left = end - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
    }
    return Secret.builder(ref.name())
        .versionId("v1")
        .value(SecretValue.copyOf(("benchmark-value-of-" + ref.name()).toCharArray()))
        .build();
  }
}
