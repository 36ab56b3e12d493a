package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A backend that fails, stalls, throttles and rotates at random (seeded) while 8 threads read for a
 * simulated day. The test double keeps its own record of what it handed out and until when each
 * value is usable, and judges every read against it.
 */
class CacheChaosTest {
  /** Fixed for CI; {@code -Dchaos.seed=N} explores another schedule. */
  private static final long SEED = Long.getLong("chaos.seed", 20261122L);
  private static final Duration STEP = Duration.ofSeconds(15);
  private static final Duration DAY = Duration.ofDays(1);
  private static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
  private static final Duration MAX_STALE = Duration.ofMinutes(30);
  private static final Duration OVERLAP = Duration.ofMinutes(2);
  private static final int READERS = 8;

  private static final SecretRef API_KEY = SecretRef.of("app/api-key");
  private static final SecretRef DB_CREDS = SecretRef.of("db/creds");
  private static final SecretRef TOKEN = SecretRef.of("svc/token");
  private static final List<SecretRef> REFS = List.of(API_KEY, DB_CREDS, TOKEN);

  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final ChaosSource source = new ChaosSource();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final Map<SecretRef, List<RotationEvent>> events = new ConcurrentHashMap<>();
  /** From when the cache may zero a version: its overlap's end, or the next rotation, whichever is first. */
  private final Map<String, Long> destroyableAt = new ConcurrentHashMap<>();

