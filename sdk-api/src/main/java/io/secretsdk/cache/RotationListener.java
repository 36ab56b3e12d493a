package io.secretsdk.cache;

/** Told when a cached secret changes version. Runs on the cache's listener executor. */
@FunctionalInterface
public interface RotationListener {
  /**
   * Called once per rotation. A listener that throws is logged (without values) and does not
   * disturb the cache or other listeners.
   *
   * @param event the rotation
   */
  void onRotation(RotationEvent event);
}
