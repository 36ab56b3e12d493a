package io.secretsdk.cache;

import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretExpiredException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionCheck;
import io.secretsdk.cache.RotationEvent.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loader: every backend call the cache makes, and what it does with the answer.
 *
 * <ul>
 *   <li><b>Single flight.</b> An entry has at most one load in flight; readers, {@code refresh()}
 *       and scheduled steps join it.
 *   <li><b>Where calls run.</b> A cold read and {@code refresh()} call the backend on the caller's
 *       thread; scheduled steps, {@code getAsync} and watch hints on the load executor, never on the
 *       scheduler's timing threads (when the cache owns its scheduler) and never on a watch's thread.
 *   <li><b>Install.</b> The same version keeps the value held (readers may hold it) and its parsed
 *       fields, and adopts the new metadata; another version is a rotation: the old one becomes
 *       previous for the overlap. An answer that cannot be installed (null, already over) is a
 *       failure, retried like any other, and whatever was fetched is zeroed.
 *   <li><b>Checks.</b> A scheduled refresh of an unleased value is a version check, batched with
 *       the other entries of its backend due soon ({@link BatchedChecks}); an unchanged version
 *       keeps the held value and only moves its plan ({@link #confirm}), without a fetch.
 *   <li><b>Failure.</b> The held value keeps being served; the step is retried with the {@link
 *       Planner}'s backoff. Not-found answers of entries holding nothing are remembered for {@code
 *       negativeTtl}.
 * </ul>
 */
final class Loader {
  private static final Logger log = LoggerFactory.getLogger(SecretCache.class);

  private final DefaultSecretCache c;
  private final Executor loads;
  private final BatchedChecks batches;

  Loader(DefaultSecretCache c, Executor loads) {
    this.c = c;
    this.loads = loads;
    this.batches = new BatchedChecks(c, this);
  }

  /** Runs a task that may call the backend on the load executor. */
  void execute(Runnable task) {
    loads.execute(task);
  }

  /** How a load was asked for. */
  enum Mode {
    /** A reader found nothing usable: run here; a version installed meanwhile is the answer. */
    READER,
    /** refresh(): run here, whatever is held. */
    FORCED,
    /** A scheduled step: run on the load executor. */
    SCHEDULED
  }

  /**
   * Starts (or joins) the entry's one load. For a reader who found {@code seen} unusable, a version
   * installed meanwhile by another load is the answer and the backend is not called. Returns {@code
   * null} if the entry was removed: the caller looks it up again.
   */
  @Nullable CompletableFuture<Version> load(Entry e, @Nullable Reason reason, Mode mode, @Nullable Version seen) {
    CompletableFuture<Version> f;
    synchronized (e) {
      if (e.inFlight != null) {
        return e.inFlight;
      }
      if (e.removed) {
        // Dropped meanwhile (expired, invalidated, evicted): the caller starts again with a fresh
        // entry. An entry with a load in flight is never dropped as expired, so a load's answer is
        // lost only to an explicit invalidation, eviction or close.
        return null;
      }
      Version now = e.current;
      if (mode == Mode.READER && now != null && now != seen && now.phase != Version.OVER) {
        return CompletableFuture.completedFuture(now);
      }
      f = new CompletableFuture<>();
      e.inFlight = f;
    }
    if (mode == Mode.SCHEDULED) {
      try {
        loads.execute(() -> run(e, f, reason));
      } catch (RejectedExecutionException rejected) {
        finish(e, f);
        f.completeExceptionally(c.closedError());
      }
    } else {
      run(e, f, reason);
    }
    return f;
  }

  /** The scheduled step of an installed version: a renewal, a version check or a fetch. */
  void scheduledStep(Entry e, Version v) {
    if (c.closed || e.removed || e.current != v) {
      return;
    }
    synchronized (e) {
      e.retryPending = false;
    }
    if (v.lease != null && v.renewable) {
      try {
        loads.execute(() -> renew(e, v));
      } catch (RejectedExecutionException closed) {
        // closing
      }
    } else if (v.lease == null) {
      // A version check, batched with every entry of this backend due soon (see BatchedChecks).
      try {
        loads.execute(() -> batches.refresh(e, v));
      } catch (RejectedExecutionException closed) {
        // closing
      }
    } else {
      load(e, Reason.LEASE_ENDING, Mode.SCHEDULED, v);
    }
  }

  /** A watch said the entry may have changed: fetch soon, off the watch's thread. */
  void changed(Entry e) {
    Version v = e.current;
    if (v == null || e.removed || c.closed) {
      return;
    }
    load(e, Reason.BACKEND_CHANGED, Mode.SCHEDULED, null);
  }

  private void run(Entry e, CompletableFuture<Version> f, @Nullable Reason reason) {
    Installed done;
    // observer hook: load start
    long started = CacheObservers.start();
    try {
      Secret fetched = c.guard(e.backend).call(e.key, () -> c.source.fetch(e.key));
      done = install(e, fetched, reason);
    } catch (RuntimeException | Error failure) {
      finish(e, f);
      Throwable reported = failure instanceof Error ? failure : typed(e, (RuntimeException) failure);
      onFailure(e, reported, reason == null);
      // observer hook: load failed
      c.observers.loaded(e.key, reason == null, null, reported, started);
      f.completeExceptionally(reported);
      return;
    }
    finish(e, f);
    (reason == null ? c.loads : c.refreshes).increment();
    // observer hook: load completed
    c.observers.loaded(e.key, reason == null, done.version.borrowed, null, started);
    f.complete(done.version);
    // Announced only now, with the load finished: a listener may call back into the cache.
    done.announce(c);
  }

  /** A non-SDK exception from a backend call, as the typed error readers get. */
  static RuntimeException typed(Entry e, RuntimeException failure) {
    if (failure instanceof SecretException) {
      return failure;
    }
    return new SecretUnavailableException(
        "backend '" + e.backend + "' failed for secret '" + e.key + "' (" + failure.getClass().getName()
            + "); check the backend client's state and configuration",
        e.key, failure);
  }

  /**
   * Confirms the held version {@code v} after a check found it unchanged: a new {@link Version}
   * over the same value, borrowed secret and parsed fields (new ones only if the check reports a
   * new expiry or rotation time), planned at {@code fraction} of its new lifetime. If the entry
   * changed or went meanwhile, nothing is installed and what it holds is returned.
   */
  Version confirm(Entry e, Version v, VersionCheck check, double fraction) {
    Secret borrowed = v.borrowed;
    boolean newExpiry = check.expiresAt().isPresent() && !check.expiresAt().equals(borrowed.expiresAt());
    boolean newRotation = check.nextRotationAt().isPresent() && !check.nextRotationAt().equals(borrowed.nextRotationAt());
    if (newExpiry || newRotation) {
      Secret.Builder b = borrowed.toBuilder().value(borrowed.value());
      check.expiresAt().ifPresent(b::expiresAt);
      check.nextRotationAt().ifPresent(b::nextRotationAt);
      borrowed = b.build();
    }
    long now = c.clock.millis();
    Version next = c.planner.version(v.value, borrowed, false, now, fraction, e.ttl);
    if (next.phase == Version.OVER) {
      throw expiredAnswer(e, next);
    }
    synchronized (e) {
      if (e.current != v || e.removed || c.closed || v.value.isDestroyed()) {
        Version held = e.current;
        return held != null ? held : v;
      }
      // observer hook: a confirmed version keeps its first-read mark
      next.inheritRead(v);
      v.cancelFlips();
      e.current = next;
      e.fresh = null;
      e.failures = 0;
      e.lastError = null;
      e.retryPending = false;
      c.planner.planNext(e, next, now);
    }
    log.debug("secret '{}' from backend '{}' is still version {}; next step at {}", e.key, e.backend,
        next.versionId(), Planner.instantOf(next.refreshAt));
    c.planner.touch(e);
    return next;
  }

  static void finish(Entry e, CompletableFuture<Version> f) {
    synchronized (e) {
      if (e.inFlight == f) {
        e.inFlight = null;
      }
    }
  }

  static Version join(CompletableFuture<Version> f) {
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

  /** What an install did: the version now current, and the event to announce once the load is done. */
  static final class Installed {
    final Version version;
    final @Nullable RotationEvent event;
    final boolean orphan;

    Installed(Version version, @Nullable RotationEvent event, boolean orphan) {
      this.version = version;
      this.event = event;
      this.orphan = orphan;
    }

    void announce(DefaultSecretCache c) {
      if (event != null && !orphan) {
        c.announcer.announce(event);
        // observer hook: rotation
        c.observers.rotated(event);
      }
    }
  }

  /**
   * Makes a fetched secret the entry's current version. The same version keeps the held value and
   * its parsed fields (readers may hold them) and adopts the new metadata; another version is a
   * rotation. An answer that cannot be served is zeroed and thrown as the failure it is.
   */
  Installed install(Entry e, @Nullable Secret fetched, @Nullable Reason reason) {
    return install(e, fetched, reason, c.planner.refreshFraction());
  }

  /**
   * {@link #install(Entry, Secret, Reason)} at a given point of the refresh window: secrets
   * fetched together share one, so that their next steps stay aligned and are batched again.
   */
  Installed install(Entry e, @Nullable Secret fetched, @Nullable Reason reason, double fraction) {
    if (fetched == null) {
      throw new SecretFormatException("backend '" + e.backend + "' answered nothing (null) for secret '" + e.key
          + "'; this is a bug of its SecretSource", e.key);
    }
    SecretValue fetchedValue = fetched.value();
    long now = c.clock.millis();
    List<Version> toDestroy = new ArrayList<>(2);
    RotationEvent event = null;
    Version installed;
    boolean orphan;
    boolean keepFetched = false;
    try {
      synchronized (e) {
        orphan = e.removed || c.closed;
        Version old = e.current;
        boolean sameVersion = old != null && old.versionId().equals(fetched.versionId()) && !old.value.isDestroyed();
        if (sameVersion) {
          installed = c.planner.version(old.value, sameVersion(old.borrowed, fetched), renewable(fetched), now,
              fraction, e.ttl);
          // observer hook: the same version keeps its first-read mark
          installed.inheritRead(old);
        } else {
          SecretValue owned = fetchedValue;
          if (c.holds(e, owned)) {
            // The source handed out again a value object the cache already owns under another
            // version: keep a copy of its own, so that zeroing either never zeroes the other.
            owned = copy(owned);
          }
          installed = c.planner.version(owned, fetched.toBuilder().value(owned.borrow()).build(), renewable(fetched),
              now, fraction, e.ttl);
        }
        if (installed.phase == Version.OVER) {
          if (!sameVersion) {
            toDestroy.add(installed);
          }
          throw expiredAnswer(e, installed);
        }
        if (!sameVersion && old != null) {
          long until = Math.min(Planner.plus(now, c.overlap), old.hardEnd ? old.endsAt : Long.MAX_VALUE);
          Version older = e.previous;
          if (older != null) {
            // A second rotation within one overlap: `older` is no longer previous(), but the event
            // that announced it promised it readable until its overlap end; readers may hold it.
            long olderUntil = e.previousUntil;
            ScheduledFuture<?> end = olderUntil > now && !orphan
                ? c.planner.schedule(olderUntil - now, () -> {
                    Announcer.retire(e, older, c.observers);
                    c.planner.touch(e);
                  })
                : null;
            if (end != null) {
              e.retire(older, olderUntil, end);
            } else {
              toDestroy.add(older);
            }
          }
          Planner.cancel(e.overlapTask);
          e.overlapTask = null;
          if (until > now && !orphan) {
            e.previous = old;
            e.previousUntil = until;
            e.overlapTask = c.planner.schedule(until - now, () -> {
              c.announcer.endOverlap(e, old, c.observers);
              c.planner.touch(e);
            });
          } else {
            e.previous = null;
            toDestroy.add(old);
          }
          event = new RotationEvent(e.key, Optional.of(old.borrowed), installed.borrowed,
              Planner.instantOf(Math.max(until, now)), reason == null ? Reason.BACKEND_CHANGED : reason);
        }
        if (old != null) {
          old.cancelFlips();
        }
        e.current = installed;
        e.fresh = null;
        if (!sameVersion) {
          // observer hook: install (registers the new value for log masking, if enabled)
          CacheObservers.installed(e.key, installed.value, installed.borrowed);
        }
        keepFetched = installed.value == fetchedValue;
        e.failures = 0;
        e.lastError = null;
        e.failFastUntil = 0;
        e.notFound = null;
        e.retryPending = false;
        if (!orphan) {
          c.planner.planNext(e, installed, now);
        }
      }
    } finally {
      if (!keepFetched && !c.holds(e, fetchedValue)) {
        DefaultSecretCache.destroyQuietly(fetchedValue);
      }
      toDestroy.forEach(DefaultSecretCache::destroy);
    }
    if (event != null) {
      c.rotations.increment();
      log.info("secret '{}' from backend '{}' rotated: version {} -> {} ({}); the previous stays readable until {}",
          e.key, e.backend, event.previous().map(Secret::versionId).orElse("-"), installed.versionId(),
          event.reason(), event.overlapUntil());
    }
    if (orphan) {
      c.orphaned(e, installed);
    } else {
      c.planner.touch(e);
    }
    return new Installed(installed, event, orphan);
  }

  private static boolean renewable(Secret s) {
    Lease lease = s.lease().orElse(null);
    return lease != null && lease.renewable();
  }

  /**
   * The borrowed secret for a same-version answer: the held one when the metadata is unchanged,
   * else the new metadata over the held value, sharing the fields already parsed from it.
   */
  private static Secret sameVersion(Secret held, Secret fetched) {
    boolean sameMeta = held.lease().equals(fetched.lease()) && held.expiresAt().equals(fetched.expiresAt())
        && held.nextRotationAt().equals(fetched.nextRotationAt()) && held.createdAt().equals(fetched.createdAt())
        && held.stages().equals(fetched.stages()) && held.labels().equals(fetched.labels())
        && held.metadata().equals(fetched.metadata());
    if (sameMeta) {
      return held;
    }
    boolean dropsSomething = (held.lease().isPresent() && fetched.lease().isEmpty())
        || (held.expiresAt().isPresent() && fetched.expiresAt().isEmpty())
        || (held.nextRotationAt().isPresent() && fetched.nextRotationAt().isEmpty())
        || (held.createdAt().isPresent() && fetched.createdAt().isEmpty());
    if (dropsSomething) {
      // A builder cannot unset a part: start from the answer (its fields will be parsed once more).
      return fetched.toBuilder().value(held.value()).build();
    }
    Secret.Builder b = held.toBuilder().value(held.value()).stages(fetched.stages()).labels(fetched.labels())
        .metadata(fetched.metadata());
    fetched.lease().ifPresent(b::lease);
    fetched.expiresAt().ifPresent(b::expiresAt);
    fetched.nextRotationAt().ifPresent(b::nextRotationAt);
    fetched.createdAt().ifPresent(b::createdAt);
    return b.build();
  }

  static SecretValue copy(SecretValue v) {
    return v.isBinary() ? v.withBytes(SecretValue::copyOfBinary) : SecretValue.wrap(v.toCharArray());
  }

  private SecretExpiredException expiredAnswer(Entry e, Version v) {
    return new SecretExpiredException(
        "backend '" + e.backend + "' answered secret '" + e.key + "' with version " + v.versionId()
            + ", which was already over at " + Planner.instantOf(v.serveUntil) + " (fetched at "
            + Instant.ofEpochMilli(v.fetchedAt) + "); check the backend's lease settings and that this host's clock"
            + " agrees with the backend's; the cache asks again after a backoff",
        e.key);
  }

  private void renew(Entry e, Version v) {
    Lease lease = Objects.requireNonNull(v.lease);
    Lease renewed;
    // observer hook: renewal start
    long started = CacheObservers.start();
    try {
      renewed = c.guard(e.backend).call(e.key, () -> c.source.renew(lease, lease.ttl()));
      if (renewed == null) {
        throw new SecretFormatException("backend '" + e.backend + "' answered a renewal of the lease of secret '"
            + e.key + "' with nothing (null)", e.key);
      }
    } catch (SecretUnavailableException transientFailure) {
      onFailure(e, transientFailure, false);
      // observer hook: renewal failed
      c.observers.renewed(e.key, v.versionId(), transientFailure, started);
      return;
    } catch (RuntimeException notRenewable) {
      // observer hook: renewal failed
      c.observers.renewed(e.key, v.versionId(), notRenewable, started);
      // Unsupported, revoked, denied: fetch new credentials instead.
      log.debug("renewal of the lease of secret '{}' from backend '{}' failed ({}); fetching new credentials",
          e.key, e.backend, notRenewable.getClass().getSimpleName());
      load(e, Reason.LEASE_ENDING, Mode.FORCED, null);
      return;
    }
    c.refreshes.increment();
    // observer hook: renewal completed
    c.observers.renewed(e.key, v.versionId(), null, started);
    long now = c.clock.millis();
    long oldEnd = Planner.leaseEnd(lease);
    boolean extended = Planner.leaseEnd(renewed) > oldEnd;
    boolean full = DefaultSecretCache.saturatedMillis(renewed.ttl())
        >= DefaultSecretCache.saturatedMillis(lease.ttl()) * DefaultSecretCache.FULL_RENEWAL;
    boolean keepRenewing = extended && full && renewed.renewable();
    Version next;
    synchronized (e) {
      if (e.current != v || e.removed || c.closed) {
        return;
      }
      Secret borrowed = extended
          ? v.borrowed.toBuilder().lease(renewed).value(v.borrowed.value()).build()
          : v.borrowed;
      next = c.planner.version(v.value, borrowed, keepRenewing, now,
          keepRenewing ? c.planner.refreshFraction() : c.planner.leaseEndFetchAt, e.ttl);
      // observer hook: a renewed version keeps its first-read mark
      next.inheritRead(v);
      v.cancelFlips();
      e.current = next;
      e.fresh = null;
      e.failures = 0;
      e.lastError = null;
      c.planner.planNext(e, next, now);
    }
    if (!keepRenewing) {
      log.debug("the lease of secret '{}' from backend '{}' can no longer be extended; new credentials at {}",
          e.key, e.backend, Planner.instantOf(next.refreshAt));
    }
    c.planner.touch(e);
  }

  void onFailure(Entry e, Throwable failure, boolean coldLoad) {
    long now = c.clock.millis();
    SecretException error = failure instanceof SecretException ? (SecretException) failure : null;
    Version v;
    long retryIn = -1;
    int failures;
    synchronized (e) {
      v = e.current;
      if (v == null) {
        e.failures++;
        e.lastError = error;
        e.lastErrorAt = now;
        e.idleSince = now;
        if (failure instanceof SecretNotFoundException && c.negativeTtl > 0) {
          e.notFound = (SecretNotFoundException) failure;
          e.notFoundAt = now;
          e.notFoundUntil = Planner.plus(now, c.negativeTtl);
        }
        if (failure instanceof SecretExpiredException) {
          // The backend answered, with something already over: do not ask it again on every read.
          e.failFastUntil = Planner.plus(now, Planner.coldBackoff(e.failures));
        }
      } else {
        e.lastError = error != null ? error
            : new SecretUnavailableException("backend '" + e.backend + "' failed for secret '" + e.key + "'", e.key, failure);
        e.lastErrorAt = now;
        e.failures++;
        retryIn = c.planner.backoff(e.failures, v, now, failure);
        if (retryIn >= 0 && !e.removed && !c.closed) {
          Planner.cancel(e.refreshTask);
          Version held = v;
          e.refreshTask = c.planner.schedule(retryIn, () -> scheduledStep(e, held));
          e.retryPending = true;
        } else {
          e.retryPending = false;
        }
      }
      failures = e.failures;
    }
    if (coldLoad && v == null) {
      c.loadFailures.increment();
    } else {
      c.refreshFailures.increment();
    }
    if (v != null && (failures == 1 || retryIn < 0)) {
      log.warn("refresh of secret '{}' from backend '{}' failed ({}: {}); serving version {} until {}{}",
          e.key, e.backend, failure.getClass().getSimpleName(), failure.getMessage(), v.versionId(),
          Planner.instantOf(v.serveUntil),
          retryIn >= 0 ? ", retrying in " + Duration.ofMillis(retryIn) : ", no further retry before then");
    } else if (v != null) {
      log.debug("refresh of secret '{}' from backend '{}' failed again ({} in a row, {}); retrying in {}",
          e.key, e.backend, failures, failure.getClass().getSimpleName(), Duration.ofMillis(retryIn));
    } else {
      log.debug("load of secret '{}' from backend '{}' failed: {}", e.key, e.backend, failure.getClass().getSimpleName());
    }
    c.planner.touch(e);
  }
}