  @Test
  void eightReadersThroughASimulatedDayOfFailuresStallsThrottlingAndRotations() throws Exception {
    LeakGuard.watch("chaos-secret-value");
    SecretCache cache = SecretCache.builder(source)
        .clock(clock)
        .scheduler(scheduler)
        .listenerExecutor(Runnable::run)
        .defaultTtl(DEFAULT_TTL)
        .maxStale(MAX_STALE)
        .overlap(OVERLAP)
        .negativeTtl(Duration.ofSeconds(30))
        .resilience(ResiliencePolicy.custom()
            .retry(RetryConfig.custom().maxAttempts(2).waitDuration(Duration.ofMillis(1)).build())
            .circuitBreaker(CircuitBreakerConfig.custom()
                .slidingWindowSize(10).minimumNumberOfCalls(10).failureRateThreshold(60)
                .waitDurationInOpenState(Duration.ofMinutes(1)).build())
            .build())
        .build();
    cache.onRotation(e -> {
      // Events name the canonical reference (with the source's scheme); the readers use the plain one.
      SecretRef ref = SecretRef.of(e.ref().name());
      List<RotationEvent> list = events.computeIfAbsent(ref, r -> new CopyOnWriteArrayList<>());
      if (!list.isEmpty()) {
        list.get(list.size() - 1).previous()
            .ifPresent(older -> destroyableAt.merge(ref + "@" + older.versionId(), clock.millis(), Math::min));
      }
      list.add(e);
      e.previous().ifPresent(p -> destroyableAt.merge(ref + "@" + p.versionId(), e.overlapUntil().toEpochMilli(), Math::min));
    });
    Random listenerChaos = new Random(SEED + 1);
    cache.onRotation(e -> {
      synchronized (listenerChaos) {
        if (listenerChaos.nextInt(3) == 0) {
          throw new IllegalStateException("a listener that fails now and then");
        }
      }
    });
    for (SecretRef ref : REFS) {
      // Warm: the chaos starts once every reader has something to read.
      for (int attempt = 0; ; attempt++) {
        try {
          cache.get(ref);
          break;
        } catch (SecretException chaos) {
          assertThat(attempt).isLessThan(100);
          clock.advance(Duration.ofMinutes(1));
        }
      }
    }

    AtomicBoolean done = new AtomicBoolean();
    AtomicLong reads = new AtomicLong();
    AtomicLong readerErrors = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(READERS);
    List<Thread> readers = new ArrayList<>();
    for (int i = 0; i < READERS; i++) {
      int id = i;
      Thread t = new Thread(() -> {
        try {
          int n = id;
          while (!done.get()) {
            SecretRef ref = REFS.get(n++ % REFS.size());
            read(cache, ref, reads, readerErrors);
            if ((n & 63) == 0) {
              Thread.yield(); // leave the clock's thread its share of two shared cores
            }
          }
        } catch (Throwable unexpected) {
          violations.add("reader " + id + " died: " + unexpected);
        } finally {
          finished.countDown();
        }
      }, "chaos-reader-" + i);
      source.readerThreads.add(t);
      readers.add(t);
    }
    readers.forEach(Thread::start);

    Instant end = clock.instant().plus(DAY);
    Random outages = new Random(SEED + 2);
    while (clock.instant().isBefore(end)) {
      // Now and then the backend goes away for 20 to 90 minutes: long enough for leases to end
      // and for unleased values to pass their stale limit.
      if (source.outageUntil == null && outages.nextInt(1000) < 1) {
        source.outageUntil = clock.instant().plus(Duration.ofMinutes(20 + outages.nextInt(71)));
        source.outages.incrementAndGet();
      } else if (source.outageUntil != null && !clock.instant().isBefore(source.outageUntil)) {
        source.outageUntil = null;
      }
      clock.advance(STEP);
    }
    done.set(true);
    assertThat(finished.await(30, TimeUnit.SECONDS)).isTrue();

    // The backend recovers and calms down: within the hour every secret is served again, fresh.
    source.outageUntil = null;
    source.calm = true;
    clock.advance(Duration.ofHours(1));
    for (SecretRef ref : REFS) {
      try {
        Secret s = cache.get(ref);
        assertThat(s.value().isDestroyed()).isFalse();
      } catch (SecretException e) {
        violations.add("an hour after the backend recovered, " + ref + " still fails: " + e);
      }
    }
    int fetchesBefore = source.fetchCalls.get();
    for (SecretRef ref : REFS) {
      cache.get(ref);
    }
    assertThat(source.fetchCalls.get()).as("reads after recovery are warm").isEqualTo(fetchesBefore);

    CacheStats stats = cache.stats();
    cache.close();

    assertThat(violations).as("violations (seed " + SEED + ", " + stats + ")").isEmpty();
    if (Boolean.getBoolean("chaos.report")) {
      System.out.println("chaos seed " + SEED + ": " + reads + " reads, " + readerErrors + " reader errors, " + stats
          + ", backend failures " + source.failures + ", throttles " + source.throttles + ", stalls " + source.stalls
          + ", renewals " + source.renewals + ", outages " + source.outages);
    }
    // The chaos really happened.
    assertThat(reads.get()).isGreaterThan(10_000);
    assertThat(source.failures.get()).isGreaterThan(10);
    assertThat(source.throttles.get()).isGreaterThan(0);
    assertThat(source.stalls.get()).isGreaterThan(0);
    assertThat(source.renewals.get()).isGreaterThan(0);
    assertThat(stats.refreshFailures()).isGreaterThan(0);
    assertThat(stats.rotations()).isGreaterThan(5);
    assertThat(source.outages.get()).isGreaterThan(0);
    // Every rotation announced once: one event per change, chained version to version (except
    // across an entry dropped for being unusable too long, when the chain starts again).
    long announced = 0;
    int breaks = 0;
    for (Map.Entry<SecretRef, List<RotationEvent>> perRef : events.entrySet()) {
      List<RotationEvent> list = perRef.getValue();
      announced += list.size();
      for (int i = 0; i < list.size(); i++) {
        RotationEvent e = list.get(i);
        assertThat(e.previous()).isPresent();
        assertThat(e.previous().get().versionId()).isNotEqualTo(e.current().versionId());
        if (i > 0 && !e.previous().get().versionId().equals(list.get(i - 1).current().versionId())) {
          breaks++;
        }
      }
      assertThat(list.stream().map(e -> e.current().versionId()).distinct().count()).isEqualTo(list.size());
    }
    assertThat(breaks).isLessThanOrEqualTo((int) stats.evictions());
    assertThat(announced).isEqualTo(stats.rotations());
    // close() zeroed everything the cache was handed.
    assertThat(source.handedOut).allSatisfy(v -> assertThat(v.isDestroyed()).isTrue());
  }

