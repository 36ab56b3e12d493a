package io.secretsdk.observe;

/**
 * Told what a cache does, as it does it; never a value. Register with {@link
 * io.secretsdk.cache.SecretCache.Builder#observer(SecretObserver)} (several may be); both methods
 * do nothing by default, so an observer implements what it needs.
 *
 * <p>Calls are made on the thread that did the work (a reader, the cache's scheduler) and must
 * return quickly: hand anything slow to another thread. An observer that throws is isolated: the
 * cache logs its class and the exception's type, and goes on. Events about one secret arrive in
 * the order they happened; events about different secrets may interleave.
 *
 * <p>A Micrometer {@code MeterBinder} needs exactly this: a timer per {@link BackendCall} tagged
 * with {@link BackendCall#scheme() scheme}, {@link BackendCall.Operation#tag() operation} and
 * {@link Outcome#tag() outcome}, a counter per {@link SecretEvent.Kind#ROTATED} and per failed
 * {@link SecretEvent.Kind#REFRESHED}/{@link SecretEvent.Kind#RENEWED}.
 */
public interface SecretObserver {
  /**
   * A call to the backend ended, successfully or not.
   *
   * @param call what was called, for how long, and how it ended
   */
  default void onBackendCall(BackendCall call) {}

  /**
   * The cache loaded, refreshed, renewed, rotated, ended an overlap, expired, evicted or first
   * handed out a version.
   *
   * @param event what happened
   */
  default void onEvent(SecretEvent event) {}
}
