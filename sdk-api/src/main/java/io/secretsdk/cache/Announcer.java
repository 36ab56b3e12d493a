package io.secretsdk.cache;

import io.secretsdk.SecretRef;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The announcer: rotation listeners and their events, and the ends of overlaps.
 *
 * <p>An event is announced after the load that made it has finished (its future completed, the
 * entry's in-flight slot free), so a listener, even one on a direct executor, may call back into
 * the cache, {@code refresh(sameRef).join()} included. Listeners registered for a reference hear
 * the events of its canonical form, so {@code db} and {@code file://db} hear the same one.
 *
 * <p>A replaced version stays readable as {@code previous()} until its overlap ends, then is
 * zeroed. A version cut out by a second rotation within one overlap is no longer {@code
 * previous()}, but stays unzeroed (for readers who hold it) until the end its own event promised.
 */
final class Announcer {
  private static final Logger log = LoggerFactory.getLogger(SecretCache.class);

  private final List<Registration> listeners = new CopyOnWriteArrayList<>();
  private final Executor executor;

  Announcer(Executor executor) {
    this.executor = executor;
  }

  void announce(RotationEvent event) {
    for (Registration r : listeners) {
      if (r.ref == null || r.ref.equals(event.ref())) {
        try {
          executor.execute(() -> {
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

  /** Registers a listener for one canonical reference, or ({@code key == null}) for all. */
  Subscription register(@Nullable SecretRef key, RotationListener listener) {
    Registration r = new Registration(key, Objects.requireNonNull(listener, "listener"));
    listeners.add(r);
    return () -> listeners.remove(r);
  }

  /** Ends the overlap of {@code previous}, if it is still the entry's previous version. */
  void endOverlap(Entry e, Version previous, CacheObservers observers) {
    synchronized (e) {
      if (e.previous != previous) {
        return;
      }
      e.previous = null;
      e.overlapTask = null;
    }
    DefaultSecretCache.destroy(previous);
    // observer hook: overlap end
    observers.overlapEnded(e.key, previous.borrowed);
  }

  /** Zeroes a version that a later rotation cut out of previous(), once its promised overlap ends. */
  static void retire(Entry e, Version v, CacheObservers observers) {
    synchronized (e) {
      if (e.retired == null || e.retired.remove(v) == null) {
        return;
      }
    }
    DefaultSecretCache.destroy(v);
    // observer hook: overlap end (of a version a second rotation cut out of previous())
    observers.overlapEnded(e.key, v.borrowed);
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
