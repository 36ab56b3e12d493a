package io.secretsdk.cache;

/** A registered rotation listener; closing it unregisters the listener. */
public interface Subscription extends AutoCloseable {
  /** Unregisters the listener. Idempotent. */
  @Override
  void close();
}
