package io.secretsdk.cache;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.VersionStage;
import io.secretsdk.cache.CacheSnapshot.BackendState;
import io.secretsdk.cache.CacheSnapshot.Circuit;
import io.secretsdk.cache.CacheSnapshot.LeaseState;
import io.secretsdk.cache.CacheSnapshot.Overlap;
import io.secretsdk.cache.CacheSnapshot.Phase;
import io.secretsdk.cache.CacheSnapshot.SecretState;
import io.secretsdk.cache.CacheSnapshot.Step;
import io.secretsdk.resilience.internal.GuardedCalls;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Takes a {@link CacheSnapshot}: walks the entries on demand, each under its own monitor for the
 * moment it takes to copy its times, and reads each backend's circuit breaker. Nothing here is on
 * a read path, and nothing it copies is a value: version ids, instants, counts, class names.
 */
final class Snapshots {
  private Snapshots() {}

  /**
   * A snapshot of the entries {@code entries} (aliases included, each entry once) at the clock's
   * reading {@code now}.
   *
   * @param now the cache clock's reading, in epoch millis
   * @param entries the store's values (an entry appears once per spelling)
   * @param schemes every scheme the cache has met
   * @param guards the resilience guards made so far, by scheme
   * @param breakers whether the policy has a circuit breaker at all
   * @param stats the cache's counters
   */
  static CacheSnapshot take(long now, Collection<Entry> entries, Set<String> schemes, Map<String, GuardedCalls> guards,
      boolean breakers, CacheStats stats) {
    Map<Entry, Boolean> seen = new IdentityHashMap<>();
    List<SecretState> secrets = new ArrayList<>();
    for (Entry e : entries) {
      if (seen.put(e, Boolean.TRUE) == null && !e.removed) {
        secrets.add(state(e, now));
      }
    }
    secrets.sort(Comparator.comparing((SecretState s) -> s.ref().toUri()));
    Map<String, int[]> perScheme = new TreeMap<>();
    for (String scheme : schemes) {
      perScheme.put(scheme, new int[2]);
    }
    for (String scheme : guards.keySet()) {
      perScheme.putIfAbsent(scheme, new int[2]);
    }
    for (SecretState s : secrets) {
      int[] counts = perScheme.computeIfAbsent(s.backend(), k -> new int[2]);
      counts[0]++;
      if (s.consecutiveFailures() > 0) {
        counts[1]++;
      }
    }
    List<BackendState> backends = new ArrayList<>();
    perScheme.forEach((scheme, counts) -> {
      GuardedCalls guard = guards.get(scheme);
      CircuitBreaker cb = guard == null ? null : guard.circuitBreaker();
      if (cb == null) {
        backends.add(new BackendState(scheme, breakers && guard == null ? Circuit.CLOSED : Circuit.DISABLED, 0, 0,
            counts[0], counts[1]));
      } else {
        CircuitBreaker.Metrics m = cb.getMetrics();
        backends.add(new BackendState(scheme, circuit(cb.getState()), m.getNumberOfBufferedCalls(),
            m.getNumberOfFailedCalls(), counts[0], counts[1]));
      }
    });
    return new CacheSnapshot(Planner.instantOf(now), secrets, backends, stats);
  }

  static Circuit circuit(CircuitBreaker.State state) {
    switch (state) {
      case CLOSED:
        return Circuit.CLOSED;
      case OPEN:
      case FORCED_OPEN:
        return Circuit.OPEN;
      case HALF_OPEN:
        return Circuit.HALF_OPEN;
      default:
        return Circuit.DISABLED;
    }
  }

  private static SecretState state(Entry e, long now) {
    Version v;
    boolean loading;
    @Nullable ScheduledFuture<?> task;
    boolean retrying;
    int failures;
    @Nullable SecretException last;
    long lastAt;
    @Nullable Overlap previous = null;
    List<Overlap> retired = new ArrayList<>(0);
    boolean notFound;
    synchronized (e) {
      v = e.current;
      loading = e.inFlight != null;
      task = e.refreshTask;
      retrying = e.retryPending;
      failures = e.failures;
      last = e.lastError;
      lastAt = e.lastErrorAt;
      notFound = e.notFound != null && now < e.notFoundUntil;
      Version p = e.previous;
      if (p != null && now < e.previousUntil) {
        previous = new Overlap(p.versionId(), Planner.instantOf(e.previousUntil));
      }
      if (e.retired != null) {
        e.retired.forEach((version, r) -> {
          if (now < r.until) {
            retired.add(new Overlap(version.versionId(), Planner.instantOf(r.until)));
          }
        });
      }
    }
    boolean servable = v != null && now < v.serveUntil && v.phase != Version.OVER;
    Phase phase;
    if (!servable) {
      phase = failures > 0 || notFound ? Phase.UNAVAILABLE : Phase.LOADING;
    } else if (loading) {
      phase = Phase.REFRESHING;
    } else if (now >= v.endsAt) {
      phase = Phase.STALE;
    } else if (failures > 0) {
      phase = Phase.FAILING;
    } else {
      phase = Phase.FRESH;
    }
    Step step = null;
    Instant stepAt = null;
    if (v != null && !loading && task != null && !task.isDone()) {
      if (retrying) {
        step = Step.RETRY;
        stepAt = Planner.instantOf(Planner.plus(now, Math.max(0, task.getDelay(TimeUnit.MILLISECONDS))));
      } else {
        step = plannedStep(v);
        stepAt = Planner.instantOf(v.refreshAt);
      }
    }
    String failure = failures > 0 && last != null ? last.getClass().getSimpleName() : null;
    if (v == null) {
      return new SecretState(e.key, e.backend, phase, null, Set.of(), null, null, null, null, null, null, null, null,
          previous, retired, failures, failure, failures > 0 ? Planner.instantOf(lastAt) : null);
    }
    Secret s = v.borrowed;
    Lease lease = v.lease;
    Set<VersionStage> stages = new TreeSet<>(s.stages());
    return new SecretState(e.key, e.backend, phase, v.versionId(), stages, s.createdAt().orElse(null),
        Planner.instantOf(v.fetchedAt), Planner.instantOf(v.endsAt), Planner.instantOf(v.serveUntil),
        s.nextRotationAt().orElse(null), step, stepAt,
        lease == null ? null : new LeaseState(lease.issuedAt(), lease.expiresAt(), v.renewable),
        previous, retired, failures, failure, failures > 0 ? Planner.instantOf(lastAt) : null);
  }

  /** What the version's refresh task will do when it runs (see {@link Loader#scheduledStep}). */
  private static Step plannedStep(Version v) {
    if (v.lease != null) {
      return v.renewable ? Step.RENEW : Step.NEW_CREDENTIALS;
    }
    Optional<Instant> rotation = v.borrowed.nextRotationAt();
    if (rotation.isPresent()
        && v.refreshAt == Planner.plus(Planner.millisOf(rotation.get()), DefaultSecretCache.AFTER_ROTATION_MILLIS)) {
      return Step.AFTER_ROTATION;
    }
    return Step.REFRESH;
  }
}