  private void read(SecretCache cache, SecretRef ref, AtomicLong reads, AtomicLong readerErrors) {
    ChaosSource.Issued usable = source.latest.get(ref);
    // Read now, not after the read: a fetch of the same version during the read (this reader's own,
    // into an entry that held nothing) or a renewal moves the same record's end later.
    long usableUntil = usable == null ? Long.MIN_VALUE : usable.usableUntil.get();
    long t0 = clock.millis();
    source.fetchedByMe.set(false);
    Secret s;
    try {
      s = cache.get(ref);
    } catch (RuntimeException e) {
      long t1 = clock.millis();
      readerErrors.incrementAndGet();
      if (usable != null && usableUntil > t1) {
        violations.add("a reader of " + ref + " got " + e.getClass().getSimpleName() + " at " + Instant.ofEpochMilli(t1)
            + " while version " + usable.version + " was usable until " + Instant.ofEpochMilli(usableUntil));
      }
      return;
    }
    long t1 = clock.millis();
    reads.incrementAndGet();
    if (source.fetchedByMe.get() && usable != null && usableUntil > t1 && usableUntil > t0) {
      violations.add("a reader of " + ref + " called the backend at " + Instant.ofEpochMilli(t0) + " while version "
          + usable.version + " was usable until " + Instant.ofEpochMilli(usableUntil));
    }
    if (s.value().isDestroyed()) {
      // Read the clock after seeing the value destroyed: the reader may have been descheduled
      // while the clock moved on and the version's overlap ended, which is no fault of the cache.
      long seen = clock.millis();
      Long retired = destroyableAt.get(ref + "@" + s.versionId());
      ChaosSource.Issued issued = source.byVersion.get(ref + "@" + s.versionId());
      boolean dropped = issued != null && issued.droppedBetween(t0, seen);
      boolean legit = (retired != null && retired <= seen) || endOf(s) <= seen || dropped;
      if (!legit) {
        violations.add("a reader of " + ref + " got version " + s.versionId() + " already destroyed at "
            + Instant.ofEpochMilli(seen) + " (read from " + Instant.ofEpochMilli(t0) + "; destroyable from "
            + (retired == null ? "never" : Instant.ofEpochMilli(retired)) + ", lease end "
            + (endOf(s) == Long.MAX_VALUE ? "none" : Instant.ofEpochMilli(endOf(s))) + "; fetched "
            + (issued == null ? "never" : issued.describe()) + ")");
      }
    }
  }

  private static long endOf(Secret s) {
    return s.lease().map(Lease::expiresAt).map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
  }

  /** The seeded chaos backend. */
  private final class ChaosSource implements SecretSource {
    final Random random = new Random(SEED);
    final Map<SecretRef, Issued> latest = new ConcurrentHashMap<>();
    final Map<String, Issued> byLease = new ConcurrentHashMap<>();
    final Map<String, Instant> firstIssued = new ConcurrentHashMap<>();
    /** By reference and version: until when the cache may serve it (the latest fetch of it counts). */
    final Map<String, Issued> byVersion = new ConcurrentHashMap<>();
    final Map<SecretRef, Integer> versions = new HashMap<>();
    final List<SecretValue> handedOut = new CopyOnWriteArrayList<>();
    final List<Thread> readerThreads = new CopyOnWriteArrayList<>();
    final ThreadLocal<Boolean> fetchedByMe = ThreadLocal.withInitial(() -> false);
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger throttles = new AtomicInteger();
    final AtomicInteger stalls = new AtomicInteger();
    final AtomicInteger renewals = new AtomicInteger();
    final AtomicInteger outages = new AtomicInteger();
    volatile Instant outageUntil;
    volatile boolean calm;
    final AtomicInteger fetchCalls = new AtomicInteger();

    /** What was handed out for a reference and until when the cache may serve it. */
    final class Issued {
      final String version;
      final AtomicLong usableUntil;
      /** Every fetch (or renewal) of this version: {when, usable until}, in the order recorded. */
      final List<long[]> history = new CopyOnWriteArrayList<>();

      Issued(String version, long issuedAt, long usableUntil) {
        this.version = version;
        this.usableUntil = new AtomicLong(usableUntil);
        history.add(new long[] {issuedAt, usableUntil});
      }

      void extend(long at, long until) {
        usableUntil.accumulateAndGet(until, Math::max);
        history.add(new long[] {at, until});
      }

      /**
       * Whether the cache may have dropped a copy of this version, read at {@code readAt}, by
       * {@code seen}: an entry is dropped (and its values zeroed) a grace period after the last
       * instant it may be served, i.e. the end of the latest fetch of the version it holds. The
       * same version may afterwards be fetched again, into a new entry, as a new copy: that moves
       * the version's end later, but not the end of the copy already dropped. So the end that
       * counts is the one as of the drop: the copy was droppable if at some instant {@code d}
       * between the read and {@code seen}, {@code d} is at least the grace past the end of every
       * fetch of this version made before {@code d}. Fetches made after {@code d} (into the new
       * entry) do not count; fetches before it all do, so a copy zeroed while any fetch of its
       * version still promised it usable is still a violation.
       */
      boolean droppedBetween(long readAt, long seen) {
        List<long[]> fetches = new ArrayList<>(history);
        fetches.sort((a, b) -> Long.compare(a[0], b[0]));
        // Candidate instants of the drop: now, and just before each later fetch of the version.
        List<Long> candidates = new ArrayList<>();
        candidates.add(seen);
        for (long[] f : fetches) {
          if (f[0] > readAt && f[0] <= seen) {
            candidates.add(f[0] - 1);
          }
        }
        for (long d : candidates) {
          long end = Long.MIN_VALUE;
          for (long[] f : fetches) {
            if (f[0] <= d) {
              end = Math.max(end, f[1]);
            }
          }
          if (end != Long.MIN_VALUE && end + DefaultSecretCache.GRACE_MILLIS <= d) {
            return true;
          }
        }
        return false;
      }

