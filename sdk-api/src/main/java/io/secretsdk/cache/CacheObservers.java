package io.secretsdk.cache;

import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretValue;
import io.secretsdk.observe.BackendCall;
import io.secretsdk.observe.Outcome;
import io.secretsdk.observe.SecretEvent;
import io.secretsdk.observe.SecretEvent.Kind;
import io.secretsdk.observe.SecretObserver;
import io.secretsdk.observe.internal.ExpiredEvent;
import io.secretsdk.observe.internal.FirstReadEvent;
import io.secretsdk.observe.internal.MaskRegistry;
import io.secretsdk.observe.internal.RotationJfrEvent;
import java.net.URL;
import java.security.CodeSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a cache tells its observers, Flight Recorder and the masking registry: one call per hook in
 * {@link DefaultSecretCache}, each a few lines here so that the cache's own code stays as it was.
 * Every observer call is isolated: one that throws is logged (its class and the exception's type)
 * and the others still run.
 */
final class CacheObservers {
  private static final Logger log = LoggerFactory.getLogger(SecretObserver.class);
  /** Fields of a JSON secret not masked: the non-secret parts of a database secret. */
  static final Set<String> NOT_SECRET = Set.of("username", "user", "host", "port", "dbname", "engine");
  /** How many frames the first-read event's caller search looks at. */
  static final int CALLER_DEPTH = 24;
  private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
  private static final @Nullable String OWN_CODE = codeOf(CacheObservers.class);

  private final SecretObserver[] observers;
  private final SecretSource source;
  private final String backend;
  private final Clock clock;
  private final Set<Class<?>> warned = ConcurrentHashMap.newKeySet();

  CacheObservers(List<SecretObserver> observers, SecretSource source, Clock clock) {
    this.observers = observers.toArray(new SecretObserver[0]);
    this.source = source;
    this.backend = source.scheme();
    this.clock = clock;
  }

  /** Wraps the cache's source so that every backend call is reported. */
  SecretSource observe(SecretSource raw) {
    return new ObservedSource(raw, this);
  }

  boolean any() {
    return observers.length > 0;
  }

  String schemeOf(SecretRef ref) {
    try {
      return source.canonical(ref).scheme().orElse(backend);
    } catch (RuntimeException e) {
      return backend;
    }
  }

  static long start() {
    return System.nanoTime();
  }

  // ------------------------------------------------------------ hooks

  void backendCall(BackendCall call) {
    for (SecretObserver o : observers) {
      try {
        o.onBackendCall(call);
      } catch (RuntimeException | LinkageError failure) {
        isolate(o, "a backend call", failure);
      }
    }
  }

  /** A load (cold) or refresh ended; {@code loaded} is what was installed, null on failure. */
  void loaded(SecretRef key, boolean cold, @Nullable Secret loaded, @Nullable Throwable failure, long startNanos) {
    if (any()) {
      emit(cold ? Kind.LOADED : Kind.REFRESHED, key, loaded == null ? null : loaded.versionId(), null,
          System.nanoTime() - startNanos, failure, null);
    }
  }

  /** A lease renewal ended. */
  void renewed(SecretRef key, String versionId, @Nullable Throwable failure, long startNanos) {
    if (any()) {
      emit(Kind.RENEWED, key, versionId, null, System.nanoTime() - startNanos, failure, null);
    }
  }

  /** A rotation was announced. */
  void rotated(RotationEvent event) {
    RotationJfrEvent jfr = new RotationJfrEvent();
    String previous = event.previous().map(Secret::versionId).orElse(null);
    if (jfr.isEnabled()) {
      jfr.secret = event.ref().toUri();
      jfr.scheme = schemeOf(event.ref());
      jfr.previousVersion = previous;
      jfr.version = event.current().versionId();
      jfr.commit();
    }
    if (any()) {
      emit(Kind.ROTATED, event.ref(), event.current().versionId(), previous, 0, null, null);
    }
  }

  /** A replaced version's overlap ended and it was zeroed. */
  void overlapEnded(SecretRef key, Secret previous) {
    if (any()) {
      emit(Kind.OVERLAP_ENDED, key, previous.versionId(), null, 0, null, null);
    }
  }

  /** A held version passed its last servable instant. */
  void expired(SecretRef key, Secret version) {
    ExpiredEvent jfr = new ExpiredEvent();
    if (jfr.isEnabled()) {
      jfr.secret = key.toUri();
      jfr.scheme = schemeOf(key);
      jfr.version = version.versionId();
      jfr.commit();
    }
    if (any()) {
      emit(Kind.EXPIRED, key, version.versionId(), null, 0, null, null);
    }
  }

  /** An entry was dropped (size bound or dead) and its values zeroed. */
  void evicted(SecretRef key, @Nullable Version current) {
    if (any()) {
      emit(Kind.EVICTED, key, current == null ? null : current.borrowed.versionId(), null, 0, null, null);
    }
  }

  /**
   * The first read of a version (the caller checked {@code !v.read} with a plain read): marks it,
   * and for the one thread that marks it, names the reader to observers and Flight Recorder.
   */
  void firstRead(SecretRef key, ObservedVersion v, Secret borrowed) {
    if (!v.markRead()) {
      return;
    }
    FirstReadEvent jfr = new FirstReadEvent();
    boolean record = jfr.isEnabled();
    if (!record && !any()) {
      return;
    }
    String caller = caller();
    if (record) {
      jfr.secret = key.toUri();
      jfr.scheme = schemeOf(key);
      jfr.version = borrowed.versionId();
      jfr.caller = caller;
      jfr.commit();
    }
    if (any()) {
      emit(Kind.FIRST_READ, key, borrowed.versionId(), null, 0, null, caller);
    }
  }

  /** A version was installed: registered for masking, if masking is on (one volatile read if not). */
  static void installed(SecretRef key, SecretValue owned, Secret borrowed) {
    MaskRegistry registry = MaskRegistry.GLOBAL;
    if (!registry.enabled() || owned.isBinary() || owned.isDestroyed()) {
      return;
    }
    List<MaskRegistry.Print> prints = new ArrayList<>(4);
    String label = key.name();
    try {
      owned.withChars(chars -> add(prints, registry.print(label, chars)));
      Set<String> names;
      try {
        names = borrowed.fieldNames();
      } catch (SecretException notJsonObject) {
        names = Set.of();
      }
      for (String name : names) {
        if (NOT_SECRET.contains(name)) {
          continue;
        }
        try {
          borrowed.field(name).withChars(chars -> add(prints, registry.print(label + "#" + name, chars)));
        } catch (SecretException nested) {
          // an object or array field: its text is inside the whole value, which is registered
        }
      }
    } catch (IllegalStateException zeroedMeanwhile) {
      return;
    }
    registry.register(owned, prints);
  }

  private static @Nullable Void add(List<MaskRegistry.Print> prints, MaskRegistry.@Nullable Print p) {
    if (p != null) {
      prints.add(p);
    }
    return null;
  }

  /** A value was zeroed: masked for the retention period more. */
  static void zeroed(SecretValue owned) {
    MaskRegistry registry = MaskRegistry.GLOBAL;
    if (registry.enabled()) {
      registry.retire(owned);
    }
  }

  // ------------------------------------------------------------ plumbing

  private void emit(Kind kind, SecretRef key, @Nullable String versionId, @Nullable String previous, long nanos,
      @Nullable Throwable failure, @Nullable String caller) {
    SecretEvent event = new SecretEvent(kind, key, schemeOf(key), Optional.ofNullable(versionId),
        Optional.ofNullable(previous), Duration.ofNanos(Math.max(0, nanos)), Outcome.of(failure),
        failure == null ? Optional.empty() : Optional.of(failure.getClass().getName()),
        Optional.ofNullable(caller), clock.instant());
    for (SecretObserver o : observers) {
      try {
        o.onEvent(event);
      } catch (RuntimeException | LinkageError thrown) {
        isolate(o, kind.tag(), thrown);
      }
    }
  }

  private void isolate(SecretObserver o, String what, Throwable failure) {
    if (warned.add(o.getClass())) {
      log.warn("a secret observer ({}) failed on {} over backend '{}': {}; the cache and other observers are unaffected"
          + " (further failures of this observer are logged at DEBUG)", o.getClass().getName(), what, backend,
          failure.getClass().getName());
    } else {
      log.debug("a secret observer ({}) failed again on {}: {}", o.getClass().getName(), what,
          failure.getClass().getName());
    }
  }

  /**
   * The first class and method on this thread's stack not loaded from sdk-api's own jar (so that
   * however the cache's classes are named or split, the answer is the application's code), within
   * a bounded depth.
   */
  static String caller() {
    return WALKER.walk(frames -> frames.limit(CALLER_DEPTH)
        .filter(f -> !ownCode(f.getDeclaringClass()))
        .findFirst()
        .map(f -> f.getClassName() + "." + f.getMethodName())
        .orElse("(deeper than " + CALLER_DEPTH + " frames)"));
  }

  private static boolean ownCode(Class<?> c) {
    String own = OWN_CODE;
    return own != null ? own.equals(codeOf(c)) : c.getName().startsWith("io.secretsdk.cache.");
  }

  private static @Nullable String codeOf(Class<?> c) {
    CodeSource source = c.getProtectionDomain().getCodeSource();
    URL location = source == null ? null : source.getLocation();
    return location == null ? null : location.toExternalForm();
  }
}
