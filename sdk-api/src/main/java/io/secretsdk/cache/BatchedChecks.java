package io.secretsdk.cache;

import io.secretsdk.BatchResult;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionCheck;
import io.secretsdk.VersionChecks;
import io.secretsdk.cache.RotationEvent.Reason;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batched change checks: the scheduled refresh of a value without a lease, done for many entries
 * with one backend call.
 *
 * <p>When one entry's refresh comes due, every other entry of the same backend (the same canonical
 * scheme) whose refresh is due within {@link #WINDOW} plus {@code refreshJitter} of its own
 * lifetime (so that the first round gathers secrets whose refresh times the jitter spread) joins
 * it, up to {@link #MAX_PER_CALL} entries, each claimed as that entry's one in-flight load (readers and {@code
 * refresh()} join it as they would any load). Then:
 *
 * <ol>
 *   <li>one {@link io.secretsdk.SecretSource#checkVersions} call (a lone entry asks {@link
 *       io.secretsdk.SecretSource#checkVersion});
 *   <li>an entry whose version is unchanged keeps its value, its borrowed secret and its parsed
 *       fields, and only moves its plan: no fetch, no copy;
 *   <li>the entries that changed, or that the answer left out (the source cannot check them
 *       cheaply), are fetched with one {@link io.secretsdk.SecretSource#fetchAll} (a lone one with
 *       {@code fetch});
 *   <li>an entry the check or the fetch failed for, or that the fetch left out, fails on its own:
 *       the value held keeps being served and the {@link Planner}'s backoff retries it.
 * </ol>
 *
 * <p>Entries checked or fetched together get one point of the refresh window, so their next
 * refreshes come due together and are batched again: N secrets loaded together cost one check
 * call per lifetime, not N. Pulling an entry forward refreshes it at most that window of its
 * lifetime early (20% with the default jitter). An entry that is failing joins only if its own
 * retry is due within {@link #RETRY_WINDOW_MILLIS}, so that the retries of a batch that failed as
 * a whole (a throttled call) stay one call instead of one per secret; leased entries are left to
 * their renewal or lease-end fetch.
 */
final class BatchedChecks {
  private static final Logger log = LoggerFactory.getLogger(SecretCache.class);

  /** An entry joins a batch if its own refresh is due within this fraction of its lifetime. */
  static final double WINDOW = 0.1;
  /** A failing entry joins a batch if its pending retry is due within this. */
  static final long RETRY_WINDOW_MILLIS = DefaultSecretCache.BASE_BACKOFF_MILLIS;
  /** The most entries in one check call (an AWS ListSecrets page holds 100). */
  static final int MAX_PER_CALL = 100;

  private final DefaultSecretCache c;
  private final Loader loader;

  BatchedChecks(DefaultSecretCache c, Loader loader) {
    this.c = c;
    this.loader = loader;
  }

  /** One entry claimed for a batch: its version when claimed and its in-flight load. */
  private static final class Claim {
    final Entry e;
    final Version v;
    final CompletableFuture<Version> f;

    Claim(Entry e, Version v, CompletableFuture<Version> f) {
      this.e = e;
      this.v = v;
      this.f = f;
    }
  }

  /**
   * The scheduled refresh of {@code trigger}'s unleased version {@code seen}, with every entry of
   * its backend due soon. Runs on the load executor.
   */
  void refresh(Entry trigger, Version seen) {
    if (c.closed || trigger.retryPending) {
      return; // a batch that ran meanwhile failed it: its backoff decides when it is asked again
    }
    Claim first = claim(trigger, seen);
    if (first == null) {
      return; // another load is under way (it is the refresh), or the entry changed or went
    }
    long now = c.clock.millis();
    double window = WINDOW + c.refreshJitter;
    List<Claim> claims = new ArrayList<>();
    claims.add(first);
    Set<Entry> seenEntries = Collections.newSetFromMap(new IdentityHashMap<>());
    seenEntries.add(trigger);
    for (Entry e : c.store.asMap().values()) {
      if (claims.size() >= MAX_PER_CALL) {
        break;
      }
      if (!seenEntries.add(e) || !e.backend.equals(trigger.backend) || e.removed) {
        continue; // an alias of an entry seen, or another backend
      }
      Version v = e.current;
      if (v == null || v.lease != null || v.phase == Version.OVER) {
        continue;
      }
      boolean failing = e.failures > 0 || e.retryPending;
      if (!failing && !dueWithin(v, now, window)) {
        continue;
      }
      // A failing entry joins only if its own retry is due within RETRY_WINDOW_MILLIS: retries of
      // a batch that failed as a whole stay one call, and no backoff is cut by more than that.
      Claim claim = failing ? claimRetry(e, v) : claim(e, v);
      if (claim != null) {
        claims.add(claim);
      }
    }
    run(trigger.backend, claims);
  }

  /** Whether a version's refresh is due within {@code window} of its lifetime from {@code now}. */
  static boolean dueWithin(Version v, long now, double window) {
    long life = Math.max(1, v.endsAt - v.fetchedAt);
    return v.refreshAt - now <= (long) (life * window);
  }

  /** Claims a failing entry whose pending retry is due within {@link #RETRY_WINDOW_MILLIS}. */
  private @Nullable Claim claimRetry(Entry e, Version v) {
    synchronized (e) {
      ScheduledFuture<?> retry = e.refreshTask;
      if (!e.retryPending || retry == null || retry.isDone()
          || retry.getDelay(TimeUnit.MILLISECONDS) > RETRY_WINDOW_MILLIS) {
        return null;
      }
      return claim(e, v);
    }
  }

  private @Nullable Claim claim(Entry e, Version v) {
    synchronized (e) {
      if (e.inFlight != null || e.removed || e.current != v || c.closed) {
        return null;
      }
      CompletableFuture<Version> f = new CompletableFuture<>();
      e.inFlight = f;
      return new Claim(e, v, f);
    }
  }

  private void run(String backend, List<Claim> claims) {
    // observer hook: load start (batched refresh)
    long started = CacheObservers.start();
    double fraction = c.planner.refreshFraction();
    VersionChecks answer;
    try {
      answer = check(backend, claims);
    } catch (SecretAccessDeniedException refused) {
      // May read the values but not their metadata: a check is only a saving, so fetch instead.
      log.debug("backend '{}' refused the change check of {} secrets; fetching them instead", backend, claims.size());
      fetch(backend, claims, fraction, started);
      return;
    } catch (RuntimeException | Error all) {
      for (Claim claim : claims) {
        fail(claim, all, started);
      }
      return;
    }
    List<Claim> toFetch = new ArrayList<>();
    int unchanged = 0;
    for (Claim claim : claims) {
      VersionCheck check = answer.found().get(claim.e.key);
      SecretException failed = answer.failed().get(claim.e.key);
      if (check != null && check.versionId().equals(claim.v.versionId())) {
        try {
          done(claim, loader.confirm(claim.e, claim.v, check, fraction), started);
          unchanged++;
        } catch (RuntimeException unservable) {
          fail(claim, unservable, started);
        }
      } else if (check == null && failed != null && !(failed instanceof SecretAccessDeniedException)) {
        fail(claim, failed, started);
      } else {
        toFetch.add(claim);
      }
    }
    if (claims.size() > 1) {
      log.debug("checked {} secrets of backend '{}' in one call: {} unchanged, {} to fetch", claims.size(), backend,
          unchanged, toFetch.size());
    }
    if (!toFetch.isEmpty()) {
      fetch(backend, toFetch, fraction, started);
    }
  }

  /** One check call for all the claims; what it says, by canonical key. */
  private VersionChecks check(String backend, List<Claim> claims) {
    if (claims.size() == 1) {
      SecretRef key = claims.get(0).e.key;
      Optional<VersionCheck> one = c.guard(backend).call(key, () -> c.source.checkVersion(key));
      return one == null || one.isEmpty() ? new VersionChecks(Map.of(), Map.of())
          : new VersionChecks(Map.of(key, one.get()), Map.of());
    }
    List<SecretRef> refs = new ArrayList<>(claims.size());
    for (Claim claim : claims) {
      refs.add(claim.e.key);
    }
    VersionChecks answer = c.guard(backend).call(null, () -> c.source.checkVersions(refs));
    return answer == null ? new VersionChecks(Map.of(), Map.of()) : answer;
  }

  /** One fetch call for the claims that changed or could not be checked. */
  private void fetch(String backend, List<Claim> claims, double fraction, long started) {
    Map<SecretRef, Claim> byKey = new LinkedHashMap<>();
    for (Claim claim : claims) {
      byKey.put(claim.e.key, claim);
    }
    if (claims.size() == 1) {
      Claim only = claims.get(0);
      Secret one;
      try {
        one = c.guard(backend).call(only.e.key, () -> c.source.fetch(only.e.key));
      } catch (RuntimeException | Error failure) {
        fail(only, failure, started);
        return;
      }
      install(only, one, fraction, started); // a null answer fails there, as it does for any load
      return;
    }
    BatchResult result;
    try {
      result = c.guard(backend).call(null, () -> c.source.fetchAll(List.copyOf(byKey.keySet())));
    } catch (RuntimeException | Error all) {
      for (Claim claim : claims) {
        fail(claim, all, started);
      }
      return;
    }
    if (result == null) {
      result = new BatchResult(Map.of(), Map.of());
    }
    // A source that hands out one value object for two secrets: each entry gets its own.
    Set<SecretValue> values = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<SecretRef, Secret> found : result.found().entrySet()) {
      Claim claim = byKey.remove(found.getKey());
      Secret secret = found.getValue();
      if (claim == null) {
        if (secret != null && !values.contains(secret.value())) {
          DefaultSecretCache.destroyQuietly(secret.value()); // an answer for a secret not asked for
        }
        continue;
      }
      if (secret != null && !values.add(secret.value())) {
        secret = secret.toBuilder().value(Loader.copy(secret.value())).build();
      }
      install(claim, secret, fraction, started);
    }
    for (Claim missing : byKey.values()) {
      SecretException failure = result.failed().get(missing.e.key);
      if (failure == null) {
        failure = new SecretUnavailableException("backend '" + backend + "' left secret '" + missing.e.key
            + "' out of a batch fetch; the cache asks again after a backoff", missing.e.key);
      }
      fail(missing, failure, started);
    }
  }

  private void install(Claim claim, @Nullable Secret fetched, double fraction, long started) {
    Loader.Installed installed;
    try {
      installed = loader.install(claim.e, fetched, Reason.SCHEDULED_REFRESH, fraction);
    } catch (RuntimeException | Error failure) {
      fail(claim, failure, started);
      return;
    }
    done(claim, installed.version, started);
    // Announced only now, with the load finished: a listener may call back into the cache.
    installed.announce(c);
  }

  private void done(Claim claim, Version version, long started) {
    Loader.finish(claim.e, claim.f);
    c.refreshes.increment();
    // observer hook: refresh completed (batched)
    c.observers.loaded(claim.e.key, false, version.borrowed, null, started);
    claim.f.complete(version);
  }

  private void fail(Claim claim, Throwable failure, long started) {
    Loader.finish(claim.e, claim.f);
    Throwable reported = failure instanceof RuntimeException ? Loader.typed(claim.e, (RuntimeException) failure) : failure;
    loader.onFailure(claim.e, reported, false);
    // observer hook: refresh failed (batched)
    c.observers.loaded(claim.e.key, false, null, reported, started);
    claim.f.completeExceptionally(reported);
  }
}