      /** The last fetches of this version, for a violation's message. */
      String describe() {
        List<long[]> fetches = new ArrayList<>(history);
        StringBuilder b = new StringBuilder(fetches.size() + "x");
        for (long[] f : fetches.subList(Math.max(0, fetches.size() - 4), fetches.size())) {
          b.append(", ").append(Instant.ofEpochMilli(f[0])).append(" until ")
              .append(Instant.ofEpochMilli(f[1]));
        }
        return b.toString();
      }
    }

    @Override
    public String scheme() {
      return "chaos";
    }

    @Override
    public Secret fetch(SecretRef asked) {
      assertThat(asked.scheme()).as("the cache asks by the canonical reference").contains("chaos");
      SecretRef ref = SecretRef.of(asked.name());
      fetchedByMe.set(true);
      fetchCalls.incrementAndGet();
      int roll;
      int version;
      long stall;
      long hint;
      synchronized (random) {
        roll = random.nextInt(100);
        stall = 1 + random.nextInt(3);
        hint = 15 + random.nextInt(120);
        int current = versions.getOrDefault(ref, 1);
        // Dynamic credentials are new on every fetch; the others rotate now and then.
        if (ref.equals(DB_CREDS) || random.nextInt(100) < 15) {
          current++;
        }
        versions.put(ref, current);
        version = current;
      }
      if (calm) {
        roll = 99;
      }
      if (outageUntil != null) {
        failures.incrementAndGet();
        throw new SecretUnavailableException("backend 'chaos' is down for '" + ref + "'", ref);
      }
      if (roll < 5) {
        stalls.incrementAndGet();
        try {
          Thread.sleep(stall);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (roll >= 5 && roll < 25) {
        failures.incrementAndGet();
        throw new SecretUnavailableException("backend 'chaos' returned 503 for '" + ref + "'", ref);
      }
      if (roll >= 25 && roll < 30) {
        throttles.incrementAndGet();
        throw new SecretThrottledException("backend 'chaos' throttled '" + ref + "'", ref, null, Duration.ofSeconds(hint));
      }
      if (roll >= 30 && roll < 32) {
        failures.incrementAndGet();
        throw new SecretNotFoundException("backend 'chaos' briefly lost '" + ref + "'", ref);
      }
      Instant now = clock.instant();
      SecretValue value = SecretValue.copyOf(("chaos-secret-value-" + ref.name() + "-" + version).toCharArray());
      handedOut.add(value);
      Secret.Builder b = Secret.builder(ref.name()).versionId("v" + version).value(value);
      long usableUntil;
      if (ref.equals(DB_CREDS)) {
        Lease lease = new Lease("lease-" + version, now, Duration.ofMinutes(15), true);
        b.lease(lease);
        usableUntil = lease.expiresAt().toEpochMilli();
      } else {
        usableUntil = now.plus(DEFAULT_TTL).plus(MAX_STALE).toEpochMilli();
      }
      if (ref.equals(TOKEN)) {
        b.nextRotationAt(now.plus(Duration.ofMinutes(2)));
      }
      Issued issued = new Issued("v" + version, now.toEpochMilli(), usableUntil);
      latest.put(ref, issued);
      byVersion.merge(ref + "@v" + version, issued, (old, fresh) -> {
        old.extend(now.toEpochMilli(), fresh.usableUntil.get());
        return old;
      });
      if (ref.equals(DB_CREDS)) {
        byLease.put("lease-" + version, issued);
      }
      return b.build();
    }

    @Override
    public Lease renew(Lease lease, Duration increment) {
      renewals.incrementAndGet();
      int roll;
      synchronized (random) {
        roll = random.nextInt(100);
      }
      if (!calm && (roll < 20 || outageUntil != null)) {
        throw new SecretUnavailableException("backend 'chaos' could not renew " + lease.id());
      }
      Instant now = clock.instant();
      // A one-hour maximum from the first issue.
      Instant max = firstIssued.computeIfAbsent(lease.id(), id -> lease.issuedAt()).plus(Duration.ofHours(1));
      Instant end = now.plus(increment);
      if (end.isAfter(max)) {
        end = max.isAfter(lease.expiresAt()) ? max : lease.expiresAt();
      }
      Lease renewed = new Lease(lease.id(), now, Duration.between(now, end), true);
      Issued issued = byLease.get(lease.id());
      if (issued != null) {
        issued.extend(now.toEpochMilli(), end.toEpochMilli());
      }
      return renewed;
    }
  }
}
