package io.secretsdk.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.secretsdk.BatchResult;
import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretExpiredException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.cache.RotationEvent.Reason;
import io.secretsdk.resilience.internal.GuardedCalls;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SecretCache} that {@link SecretCache.Builder#build()} makes.
 *
 * <p><b>Storage.</b> A Caffeine cache, bounded by {@code maximumSize}, maps each reference
 * (without field) to a mutable {@link Entry}. Each entry has its own expiry: a task on the scheduler
 * at a grace period past the last instant anything in it may be served (a held value's stale limit,
 * a previous version's overlap, a not-found answer) drops it. Caffeine's own variable expiry would
 * do the same, but it makes every read several times dearer than a plain lookup (see {@code
 * WarmGetBenchmark}). Dropping or evicting an entry zeroes what it holds.
 *
 * <p><b>Reads.</b> A read looks the entry up and returns the pre-built borrowed {@link Secret} of
 * its current {@link Version} while that version's phase says it may be served: no lock, no clock
 * read, no allocation, no backend. The phase moves from fresh to stale (lifetime over) to over
 * (stale limit or lease end reached) by tasks on the scheduler at those instants. Anything else
 * takes the slow path, which reads the clock, and where concurrent misses share the entry's one
 * in-flight load.
 *
 * <p><b>Schedules.</b> Each installed version plans its own next step on the scheduler: a renewal
 * (renewable lease) or a fetch, at {@code refreshAhead} of its lifetime (spread by jitter), right
 * after a published rotation time, or, once renewal stops extending a lease, at two thirds of the
 * lease's remaining time. A failed step is retried with jittered exponential backoff, never past the
 * point where the held value stops being servable.
 *
 * <p><b>Locks.</b> An entry's monitor guards its in-flight load and its tasks; its versions are
 * volatile. No Caffeine call is made while an entry's monitor is held (Caffeine's removal listener
 * takes entry monitors), and no backend call or listener runs under one.
 */
final class DefaultSecretCache implements SecretCache {
  private static final Logger log = LoggerFactory.getLogger(SecretCache.class);

  /** How long past its last servable instant an entry is kept (for lease-end and stale answers). */
  static final long GRACE_MILLIS = TimeUnit.MINUTES.toMillis(1);
  /** How long after a published rotation time the refresh runs. */
  static final long AFTER_ROTATION_MILLIS = TimeUnit.SECONDS.toMillis(1);
  /** The longest backoff between retries of a failing refresh. */
  static final long MAX_BACKOFF_MILLIS = TimeUnit.MINUTES.toMillis(5);
  /** The shortest backoff, for values whose lifetime is long. */
  static final long BASE_BACKOFF_MILLIS = TimeUnit.SECONDS.toMillis(1);
  /** Below this, a retry before a value stops being servable is not worth scheduling. */
  static final long MIN_RETRY_MILLIS = 10;
  /**
   * The soonest a refresh follows the fetch before it, so that a backend handing out values
   * already (or almost) expired, as with a skewed clock, is not called in a tight loop.
   */
  static final long MIN_REFRESH_MILLIS = 100;
  /** Renewal is asked to extend by the lease's ttl; a grant shorter than this fraction of it means a maximum is near. */
  static final double FULL_RENEWAL = 0.99;
  /** When renewal stops extending a lease, new credentials are fetched at this fraction of the rest. */
  static final double LEASE_END_FETCH_AT = 2.0 / 3.0;

  private final SecretSource source;
  // observer hook: observers
  private final CacheObservers observers;
  private final String backend;
  private final Clock clock;
  private final long defaultTtl;
  private final double refreshAhead;
  private final double refreshJitter;
  private final long maxStale;
  private final long overlap;
  private final long negativeTtl;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Executor listenerExecutor;
  private final @Nullable ExecutorService ownedListenerExecutor;
  private final GuardedCalls guard;
  private final Cache<SecretRef, Entry> store;
  private final List<Registration> listeners = new CopyOnWriteArrayList<>();
  private final Function<SecretRef, Entry> newEntry = key -> new Entry(key, clockMillis());
  private volatile boolean closed;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder loads = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder refreshes = new LongAdder();
  private final LongAdder refreshFailures = new LongAdder();
  private final LongAdder rotations = new LongAdder();
  private final LongAdder staleServed = new LongAdder();
  private final LongAdder evictions = new LongAdder();

  DefaultSecretCache(SecretCache.Builder b) {
    // observer hook: observers (the source is wrapped so that every backend call is reported)
    this.observers = new CacheObservers(b.observers, b.source, b.clock);
    this.source = observers.observe(b.source);
    this.backend = schemeOf(b.source);
    this.clock = b.clock;
    this.defaultTtl = saturatedMillis(b.defaultTtl);
    this.refreshAhead = b.refreshAhead;
    this.refreshJitter = b.refreshJitter;
    this.maxStale = saturatedMillis(b.maxStale);
    this.overlap = saturatedMillis(b.overlap);
    this.negativeTtl = saturatedMillis(b.negativeTtl);
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownsScheduler = false;
    } else {
      // Two threads: one can wait on a slow backend while the other keeps the timing (the phase
      // changes that end a value's life on time, overlaps, expiries).
      ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(2, daemon("secretsdk-cache-refresh"));
      own.setRemoveOnCancelPolicy(true);
      this.scheduler = own;
      this.ownsScheduler = true;
    }
    if (b.listenerExecutor != null) {
      this.listenerExecutor = b.listenerExecutor;
      this.ownedListenerExecutor = null;
    } else {
      ExecutorService own = Executors.newSingleThreadExecutor(daemon("secretsdk-cache-listeners"));
      this.listenerExecutor = own;
      this.ownedListenerExecutor = own;
    }
    this.guard = GuardedCalls.of(b.resilience, backend, clock);
    // Caffeine bounds the size; each entry's expiry is the cache's own task (see expireIfDead).
    this.store =
        Caffeine.newBuilder()
            .maximumSize(b.maximumSize)
            .executor(Runnable::run)
            .removalListener(this::onRemoval)
            .build();
  }

  private static String schemeOf(SecretSource source) {
    return Objects.requireNonNull(source.scheme(), "the source's scheme()");
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicLong count = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static long saturatedMillis(Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private long clockMillis() {
    return clock.millis();
  }

  private static long plus(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Secret get(SecretRef ref) {
    if (closed) {
      throw closedError();
    }
    SecretRef key = ref.withoutField();
    Entry e = store.getIfPresent(key);
    if (e != null) {
      Version v = e.current;
      if (v != null) {
        // The phase moves with the version's times, on the scheduler: no clock read here.
        int phase = v.phase;
        if (phase == Version.FRESH) {
          hits.increment();
          // observer hook: first read
          if (!v.read) {
            observers.firstRead(key, v, v.borrowed);
          }
          return v.borrowed;
        }
        if (phase == Version.STALE) {
          hits.increment();
          staleServed.increment();
          // observer hook: first read
          if (!v.read) {
            observers.firstRead(key, v, v.borrowed);
          }
          return v.borrowed;
        }
      }
    }
    return slowGet(key, e);
  }

  private Secret slowGet(SecretRef key, @Nullable Entry found) {
    Entry e = found;
    for (int attempt = 0; ; attempt++) {
      if (closed) {
        throw closedError();
      }
      long now = clock.millis();
      if (e == null || e.removed) {
        e = store.get(key, newEntry);
      }
      Version v = e.current;
      if (v != null && now < v.serveUntil) {
        hits.increment();
        if (now >= v.endsAt) {
          staleServed.increment();
        }
        // observer hook: first read
        if (!v.read) {
          observers.firstRead(key, v, v.borrowed);
        }
        return v.borrowed;
      }
      misses.increment();
      SecretNotFoundException notFound = e.notFound;
      if (notFound != null && now < e.notFoundUntil) {
        throw notFound;
      }
      SecretException last = e.lastError;
      if (v != null && last != null && (e.retryPending || now - e.lastErrorAt < BASE_BACKOFF_MILLIS)) {
        // The backend is failing and a retry is scheduled: answer at once rather than pile on,
        // unless a load is under way (join it) or has just installed another version (read it).
        boolean loading;
        boolean changed;
        synchronized (e) {
          loading = e.inFlight != null;
          changed = e.current != v;
        }
        if (changed) {
          continue;
        }
        if (!loading) {
          throw unusable(key, v, now, last);
        }
      }
      try {
        Reason reason = v == null ? null : v.lease != null ? Reason.LEASE_ENDING : Reason.BACKEND_CHANGED;
        Version loaded = join(startLoad(e, reason, false, true, v));
        if (loaded.value.isDestroyed() && attempt < 3) {
          e = null; // lost a race with an invalidation or eviction: read again
          continue;
        }
        // observer hook: first read
        if (!loaded.read) {
          observers.firstRead(key, loaded, loaded.borrowed);
        }
        return loaded.borrowed;
      } catch (SecretException failure) {
        if (v != null) {
          throw unusable(key, v, now, failure);
        }
        throw failure;
      }
    }
  }

  private SecretException unusable(SecretRef key, Version v, long now, SecretException cause) {
    if (v.hardEnd && now >= v.endsAt) {
      return new SecretExpiredException(
          "secret '" + key + "' (version " + v.borrowed.versionId() + ") from backend '" + backend
              + "' expired at " + Instant.ofEpochMilli(v.endsAt) + " and could not be fetched again ("
              + cause.getClass().getSimpleName() + "); the cache keeps retrying",
          key,
          cause);
    }
    return cause;
  }

  @Override
  public Secret get(String uri) {
    return get(SecretRef.parse(uri));
  }

  @Override
  public SecretValue value(String uri) {
    SecretRef ref = SecretRef.parse(uri);
    Secret secret = get(ref);
    Optional<String> field = ref.field();
    return field.isPresent() ? secret.field(field.get()) : secret.value();
  }

  @Override
  public CompletableFuture<Secret> getAsync(SecretRef ref) {
    checkOpen();
    Objects.requireNonNull(ref, "ref");
    Entry e = store.getIfPresent(ref.withoutField());
    Version v = e == null ? null : e.current;
    if (v != null && v.phase == Version.FRESH) {
      hits.increment();
      return CompletableFuture.completedFuture(v.borrowed);
    }
    try {
      return CompletableFuture.supplyAsync(() -> get(ref), scheduler);
    } catch (RejectedExecutionException rejected) {
      return CompletableFuture.failedFuture(closedError());
    }
  }

  @Override
  public Optional<Secret> previous(SecretRef ref) {
    checkOpen();
    Entry e = store.getIfPresent(ref.withoutField());
    if (e == null) {
      return Optional.empty();
    }
    Version p = e.previous;
    if (p == null || clock.millis() >= e.previousUntil || p.value.isDestroyed()) {
      return Optional.empty();
    }
    return Optional.of(p.borrowed);
  }

  @Override
  public List<SecretValue> accepted(SecretRef ref) {
    Secret current = get(ref);
    Optional<Secret> previous = previous(ref);
    Optional<String> field = ref.field();
    SecretValue first = field.isPresent() ? current.field(field.get()) : current.value();
    if (previous.isEmpty()) {
      return List.of(first);
    }
    Secret p = previous.get();
    try {
      return List.of(first, field.isPresent() ? p.field(field.get()) : p.value());
    } catch (IllegalStateException destroyedMeanwhile) {
      return List.of(first);
    }
  }

  // ---------------------------------------------------------------- loads

  /** Starts (or joins) the entry's one load; runs it on this thread unless {@code async}. */
  private CompletableFuture<Version> startLoad(Entry e, @Nullable Reason reason, boolean async) {
    return startLoad(e, reason, async, false, null);
  }

  /**
   * Starts (or joins) the entry's one load for a reader who found {@code seen} unusable; if another
   * load installed a version meanwhile, that version is the answer and the backend is not called.
   */
  private CompletableFuture<Version> startLoad(
      Entry e, @Nullable Reason reason, boolean async, boolean forReader, @Nullable Version seen) {
    CompletableFuture<Version> f;
    synchronized (e) {
      if (e.inFlight != null) {
        return e.inFlight;
      }
      Version now = e.current;
      if (forReader && now != null && now != seen && now.phase != Version.OVER) {
        return CompletableFuture.completedFuture(now);
      }
      f = new CompletableFuture<>();
      e.inFlight = f;
    }
    if (async) {
      try {
        scheduler.execute(() -> runLoad(e, f, reason));
      } catch (RejectedExecutionException rejected) {
        finish(e, f);
        f.completeExceptionally(closedError());
      }
    } else {
      runLoad(e, f, reason);
    }
    return f;
  }

  private void runLoad(Entry e, CompletableFuture<Version> f, @Nullable Reason reason) {
    // observer hook: load start
    long started = CacheObservers.start();
    Secret fetched;
    try {
      fetched = guard.call(e.key, () -> source.fetch(e.key));
    } catch (RuntimeException | Error failure) {
      finish(e, f);
      onFailure(e, failure, reason == null);
      // observer hook: load failed
      observers.loaded(e.key, reason == null, null, failure, started);
      f.completeExceptionally(failure);
      return;
    }
    try {
      Version v = install(e, fetched, reason);
      finish(e, f);
      (reason == null ? loads : refreshes).increment();
      // observer hook: load completed
      observers.loaded(e.key, reason == null, v.borrowed, null, started);
      f.complete(v);
    } catch (RuntimeException | Error failure) {
      finish(e, f);
      // observer hook: load failed
      observers.loaded(e.key, reason == null, null, failure, started);
      f.completeExceptionally(failure);
    }
  }

  private static void finish(Entry e, CompletableFuture<Version> f) {
    synchronized (e) {
      if (e.inFlight == f) {
        e.inFlight = null;
      }
    }
  }

  private static Version join(CompletableFuture<Version> f) {
    try {
      return f.join();
    } catch (CompletionException wrapped) {
      Throwable cause = wrapped.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw wrapped;
    }
  }

  /**
   * Makes a fetched secret the entry's current version: the same version adopts the new metadata
   * but keeps the held value (readers may hold it); another version is a rotation.
   */
  private Version install(Entry e, Secret fetched, @Nullable Reason reason) {
    long now = clock.millis();
    List<Version> toDestroy = new ArrayList<>(2);
    RotationEvent event = null;
    Version installed;
    boolean orphan;
    synchronized (e) {
      orphan = e.removed || closed;
      Version old = e.current;
      if (old != null && old.borrowed.versionId().equals(fetched.versionId())) {
        installed = Version.of(fetched, old.value, now, this, refreshFraction());
        // observer hook: the same version keeps its first-read mark
        installed.inheritRead(old);
        destroyQuietly(fetched.value());
      } else {
        installed = Version.of(fetched, fetched.value(), now, this, refreshFraction());
        // observer hook: install (registers the new value for log masking, if enabled)
        CacheObservers.installed(e.key, installed.value, installed.borrowed);
        if (old != null) {
          long until = Math.min(plus(now, overlap), old.hardEnd ? old.endsAt : Long.MAX_VALUE);
          Version older = e.previous;
          if (older != null) {
            // A second rotation within one overlap: `older` is no longer previous(), but the event
            // that announced it promised it readable until its overlap end; readers may hold it.
            long olderUntil = e.previousUntil;
            ScheduledFuture<?> end = olderUntil > now && !orphan ? schedule(olderUntil - now, () -> retire(e, older)) : null;
            if (end != null) {
              if (e.retired == null) {
                e.retired = new LinkedHashMap<>(2);
              }
              e.retired.put(older, end);
            } else {
              toDestroy.add(older);
            }
          }
          cancel(e.overlapTask);
          e.overlapTask = null;
          if (until > now && !orphan) {
            e.previous = old;
            e.previousUntil = until;
            e.overlapTask = schedule(until - now, () -> endOverlap(e, old));
          } else {
            e.previous = null;
            toDestroy.add(old);
          }
          event = new RotationEvent(e.key, Optional.of(old.borrowed), installed.borrowed,
              Instant.ofEpochMilli(Math.max(until, now)), reason == null ? Reason.BACKEND_CHANGED : reason);
        }
      }
      if (old != null) {
        old.cancelFlips();
      }
      e.current = installed;
      e.failures = 0;
      e.lastError = null;
      e.notFound = null;
      e.retryPending = false;
      if (!orphan) {
        planNext(e, installed, now);
      }
    }
    if (event != null) {
      rotations.increment();
      log.info("secret '{}' from backend '{}' rotated: version {} -> {} ({}); the previous stays readable until {}",
          e.key, backend, event.previous().map(Secret::versionId).orElse("-"), installed.borrowed.versionId(),
          event.reason(), event.overlapUntil());
    }
    if (event != null && !orphan) {
      announce(event);
      // observer hook: rotation
      observers.rotated(event);
    }
    toDestroy.forEach(DefaultSecretCache::destroy);
    if (orphan) {
      adoptOrphan(e, installed);
    } else {
      touch(e);
    }
    return installed;
  }

  /**
   * An entry was invalidated or evicted while its load ran: put it back if its key is free, else
   * let the waiting readers use the version for one overlap period and then zero it.
   */
  private void adoptOrphan(Entry e, Version installed) {
    if (closed) {
      destroy(installed);
      throw closedError();
    }
    synchronized (e) {
      if (!e.removed) {
        return;
      }
      e.removed = false;
    }
    Entry prior = store.asMap().putIfAbsent(e.key, e);
    if (prior != null && prior != e) {
      synchronized (e) {
        e.removed = true;
      }
      schedule(Math.max(overlap, MIN_RETRY_MILLIS), () -> destroy(installed));
      return;
    }
    synchronized (e) {
      if (!e.removed && e.current == installed) {
        planNext(e, installed, clock.millis());
      }
    }
  }

  private double refreshFraction() {
    double spread = refreshJitter == 0 ? 0 : (ThreadLocalRandom.current().nextDouble() - 0.5) * refreshJitter;
    return Math.min(0.99, Math.max(0.01, refreshAhead + spread));
  }

  /** Schedules the entry's next renewal or fetch for an installed version. Holds e's monitor. */
  private void planNext(Entry e, Version v, long now) {
    cancel(e.refreshTask);
    e.refreshTask = schedule(Math.max(0, v.refreshAt - now), () -> scheduledStep(e, v));
    if (v.phase == Version.FRESH) {
      v.staleFlip = schedule(v.endsAt - now, () -> v.advance(Version.STALE));
    }
    if (v.phase != Version.OVER && v.serveUntil != Long.MAX_VALUE) {
      // observer hook: expiry (lease end, hard expiry or stale limit reached)
      v.overFlip = schedule(v.serveUntil - now, () -> {
        v.advance(Version.OVER);
        observers.expired(e.key, v.borrowed);
      });
    }
  }

  private void scheduledStep(Entry e, Version v) {
    if (closed || e.removed || e.current != v) {
      return;
    }
    synchronized (e) {
      e.retryPending = false;
    }
    if (v.lease != null && v.renewable) {
      renew(e, v);
    } else {
      startLoad(e, v.lease != null ? Reason.LEASE_ENDING : Reason.SCHEDULED_REFRESH, false);
    }
  }

  private void renew(Entry e, Version v) {
    Lease lease = Objects.requireNonNull(v.lease);
    Lease renewed;
    // observer hook: renewal start
    long started = CacheObservers.start();
    try {
      renewed = guard.call(e.key, () -> source.renew(lease, lease.ttl()));
    } catch (SecretUnavailableException transientFailure) {
      onFailure(e, transientFailure, false);
      // observer hook: renewal failed
      observers.renewed(e.key, v.borrowed.versionId(), transientFailure, started);
      return;
    } catch (RuntimeException notRenewable) {
      // observer hook: renewal failed
      observers.renewed(e.key, v.borrowed.versionId(), notRenewable, started);
      // Unsupported, revoked, denied: fetch new credentials instead.
      log.debug("renewal of the lease of secret '{}' from backend '{}' failed ({}); fetching new credentials",
          e.key, backend, notRenewable.getClass().getSimpleName());
      startLoad(e, Reason.LEASE_ENDING, false);
      return;
    }
    refreshes.increment();
    // observer hook: renewal completed
    observers.renewed(e.key, v.borrowed.versionId(), null, started);
    long now = clock.millis();
    boolean extended = renewed.expiresAt().isAfter(lease.expiresAt());
    boolean full = renewed.ttl().toMillis() >= lease.ttl().toMillis() * FULL_RENEWAL;
    boolean keepRenewing = extended && full && renewed.renewable();
    Version next;
    synchronized (e) {
      if (e.current != v || e.removed || closed) {
        return;
      }
      Secret metadata = v.borrowed.toBuilder().lease(extended ? renewed : lease).value(v.value).build();
      next = Version.renewed(metadata, v.value, now, this, keepRenewing ? refreshFraction() : LEASE_END_FETCH_AT,
          keepRenewing);
      // observer hook: a renewed version keeps its first-read mark
      next.inheritRead(v);
      v.cancelFlips();
      e.current = next;
      e.failures = 0;
      e.lastError = null;
      planNext(e, next, now);
    }
    if (!keepRenewing) {
      log.debug("the lease of secret '{}' from backend '{}' can no longer be extended; new credentials at {}",
          e.key, backend, Instant.ofEpochMilli(next.refreshAt));
    }
    touch(e);
  }

  private void onFailure(Entry e, Throwable failure, boolean coldLoad) {
    long now = clock.millis();
    SecretException error = failure instanceof SecretException ? (SecretException) failure : null;
    Version v;
    long retryIn = -1;
    int failures;
    synchronized (e) {
      v = e.current;
      if (v == null) {
        e.failures++;
        e.lastError = error;
        e.idleSince = now;
        if (failure instanceof SecretNotFoundException && negativeTtl > 0) {
          e.notFound = (SecretNotFoundException) failure;
          e.notFoundUntil = plus(now, negativeTtl);
        }
      } else {
        e.lastError = error != null ? error
            : new SecretUnavailableException("backend '" + backend + "' failed for secret '" + e.key + "'", e.key, failure);
        e.lastErrorAt = now;
        e.failures++;
        retryIn = backoff(e.failures, v, now, failure);
        if (retryIn >= 0 && !e.removed && !closed) {
          cancel(e.refreshTask);
          e.refreshTask = schedule(retryIn, () -> scheduledStep(e, v));
          e.retryPending = true;
        } else {
          e.retryPending = false;
        }
      }
      failures = e.failures;
    }
    if (coldLoad && v == null) {
      loadFailures.increment();
    } else {
      refreshFailures.increment();
    }
    if (v != null && (failures == 1 || retryIn < 0)) {
      log.warn("refresh of secret '{}' from backend '{}' failed ({}: {}); serving version {} until {}{}",
          e.key, backend, failure.getClass().getSimpleName(), failure.getMessage(), v.borrowed.versionId(),
          Instant.ofEpochMilli(v.serveUntil),
          retryIn >= 0 ? ", retrying in " + Duration.ofMillis(retryIn) : ", no further retry before then");
    } else if (v != null) {
      log.debug("refresh of secret '{}' from backend '{}' failed again ({} in a row, {}); retrying in {}",
          e.key, backend, failures, failure.getClass().getSimpleName(), Duration.ofMillis(retryIn));
    } else {
      log.debug("load of secret '{}' from backend '{}' failed: {}", e.key, backend, failure.getClass().getSimpleName());
    }
    touch(e);
  }

  /** Jittered exponential backoff, at least any retry-after hint, and never past the serving limit. */
  private long backoff(int failures, Version v, long now, Throwable failure) {
    long base = backoffBase(v);
    long exp = base << Math.min(failures - 1, 20);
    long delay = (long) (Math.min(MAX_BACKOFF_MILLIS, exp) * (0.5 + ThreadLocalRandom.current().nextDouble()));
    if (failure instanceof SecretThrottledException) {
      Optional<Duration> hint = ((SecretThrottledException) failure).retryAfter();
      if (hint.isPresent()) {
        delay = Math.max(delay, saturatedMillis(hint.get()));
      }
    }
    long left = v.serveUntil - now;
    if (delay < left) {
      return delay;
    }
    // Too close to the end for the full backoff: halve what is left, down to the base.
    return left / 2 >= base ? left / 2 : -1;
  }

  private static long backoffBase(Version v) {
    return Math.max(MIN_RETRY_MILLIS, Math.min(BASE_BACKOFF_MILLIS, (v.endsAt - v.fetchedAt) / 16));
  }

  /** Zeroes a version that a later rotation cut out of previous(), once its promised overlap ends. */
  private void retire(Entry e, Version v) {
    synchronized (e) {
      if (e.retired == null || e.retired.remove(v) == null) {
        return;
      }
    }
    destroy(v);
    // observer hook: overlap end (of a version a second rotation cut out of previous())
    observers.overlapEnded(e.key, v.borrowed);
  }

  private void endOverlap(Entry e, Version previous) {
    synchronized (e) {
      if (e.previous != previous) {
        return;
      }
      e.previous = null;
      e.overlapTask = null;
    }
    destroy(previous);
    // observer hook: overlap end
    observers.overlapEnded(e.key, previous.borrowed);
    touch(e);
  }

  /**
   * Plans the entry's expiry from its state: a task at the last instant anything in it may be
   * served, plus a grace period, that drops the entry if it is still dead then. Called after every
   * change of state, outside the entry's monitor.
   */
  private void touch(Entry e) {
    if (e.removed || closed) {
      return;
    }
    long now = clock.millis();
    synchronized (e) {
      if (e.removed) {
        return;
      }
      long deadline = deadline(e);
      cancel(e.expireTask);
      e.expireTask = deadline == Long.MAX_VALUE ? null : schedule(Math.max(0, deadline - now), () -> expireIfDead(e));
    }
  }

  /** The instant past which nothing in the entry may be served. Holds e's monitor. */
  private static long deadline(Entry e) {
    Version v = e.current;
    long until = Long.MIN_VALUE;
    if (v != null) {
      until = plus(v.serveUntil, GRACE_MILLIS);
    } else if (e.notFound != null) {
      until = e.notFoundUntil;
    } else {
      // Loading, or a failed first load: long enough for a load, short enough not to linger.
      until = plus(e.idleSince, e.failures > 0 ? GRACE_MILLIS : TimeUnit.HOURS.toMillis(1));
    }
    if (e.previous != null) {
      until = Math.max(until, e.previousUntil);
    }
    return until;
  }

  /**
   * Drops an entry that nothing can be served from any more, atomically with respect to loads
   * that would revive it (which then see it removed and adopt a fresh entry). Counted as an
   * eviction; the removal listener zeroes what it held.
   */
  private void expireIfDead(Entry e) {
    long now = clock.millis();
    boolean[] dropped = {false};
    store.asMap().computeIfPresent(e.key, (k, held) -> {
      if (held != e) {
        return held;
      }
      synchronized (e) {
        if (e.inFlight != null || now < deadline(e)) {
          return held;
        }
        e.removed = true;
      }
      dropped[0] = true;
      return null;
    });
    if (dropped[0]) {
      evictions.increment();
      // observer hook: eviction (nothing left to serve)
      observers.evicted(e.key, e.current);
    }
  }

  private @Nullable ScheduledFuture<?> schedule(long delayMillis, Runnable task) {
    try {
      return scheduler.schedule(() -> {
        try {
          task.run();
        } catch (RuntimeException | Error unexpected) {
          log.error("a scheduled task of the secret cache over backend '{}' failed: {}", backend,
              unexpected.getClass().getName());
        }
      }, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException rejected) {
      if (!closed) {
        log.warn("the secret cache's scheduler refused a task; refreshes stop until it accepts again");
      }
      return null;
    }
  }

  private static void cancel(@Nullable ScheduledFuture<?> task) {
    if (task != null) {
      task.cancel(false);
    }
  }

  // ---------------------------------------------------------------- rotation listeners

  private void announce(RotationEvent event) {
    for (Registration r : listeners) {
      if (r.ref == null || r.ref.equals(event.ref())) {
        try {
          listenerExecutor.execute(() -> {
            try {
              r.listener.onRotation(event);
            } catch (RuntimeException | Error failure) {
              log.warn("a rotation listener ({}) failed on secret '{}' (version {}): {}; other listeners and the cache are unaffected",
                  r.listener.getClass().getName(), event.ref(), event.current().versionId(), failure.getClass().getName());
            }
          });
        } catch (RejectedExecutionException rejected) {
          log.warn("the listener executor refused the rotation event of secret '{}'", event.ref());
        }
      }
    }
  }

  @Override
  public Subscription onRotation(SecretRef ref, RotationListener listener) {
    Objects.requireNonNull(ref, "ref");
    return register(new Registration(ref.withoutField(), Objects.requireNonNull(listener, "listener")));
  }

  @Override
  public Subscription onRotation(RotationListener listener) {
    return register(new Registration(null, Objects.requireNonNull(listener, "listener")));
  }

  private Subscription register(Registration r) {
    checkOpen();
    listeners.add(r);
    return () -> listeners.remove(r);
  }

  // ---------------------------------------------------------------- bulk, forced, invalidation

  @Override
  public void prefetch(Collection<SecretRef> refs) {
    checkOpen();
    Set<SecretRef> wanted = new LinkedHashSet<>();
    long now = clock.millis();
    for (SecretRef ref : refs) {
      SecretRef key = ref.withoutField();
      Entry e = store.getIfPresent(key);
      Version v = e == null ? null : e.current;
      if (v == null || now >= v.endsAt) {
        wanted.add(key);
      }
    }
    if (wanted.isEmpty()) {
      return;
    }
    List<SecretRef> asked = List.copyOf(wanted);
    // observer hook: load start (prefetch)
    long started = CacheObservers.start();
    Map<SecretRef, SecretException> failed = new LinkedHashMap<>();
    BatchResult result;
    try {
      result = guard.call(null, () -> source.fetchAll(asked));
    } catch (SecretException all) {
      for (SecretRef key : asked) {
        failed.put(key, all);
        loadFailures.increment();
        // observer hook: load failed (prefetch)
        observers.loaded(key, true, null, all, started);
      }
      throw new PrefetchException(backend, asked.size(), failed);
    }
    for (Map.Entry<SecretRef, Secret> found : result.found().entrySet()) {
      if (!wanted.contains(found.getKey())) {
        destroyQuietly(found.getValue().value());
        continue;
      }
      Entry e = store.get(found.getKey(), newEntry);
      Version installed = install(e, found.getValue(), e.current == null ? null : Reason.BACKEND_CHANGED);
      loads.increment();
      // observer hook: load completed (prefetch)
      observers.loaded(e.key, true, installed.borrowed, null, started);
    }
    for (SecretRef key : asked) {
      if (result.found().containsKey(key)) {
        continue;
      }
      SecretException failure = result.failed().get(key);
      if (failure == null) {
        failure = new SecretNotFoundException("backend '" + backend + "' returned nothing for secret '" + key + "'", key);
      }
      failed.put(key, failure);
      Entry e = store.get(key, newEntry);
      onFailure(e, failure, true);
      // observer hook: load failed (prefetch)
      observers.loaded(key, true, null, failure, started);
    }
    if (!failed.isEmpty()) {
      throw new PrefetchException(backend, asked.size(), failed);
    }
  }

  @Override
  public CompletableFuture<Secret> refresh(SecretRef ref) {
    checkOpen();
    Entry e = store.get(ref.withoutField(), newEntry);
    return startLoad(e, Reason.FORCED, false).thenApply(v -> v.borrowed);
  }

  @Override
  public void invalidate(SecretRef ref) {
    checkOpen();
    store.invalidate(ref.withoutField());
  }

  @Override
  public CacheStats stats() {
    return new CacheStats(hits.sum(), misses.sum(), loads.sum(), loadFailures.sum(), refreshes.sum(),
        refreshFailures.sum(), rotations.sum(), staleServed.sum(), evictions.sum());
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Entry e : List.copyOf(store.asMap().values())) {
      clear(e);
    }
    store.invalidateAll();
    store.cleanUp();
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    if (ownedListenerExecutor != null) {
      ownedListenerExecutor.shutdown();
    }
    guard.close();
    log.debug("secret cache over backend '{}' closed", backend);
  }

  private void onRemoval(@Nullable SecretRef key, @Nullable Entry e, RemovalCause cause) {
    if (e == null || cause == RemovalCause.REPLACED) {
      return;
    }
    if (cause.wasEvicted()) {
      evictions.increment();
      // observer hook: eviction (size bound)
      observers.evicted(e.key, e.current);
    }
    clear(e);
  }

  /** Marks an entry removed, cancels its tasks and zeroes every version it holds. */
  private static void clear(Entry e) {
    Version current;
    Version previous;
    Map<Version, ScheduledFuture<?>> retired;
    synchronized (e) {
      e.removed = true;
      cancel(e.refreshTask);
      cancel(e.overlapTask);
      e.refreshTask = null;
      e.overlapTask = null;
      cancel(e.expireTask);
      e.expireTask = null;
      current = e.current;
      previous = e.previous;
      e.previous = null;
      retired = e.retired;
      e.retired = null;
      if (current != null) {
        current.cancelFlips();
      }
    }
    if (current != null) {
      destroy(current);
    }
    if (previous != null) {
      destroy(previous);
    }
    if (retired != null) {
      retired.forEach((version, end) -> {
        cancel(end);
        destroy(version);
      });
    }
  }

  private static void destroy(Version v) {
    destroyQuietly(v.value);
    // observer hook: zeroed (masked in logs for the retention period more, then forgotten)
    CacheObservers.zeroed(v.value);
  }

  private static void destroyQuietly(SecretValue value) {
    try {
      value.destroy();
    } catch (UnsupportedOperationException borrowedFromSource) {
      log.warn("a SecretSource returned a borrowed value; the cache cannot zero it");
    }
  }

  private void checkOpen() {
    if (closed) {
      throw closedError();
    }
  }

  private IllegalStateException closedError() {
    return new IllegalStateException("this SecretCache (backend '" + backend + "') is closed; build a new one");
  }

  @Override
  public String toString() {
    return "SecretCache[backend=" + backend + ", entries=" + store.estimatedSize() + (closed ? ", closed" : "") + "]";
  }

  // ---------------------------------------------------------------- state

  /** What the cache holds for one reference. */
  static final class Entry {
    final SecretRef key;
    volatile @Nullable Version current;
    volatile @Nullable Version previous;
    volatile long previousUntil;
    volatile @Nullable SecretException lastError;
    volatile long lastErrorAt;
    volatile @Nullable SecretNotFoundException notFound;
    volatile long notFoundUntil;
    /** When the entry was made or its last load failed, for entries that hold nothing. */
    volatile long idleSince;
    volatile boolean retryPending;
    volatile boolean removed;
    // Guarded by this.
    @Nullable CompletableFuture<Version> inFlight;
    @Nullable ScheduledFuture<?> refreshTask;
    @Nullable ScheduledFuture<?> overlapTask;
    @Nullable ScheduledFuture<?> expireTask;
    /** Versions cut out of previous() by a later rotation, zeroed when their own overlap ends. */
    @Nullable Map<Version, ScheduledFuture<?>> retired;
    volatile int failures;

    Entry(SecretRef key, long now) {
      this.key = key;
      this.idleSince = now;
    }
  }

  /** One version as held: the owned value, the borrowed secret handed out, and its times. */
  // observer hook: first-read mark (ObservedVersion holds it)
  static final class Version extends ObservedVersion {
    final SecretValue value;
    final Secret borrowed;
    final @Nullable Lease lease;
    final boolean renewable;
    final boolean hardEnd;
    final long fetchedAt;
    final long refreshAt;
    final long endsAt;
    final long serveUntil;
    /** {@link #FRESH} before {@code endsAt}, {@link #STALE} until {@code serveUntil}, then {@link #OVER}. */
    volatile int phase;
    // Guarded by the entry's monitor.
    @Nullable ScheduledFuture<?> staleFlip;
    @Nullable ScheduledFuture<?> overFlip;

    static final int FRESH = 0;
    static final int STALE = 1;
    static final int OVER = 2;

    private Version(SecretValue value, Secret borrowed, boolean renewable, long fetchedAt, long refreshAt,
        long endsAt, long serveUntil, boolean hardEnd) {
      this.value = value;
      this.borrowed = borrowed;
      this.lease = borrowed.lease().orElse(null);
      this.renewable = renewable;
      this.fetchedAt = fetchedAt;
      this.refreshAt = refreshAt;
      this.endsAt = endsAt;
      this.serveUntil = serveUntil;
      this.hardEnd = hardEnd;
      this.phase = fetchedAt < endsAt ? FRESH : fetchedAt < serveUntil ? STALE : OVER;
    }

    /** Moves the phase forward, never back (the tasks may run out of order). */
    synchronized void advance(int to) {
      if (phase < to) {
        phase = to;
      }
    }

    void cancelFlips() {
      cancel(staleFlip);
      cancel(overFlip);
      staleFlip = null;
      overFlip = null;
    }

    /** A fetched version whose value is {@code owned} (the fetched one, or the identical one held). */
    static Version of(Secret fetched, SecretValue owned, long now, DefaultSecretCache c, double fraction) {
      Secret borrowed = fetched.toBuilder().value(owned.borrow()).build();
      Lease lease = fetched.lease().orElse(null);
      return times(owned, borrowed, lease != null && lease.renewable(), now, c, fraction);
    }

    /** A version whose lease was renewed; {@code metadata} already carries the value's borrowed view. */
    static Version renewed(Secret metadata, SecretValue owned, long now, DefaultSecretCache c, double fraction,
        boolean renewable) {
      Secret borrowed = metadata.value().isBorrowed() ? metadata : metadata.toBuilder().value(owned.borrow()).build();
      return times(owned, borrowed, renewable, now, c, fraction);
    }

    private static Version times(SecretValue owned, Secret borrowed, boolean renewable, long now,
        DefaultSecretCache c, double fraction) {
      Lease lease = borrowed.lease().orElse(null);
      long hard = Long.MAX_VALUE;
      if (lease != null) {
        hard = millisOf(lease.expiresAt());
      }
      Optional<Instant> expiresAt = borrowed.expiresAt();
      if (expiresAt.isPresent()) {
        hard = Math.min(hard, millisOf(expiresAt.get()));
      }
      boolean hardEnd = hard != Long.MAX_VALUE;
      long endsAt = lease != null ? hard : Math.min(plus(now, c.defaultTtl), hard);
      long serveUntil = lease != null ? endsAt : Math.min(plus(endsAt, c.maxStale), hard);
      long life = Math.max(1, endsAt - now);
      long refreshAt = plus(now, Math.max(MIN_REFRESH_MILLIS, (long) (life * fraction)));
      Optional<Instant> rotation = borrowed.nextRotationAt();
      if (rotation.isPresent()) {
        long after = plus(millisOf(rotation.get()), AFTER_ROTATION_MILLIS);
        if (after > now && after < refreshAt) {
          refreshAt = after;
        }
      }
      return new Version(owned, borrowed, renewable, now, refreshAt, endsAt, serveUntil, hardEnd);
    }

    private static long millisOf(Instant i) {
      try {
        return i.toEpochMilli();
      } catch (ArithmeticException e) {
        return i.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
      }
    }
  }

  /** A rotation listener, for one reference or ({@code ref == null}) for all. */
  private static final class Registration {
    final @Nullable SecretRef ref;
    final RotationListener listener;

    Registration(@Nullable SecretRef ref, RotationListener listener) {
      this.ref = ref;
      this.listener = listener;
    }
  }
}
