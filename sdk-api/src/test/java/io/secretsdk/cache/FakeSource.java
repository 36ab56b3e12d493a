package io.secretsdk.cache;

import io.secretsdk.BatchResult;
import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A hand-written {@link SecretSource} test double: secrets held in memory, with switches to fail,
 * stall, lease and rotate, and counters of every call. It is the cache's dependency, not the class
 * under test.
 */
final class FakeSource implements SecretSource {
  final Clock clock;
  final AtomicInteger fetches = new AtomicInteger();
  final AtomicInteger fetchAlls = new AtomicInteger();
  final AtomicInteger renewals = new AtomicInteger();
  /** Every value handed out, owned by whoever received it (the cache). */
  final List<SecretValue> handedOut = new CopyOnWriteArrayList<>();
  private final Map<String, Spec> secrets = new ConcurrentHashMap<>();
  private volatile @Nullable Supplier<? extends RuntimeException> failure;
  private volatile @Nullable Supplier<? extends RuntimeException> renewFailure;
  private volatile @Nullable CountDownLatch gate;
  final CountDownLatch entered = new CountDownLatch(1);
  /** When a fetch last succeeded. */
  volatile @Nullable Instant lastSuccess;

  FakeSource(Clock clock) {
    this.clock = clock;
  }

  /** The secret's content and how it is issued. */
  static final class Spec {
    volatile String content;
    volatile int version = 1;
    volatile @Nullable Duration leaseTtl;
    volatile @Nullable Duration maxTtl;
    volatile boolean renewable;
    volatile boolean newVersionEachFetch;
    volatile @Nullable Instant expiresAt;
    volatile @Nullable Instant nextRotationAt;

    Spec(String content) {
      this.content = content;
    }
  }

  Spec put(String name, String content) {
    Spec spec = new Spec(content);
    secrets.put(name, spec);
    return spec;
  }

  /** Changes a secret's content, making a new version. */
  void rotate(String name, String content) {
    Spec spec = secrets.get(name);
    spec.content = content;
    spec.version++;
  }

  void remove(String name) {
    secrets.remove(name);
  }

  /** Every call fails with this until {@link #heal()}. */
  void fail(Supplier<? extends RuntimeException> error) {
    this.failure = error;
  }

  void failRenewals(Supplier<? extends RuntimeException> error) {
    this.renewFailure = error;
  }

  void heal() {
    this.failure = null;
    this.renewFailure = null;
  }

  /** Fetches block until the returned latch is opened. */
  CountDownLatch stall() {
    CountDownLatch g = new CountDownLatch(1);
    this.gate = g;
    return g;
  }

  void unstall() {
    CountDownLatch g = gate;
    gate = null;
    if (g != null) {
      g.countDown();
    }
  }

  @Override
  public String scheme() {
    return "fake";
  }

  @Override
  public Secret fetch(SecretRef ref) {
    fetches.incrementAndGet();
    entered.countDown();
    CountDownLatch g = gate;
    if (g != null) {
      try {
        if (!g.await(10, TimeUnit.SECONDS)) {
          throw new AssertionError("a test left a fetch stalled");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    Supplier<? extends RuntimeException> f = failure;
    if (f != null) {
      throw f.get();
    }
    Spec spec = secrets.get(ref.name());
    if (spec == null) {
      throw new SecretNotFoundException("no secret '" + ref.name() + "' in backend 'fake'", ref);
    }
    if (spec.newVersionEachFetch) {
      spec.version++;
    }
    String content = spec.newVersionEachFetch ? spec.content + "-" + spec.version : spec.content;
    SecretValue value = SecretValue.copyOf(content.toCharArray());
    handedOut.add(value);
    Secret.Builder b = Secret.builder(ref.name()).versionId("v" + spec.version).value(value);
    Duration ttl = spec.leaseTtl;
    if (ttl != null) {
      b.lease(new Lease("lease-" + spec.version, clock.instant(), ttl, spec.renewable));
    }
    if (spec.expiresAt != null) {
      b.expiresAt(spec.expiresAt);
    }
    if (spec.nextRotationAt != null) {
      b.nextRotationAt(spec.nextRotationAt);
    }
    lastSuccess = clock.instant();
    return b.build();
  }

  @Override
  public BatchResult fetchAll(Collection<SecretRef> refs) {
    fetchAlls.incrementAndGet();
    Map<SecretRef, Secret> found = new java.util.LinkedHashMap<>();
    Map<SecretRef, SecretException> failed = new java.util.LinkedHashMap<>();
    for (SecretRef ref : refs) {
      try {
        found.put(ref, fetchOne(ref));
      } catch (SecretException e) {
        failed.put(ref, e);
      }
    }
    return new BatchResult(found, failed);
  }

  private Secret fetchOne(SecretRef ref) {
    fetches.decrementAndGet(); // fetchAll is counted on its own
    return fetch(ref);
  }

  @Override
  public Lease renew(Lease lease, Duration increment) {
    renewals.incrementAndGet();
    Supplier<? extends RuntimeException> f = renewFailure;
    if (f == null) {
      f = failure;
    }
    if (f != null) {
      throw f.get();
    }
    String version = lease.id().substring("lease-".length());
    Spec spec = secrets.values().stream()
        .filter(s -> s.leaseTtl != null)
        .findFirst()
        .orElseThrow(() -> new SecretNotFoundException("no lease " + lease.id()));
    Instant now = clock.instant();
    Instant end = now.plus(increment);
    Duration max = spec.maxTtl;
    if (max != null) {
      Instant maxEnd = issued(lease, version).plus(max);
      if (end.isAfter(maxEnd)) {
        end = maxEnd;
      }
    }
    if (end.isBefore(now)) {
      end = now;
    }
    return new Lease(lease.id(), now, Duration.between(now, end), spec.renewable);
  }

  private final Map<String, Instant> firstIssued = new ConcurrentHashMap<>();

  private Instant issued(Lease lease, String version) {
    return firstIssued.computeIfAbsent(version, v -> lease.issuedAt());
  }

  List<SecretValue> handedOut() {
    return new ArrayList<>(handedOut);
  }
}
