package io.secretsdk.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.secretsdk.BatchResult;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretExpiredException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.cache.RotationEvent.Reason;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.resilience.internal.GuardedCalls;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SecretCache} that {@link SecretCache.Builder#build()} makes: the read paths, the
 * public operations, and the wiring of its parts. The parts, each in its own file:
 *
 * <ul>
 *   <li>{@link Entry} and {@link Version}: the state held for one secret and for one version of it;
 *   <li>{@link Planner}: when each next step happens and why (refresh, phase flips, retries,
 *       expiry, wall-clock steps);
 *   <li>{@link Loader}: every backend call (single flight, install, failure and backoff);
 *   <li>{@link Announcer}: rotation listeners, events and the ends of overlaps.
 * </ul>
 *
 * <p><b>Storage.</b> A Caffeine cache, bounded by {@code maximumSize}, maps each reference
 * (without field) to its {@link Entry}. An entry is keyed by the source's {@link
 * SecretSource#canonical canonical} form; other spellings of it (a reference without scheme) are
 * mapped to the same entry as aliases, so that the warm path needs no canonicalisation. Each entry
 * has its own expiry, a task of the {@link Planner}: Caffeine's own variable expiry would do the
 * same, but makes every read several times dearer than a plain lookup (see {@code
 * WarmGetBenchmark}).
 *
 * <p><b>Reads.</b> A read looks the entry up and returns the pre-built borrowed {@link Secret} of
 * its current {@link Version} while that version's phase says it may be served: no lock, no clock
 * read, no allocation, no backend. Anything else takes the slow path, which reads the clock and
 * joins the entry's one in-flight load.
 *
 * <p><b>Threads.</b> Timing (phase flips, expiry, overlap ends, the clock check) runs on the
 * scheduler. Backend calls for scheduled steps, {@code getAsync} and watch hints run on the load
 * executor: a pool of its own when the cache owns its scheduler, else the given scheduler.
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
   * almost expired, as with a skewed clock, is not called in a tight loop.
   */
  static final long MIN_REFRESH_MILLIS = 100;
  /** Renewal is asked to extend by the lease's ttl; a grant shorter than this fraction of it means a maximum is near. */
  static final double FULL_RENEWAL = 0.99;
  /** When renewal stops extending a lease, new credentials are fetched at this fraction of the rest. */
  static final double LEASE_END_FETCH_AT = 2.0 / 3.0;
  /** How long a value evicted for size, or loaded for an entry invalidated meanwhile, stays readable before it is zeroed. */
  static final long EVICTION_GRACE_MILLIS = TimeUnit.SECONDS.toMillis(1);
  /** How often the wall clock is compared with the scheduler's time. */
  static final long CLOCK_CHECK_MILLIS = TimeUnit.SECONDS.toMillis(1);
  /** How far the wall clock may drift from the scheduler in one check before it counts as a step. */
  static final long CLOCK_STEP_TOLERANCE_MILLIS = TimeUnit.SECONDS.toMillis(1);
  /** How long watch hints are gathered before the entries they name are refreshed. */
  static final long WATCH_COALESCE_MILLIS = 100;
  /** Threads of the cache's own load executor. */
  static final int LOAD_THREADS = 4;

  final SecretSource source;
  // observer hook: observers
  final CacheObservers observers;
  final Clock clock;
  final long defaultTtl;
  final double refreshAhead;
  final double refreshJitter;
  final long maxStale;
  final long overlap;
  final long negativeTtl;
  private final ResiliencePolicy resilience;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final @Nullable ExecutorService ownedLoads;
  private final @Nullable ExecutorService ownedListenerExecutor;
  private final Map<String, GuardedCalls> guards = new ConcurrentHashMap<>();
  private final Set<String> backends = ConcurrentHashMap.newKeySet();
  final Cache<SecretRef, Entry> store;
  final Planner planner;
  final Loader loader;
  final Announcer announcer;
  private final Function<SecretRef, Entry> newEntry;
  /** Versions no longer held but still readable for a grace period; zeroed then, or at close(). */
  private final Set<Version> dying = ConcurrentHashMap.newKeySet();
  private final Set<CompletableFuture<Secret>> pendingAsync = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<Predicate<SecretRef>> changes = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean changesPlanned = new AtomicBoolean();
  private final @Nullable ScheduledFuture<?> clockCheck;
  private volatile SecretSource.@Nullable Watch watch;
  volatile boolean closed;

  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder loads = new LongAdder();
  final LongAdder loadFailures = new LongAdder();
  final LongAdder refreshes = new LongAdder();
  final LongAdder refreshFailures = new LongAdder();
  final LongAdder rotations = new LongAdder();
  final LongAdder staleServed = new LongAdder();
  final LongAdder evictions = new LongAdder();

  DefaultSecretCache(SecretCache.Builder b) {
    // observer hook: observers (the source is wrapped so that every backend call is reported)
    this.observers = new CacheObservers(b.observers, b.source, b.clock);
    this.source = observers.observe(b.source);
    this.clock = b.clock;
    this.defaultTtl = saturatedMillis(b.defaultTtl);
    this.refreshAhead = b.refreshAhead;
    this.refreshJitter = b.refreshJitter;
    this.maxStale = saturatedMillis(b.maxStale);
    this.overlap = saturatedMillis(b.overlap);
    this.negativeTtl = saturatedMillis(b.negativeTtl);
    this.resilience = b.resilience;
    Executor loadExecutor;
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownsScheduler = false;
      this.ownedLoads = null;
      loadExecutor = b.scheduler;
    } else {
      // Timing only: backend calls run on the load threads, so that no backend, however slow,
      // delays the phase changes that end a value's life on time.
      ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, threads("secretsdk-cache-timer"));
      own.setRemoveOnCancelPolicy(true);
      this.scheduler = own;
      this.ownsScheduler = true;
      ThreadPoolExecutor pool = new ThreadPoolExecutor(LOAD_THREADS, LOAD_THREADS, 30, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), threads("secretsdk-cache-load"));
      pool.allowCoreThreadTimeOut(true);
      this.ownedLoads = pool;
      loadExecutor = pool;
    }
    Executor listenerExecutor;
    if (b.listenerExecutor != null) {
      listenerExecutor = b.listenerExecutor;
      this.ownedListenerExecutor = null;
    } else {
      ExecutorService own = Executors.newSingleThreadExecutor(threads("secretsdk-cache-listeners"));
      listenerExecutor = own;
      this.ownedListenerExecutor = own;
    }
    this.planner = new Planner(this, scheduler, b);
    this.loader = new Loader(this, loadExecutor);
    this.announcer = new Announcer(listenerExecutor);
    this.newEntry = key -> new Entry(key, schemeOf(key), clock.millis(), planner.ttlFor(key));
    this.store =
        Caffeine.newBuilder()
            // Aliases weigh nothing: maximumSize counts secrets, not spellings.
            .maximumWeight(b.maximumSize)
            .weigher((SecretRef k, Entry e) -> k == e.key || k.equals(e.key) ? 1 : 0)
            .executor(Runnable::run)
            .removalListener(this::onRemoval)
            .build();
    String probed = probeScheme();
    if (probed != null) {
      backends.add(probed);
    }
    this.clockCheck = planner.startClockCheck(b.clockCheckMillis);
    try {
      this.watch = source.watch(this::changed).orElse(null);
    } catch (RuntimeException failure) {
      log.warn("the secret source could not start watching for changes ({}); refreshes follow the schedule alone",
          failure.getClass().getName());
    }
  }

  private static ThreadFactory threads(String name) {
    AtomicLong count = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  static long saturatedMillis(Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  // ---------------------------------------------------------------- keys and backends

  /** The scheme a plain (scheme-less) reference would be served by, if the source says; for toString(). */
  private @Nullable String probeScheme() {
    try {
      return source.canonical(SecretRef.of("probe")).scheme().orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The canonical form of a reference without field: the key of its entry. */
  private SecretRef canonical(SecretRef key) {
    SecretRef canonical;
    try {
      canonical = source.canonical(key);
    } catch (RuntimeException unroutable) {
      return key;
    }
    return canonical == null ? key : canonical.withoutField();
  }

  private String schemeOf(SecretRef canonicalKey) {
    String scheme = canonicalKey.scheme().orElseGet(() -> Objects.requireNonNull(source.scheme(), "the source's scheme()"));
    backends.add(scheme);
    return scheme;
  }

  /**
   * The resilience guard of one backend scheme, made on first use from the one policy: each backend
   * has its own circuit breaker, bulkhead and call-timeout threads, so that one failing backend
   * never blocks another.
   */
  GuardedCalls guard(String scheme) {
    if (closed) {
      throw closedError();
    }
    return guards.computeIfAbsent(scheme, s -> GuardedCalls.of(resilience, s, clock));
  }

  /** The entry for a reference (without field), made if absent, with {@code key} mapped to it as an alias. */
  private Entry entryFor(SecretRef key) {
    SecretRef canonical = canonical(key);
    Entry e = store.get(canonical, newEntry);
    if (!canonical.equals(key)) {
      Entry prior = store.asMap().putIfAbsent(key, e);
      if (prior != null && prior != e) {
        if (!prior.removed || !store.asMap().replace(key, prior, e)) {
          return prior.removed ? e : prior;
        }
      }
      e.aliases.add(key);
      if (e.removed) {
        store.asMap().remove(key, e);
      }
    }
    return e;
  }

  /** The entry a reference names, if held, without making one. */
  private @Nullable Entry find(SecretRef ref) {
    SecretRef key = ref.withoutField();
    Entry e = store.getIfPresent(key);
    if (e == null || e.removed) {
      e = store.getIfPresent(canonical(key));
    }
    return e;
  }

  /** Removes the aliases of an entry that is gone. Never called from Caffeine's removal listener. */
  void dropAliases(Entry e) {
    for (SecretRef alias : List.copyOf(e.aliases)) {
      store.asMap().remove(alias, e);
      e.aliases.remove(alias);
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Secret get(SecretRef ref) {
    SecretRef key = ref.withoutField();
    Entry e = store.getIfPresent(key);
    if (e != null) {
      // The warm path: one field, set only while the current version is fresh (see Entry.fresh).
      // No closed check here: close() clears every entry's field before it zeroes anything.
      Secret fresh = e.fresh;
      if (fresh != null) {
        hits.increment();
        return fresh;
      }
      if (closed) {
        throw closedError();
      }
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
          if (v.read) {
            e.publish(v);
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
        if (e != null) {
          store.asMap().remove(key, e); // an alias left behind by a size eviction
        }
        e = entryFor(key);
      }
      Version v = e.current;
      if (v != null && now < v.serveUntil && v.phase != Version.OVER) {
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
      if (v == null && notFound != null && now < e.notFoundUntil) {
        throw remembered(e, notFound, now);
      }
      SecretException last = e.lastError;
      if (v == null && last != null && now < e.failFastUntil) {
        throw last;
      }
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
          throw unusable(e, v, now, last);
        }
      }
      try {
        Reason reason = v == null ? null : v.lease != null ? Reason.LEASE_ENDING : Reason.BACKEND_CHANGED;
        CompletableFuture<Version> load = loader.load(e, reason, Loader.Mode.READER, v);
        if (load == null) {
          e = null; // dropped meanwhile: read again from a fresh entry
          continue;
        }
        Version loaded = Loader.join(load);
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
          throw unusable(e, v, now, failure);
        }
        throw failure;
      }
    }
  }

  /** A not-found answer served from the negative cache, saying so. */
  private SecretNotFoundException remembered(Entry e, SecretNotFoundException notFound, long now) {
    long ago = Math.max(0, now - e.notFoundAt);
    return new SecretNotFoundException(
        notFound.getMessage() + " (remembered from a lookup " + Duration.ofMillis(ago).toSeconds()
            + " s ago; not-found answers are cached for negativeTtl " + Duration.ofMillis(negativeTtl) + ")",
        notFound.ref().orElse(e.key), notFound);
  }

  private SecretException unusable(Entry e, Version v, long now, SecretException cause) {
    if (v.hardEnd && now >= v.endsAt) {
      return new SecretExpiredException(
          "secret '" + e.key + "' (version " + v.versionId() + ") from backend '" + e.backend
              + "' expired at " + Planner.instantOf(v.endsAt) + " and could not be fetched again ("
              + cause.getClass().getSimpleName() + "); the cache keeps retrying",
          e.key,
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
    CompletableFuture<Secret> result = new CompletableFuture<>();
    pendingAsync.add(result);
    result.whenComplete((s, t) -> pendingAsync.remove(result));
    try {
      loader.execute(() -> {
        if (result.isDone()) {
          return;
        }
        try {
          result.complete(get(ref));
        } catch (RuntimeException | Error failure) {
          result.completeExceptionally(failure);
        }
      });
    } catch (RejectedExecutionException rejected) {
      result.completeExceptionally(closedError());
    }
    if (closed) {
      result.completeExceptionally(closedError());
    }
    return result;
  }

  @Override
  public Optional<Secret> previous(SecretRef ref) {
    checkOpen();
    Entry e = find(ref);
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

  // ---------------------------------------------------------------- watch hints

  /** A watch's hint, on the watch's thread: gathered, then handled on the scheduler. */
  private void changed(Predicate<SecretRef> affected) {
    if (closed || affected == null) {
      return;
    }
    changes.add(affected);
    if (changesPlanned.compareAndSet(false, true)) {
      if (planner.schedule(WATCH_COALESCE_MILLIS, this::refreshChanged) == null) {
        changesPlanned.set(false);
      }
    }
  }

  /** Starts a refresh (on the load executor) of each held entry some hint names. */
  private void refreshChanged() {
    changesPlanned.set(false);
    List<Predicate<SecretRef>> hints = new ArrayList<>();
    for (Predicate<SecretRef> p; (p = changes.poll()) != null; ) {
      hints.add(p);
    }
    if (hints.isEmpty() || closed) {
      return;
    }
    Map<Entry, Boolean> seen = new IdentityHashMap<>();
    for (Entry e : store.asMap().values()) {
      if (seen.put(e, Boolean.TRUE) != null || e.current == null || e.removed) {
        continue;
      }
      for (Predicate<SecretRef> hint : hints) {
        boolean hit;
        try {
          hit = hint.test(e.key);
        } catch (RuntimeException failure) {
          hit = true;
        }
        if (hit) {
          loader.changed(e);
          break;
        }
      }
    }
  }

  // ---------------------------------------------------------------- bulk, forced, invalidation

  @Override
  public Subscription onRotation(SecretRef ref, RotationListener listener) {
    Objects.requireNonNull(ref, "ref");
    checkOpen();
    return announcer.register(canonical(ref.withoutField()), listener);
  }

  @Override
  public Subscription onRotation(RotationListener listener) {
    checkOpen();
    return announcer.register(null, listener);
  }

  @Override
  public void prefetch(Collection<SecretRef> refs) {
    checkOpen();
    // canonical key -> the reference as the caller wrote it (without field), grouped by backend
    Map<String, Map<SecretRef, SecretRef>> wanted = new LinkedHashMap<>();
    long now = clock.millis();
    int asked = 0;
    for (SecretRef ref : refs) {
      SecretRef key = ref.withoutField();
      SecretRef canonical = canonical(key);
      Entry e = store.getIfPresent(canonical);
      Version v = e == null ? null : e.current;
      if (v == null || now >= v.endsAt) {
        Map<SecretRef, SecretRef> group = wanted.computeIfAbsent(schemeOf(canonical), s -> new LinkedHashMap<>());
        if (group.putIfAbsent(canonical, key) == null) {
          asked++;
        }
      }
    }
    if (wanted.isEmpty()) {
      return;
    }
    Map<SecretRef, SecretException> failed = new LinkedHashMap<>();
    for (Map.Entry<String, Map<SecretRef, SecretRef>> group : wanted.entrySet()) {
      prefetch(group.getKey(), group.getValue(), failed);
    }
    if (!failed.isEmpty()) {
      throw new PrefetchException(String.join(", ", new TreeSet<>(wanted.keySet())), asked, failed);
    }
  }

  private void prefetch(String scheme, Map<SecretRef, SecretRef> wanted, Map<SecretRef, SecretException> failed) {
    List<SecretRef> asked = List.copyOf(wanted.keySet());
    BatchResult result;
    // observer hook: load start (prefetch)
    long started = CacheObservers.start();
    try {
      result = guard(scheme).call(null, () -> source.fetchAll(asked));
    } catch (SecretException all) {
      for (SecretRef key : asked) {
        failed.put(wanted.get(key), all);
        loadFailures.increment();
        // observer hook: load failed (prefetch)
        observers.loaded(key, true, null, all, started);
      }
      return;
    }
    if (result == null) {
      result = new BatchResult(Map.of(), Map.of());
    }
    // One point of the refresh window for the whole batch: their refreshes stay aligned and are
    // checked together (see BatchedChecks).
    double fraction = planner.refreshFraction();
    for (Map.Entry<SecretRef, Secret> found : result.found().entrySet()) {
      SecretRef userRef = wanted.get(found.getKey());
      if (userRef == null) {
        destroyQuietly(found.getValue().value());
        continue;
      }
      Entry e = entryFor(userRef);
      try {
        Loader.Installed installed = loader.install(e, found.getValue(), e.current == null ? null : Reason.BACKEND_CHANGED,
            fraction);
        loads.increment();
        // observer hook: load completed (prefetch)
        observers.loaded(e.key, true, found.getValue(), null, started);
        installed.announce(this);
      } catch (RuntimeException unservable) {
        RuntimeException typed = Loader.typed(e, unservable);
        loader.onFailure(e, typed, true);
        // observer hook: load failed (prefetch)
        observers.loaded(e.key, true, null, typed, started);
        failed.put(userRef, (SecretException) typed);
      }
    }
    for (SecretRef key : asked) {
      if (result.found().containsKey(key)) {
        continue;
      }
      SecretException failure = result.failed().get(key);
      if (failure == null) {
        failure = new SecretNotFoundException("backend '" + scheme + "' returned nothing for secret '" + key + "'", key);
      }
      SecretRef userRef = wanted.get(key);
      failed.put(userRef, failure);
      loader.onFailure(entryFor(userRef), failure, true);
      // observer hook: load failed (prefetch)
      observers.loaded(key, true, null, failure, started);
    }
  }

  @Override
  public CompletableFuture<Secret> refresh(SecretRef ref) {
    checkOpen();
    SecretRef key = ref.withoutField();
    for (int attempt = 0; ; attempt++) {
      Entry e = entryFor(key);
      CompletableFuture<Version> load = loader.load(e, Reason.FORCED, Loader.Mode.FORCED, null);
      if (load != null) {
        return load.thenApply(v -> v.borrowed);
      }
      store.asMap().remove(key, e); // dropped meanwhile, maybe with an alias left behind
      if (attempt >= 3 || closed) {
        return CompletableFuture.failedFuture(closed ? closedError()
            : new SecretUnavailableException("secret '" + key + "' was dropped while a refresh started; try again", key));
      }
    }
  }

  @Override
  public void invalidate(SecretRef ref) {
    checkOpen();
    SecretRef key = ref.withoutField();
    SecretRef canonical = canonical(key);
    Entry e = store.asMap().remove(canonical);
    if (e == null) {
      e = store.asMap().remove(key);
      if (e != null && e.key.equals(key)) {
        e = null;
      }
      if (e != null) {
        store.asMap().remove(e.key, e);
      }
    }
    if (e != null) {
      dropAliases(e);
    }
  }

  @Override
  public CacheStats stats() {
    return new CacheStats(hits.sum(), misses.sum(), loads.sum(), loadFailures.sum(), refreshes.sum(),
        refreshFailures.sum(), rotations.sum(), staleServed.sum(), evictions.sum());
  }

  @Override
  public CacheSnapshot snapshot() {
    checkOpen();
    return Snapshots.take(clock.millis(), store.asMap().values(), Set.copyOf(backends), Map.copyOf(guards),
        resilience.circuitBreaker().isPresent(), stats());
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Planner.cancel(clockCheck);
    SecretSource.Watch w = watch;
    watch = null;
    if (w != null) {
      try {
        w.close();
      } catch (RuntimeException failure) {
        log.debug("closing the source's watch failed: {}", failure.getClass().getName());
      }
    }
    for (CompletableFuture<Secret> pending : List.copyOf(pendingAsync)) {
      pending.completeExceptionally(closedError());
    }
    for (Entry e : List.copyOf(store.asMap().values())) {
      clear(e, false);
    }
    store.invalidateAll();
    store.cleanUp();
    for (Version v : List.copyOf(dying)) {
      dying.remove(v);
      destroy(v);
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    if (ownedLoads != null) {
      ownedLoads.shutdownNow();
    }
    if (ownedListenerExecutor != null) {
      ownedListenerExecutor.shutdown();
    }
    for (GuardedCalls g : guards.values()) {
      g.close();
    }
    log.debug("secret cache over {} closed", backendsText());
  }

  private void onRemoval(@Nullable SecretRef key, @Nullable Entry e, RemovalCause cause) {
    if (e == null || key == null || cause == RemovalCause.REPLACED) {
      return;
    }
    if (!key.equals(e.key)) {
      e.aliases.remove(key); // an alias went; the entry stays
      return;
    }
    if (cause.wasEvicted()) {
      evictions.increment();
      // observer hook: eviction (size bound)
      observers.evicted(e.key, e.current);
    }
    // Evicted for size: readers may be reading it this very moment, zero it after a grace period.
    // Invalidated, expired or closed: zero it now.
    clear(e, cause == RemovalCause.SIZE && !closed);
    if (cause == RemovalCause.SIZE && !e.aliases.isEmpty()) {
      planner.schedule(0, () -> dropAliases(e));
    }
  }

  /** Marks an entry removed, cancels its tasks and zeroes every version it holds (after a grace if {@code deferred}). */
  private void clear(Entry e, boolean deferred) {
    List<Version> versions = new ArrayList<>(3);
    synchronized (e) {
      e.removed = true;
      Planner.cancel(e.refreshTask);
      Planner.cancel(e.overlapTask);
      Planner.cancel(e.expireTask);
      e.refreshTask = null;
      e.overlapTask = null;
      e.expireTask = null;
      Version current = e.current;
      // Nulled, so that a load racing this never builds on a value about to be zeroed.
      e.current = null;
      e.fresh = null;
      if (current != null) {
        current.cancelFlips();
        versions.add(current);
      }
      if (e.previous != null) {
        versions.add(e.previous);
      }
      e.previous = null;
      if (e.retired != null) {
        e.retired.forEach((version, r) -> {
          Planner.cancel(r.end);
          versions.add(version);
        });
      }
      e.retired = null;
    }
    for (Version v : versions) {
      if (deferred) {
        destroyLater(v);
      } else {
        destroy(v);
      }
    }
  }

  /** Zeroes a version after the eviction grace (at once if the scheduler refuses; at close() at the latest). */
  private void destroyLater(Version v) {
    dying.add(v);
    ScheduledFuture<?> task = planner.schedule(EVICTION_GRACE_MILLIS, () -> {
      if (dying.remove(v)) {
        destroy(v);
      }
    });
    if (task == null || closed) {
      dying.remove(v);
      destroy(v);
    }
  }

  /**
   * A load finished for an entry removed meanwhile (invalidated, evicted, closed): invalidation
   * wins. The readers who waited for that load get its answer, but it is not kept: it is zeroed
   * after the eviction grace, and the next read fetches again.
   */
  void orphaned(Entry e, Version installed) {
    synchronized (e) {
      if (e.current == installed) {
        e.current = null;
        e.fresh = null;
      }
      installed.cancelFlips();
    }
    if (closed) {
      destroy(installed);
      throw closedError();
    }
    destroyLater(installed);
  }

  /** Whether a value object is one the entry already owns (current, previous or retired). */
  boolean holds(Entry e, SecretValue value) {
    synchronized (e) {
      Version v = e.current;
      if (v != null && v.value == value) {
        return true;
      }
      Version p = e.previous;
      if (p != null && p.value == value) {
        return true;
      }
      if (e.retired != null) {
        for (Version r : e.retired.keySet()) {
          if (r.value == value) {
            return true;
          }
        }
      }
    }
    return false;
  }

  static void destroy(Version v) {
    destroyQuietly(v.value);
    // observer hook: zeroed (masked in logs for the retention period more, then forgotten)
    CacheObservers.zeroed(v.value);
  }

  static void destroyQuietly(SecretValue value) {
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

  IllegalStateException closedError() {
    return new IllegalStateException("this SecretCache (" + backendsText() + ") is closed; build a new one");
  }

  private String backendsText() {
    Set<String> names = new TreeSet<>(backends);
    return names.size() == 1 ? "backend '" + names.iterator().next() + "'" : "backends " + names;
  }

  @Override
  public String toString() {
    return "SecretCache[backends=" + new TreeSet<>(backends) + ", entries=" + store.estimatedSize()
        + (closed ? ", closed" : "") + "]";
  }
}
