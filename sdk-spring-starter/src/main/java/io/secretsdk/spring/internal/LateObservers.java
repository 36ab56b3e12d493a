package io.secretsdk.spring.internal;

import io.secretsdk.observe.BackendCall;
import io.secretsdk.observe.SecretEvent;
import io.secretsdk.observe.SecretObserver;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The observer of the cache that {@code spring.config.import=secrets:} builds before the
 * application context exists: it forwards to the context's {@link SecretObserver} beans (the
 * metrics' among them) once the context is refreshed, and drops what happens before.
 */
final class LateObservers implements SecretObserver {
  private volatile SecretObserver[] targets = new SecretObserver[0];
  private final AtomicBoolean attached = new AtomicBoolean();

  /** Sets the observers to forward to; only the first call counts. */
  void attach(List<SecretObserver> observers) {
    if (attached.compareAndSet(false, true)) {
      targets = observers.toArray(new SecretObserver[0]);
    }
  }

  @Override
  public void onBackendCall(BackendCall call) {
    for (SecretObserver o : targets) {
      o.onBackendCall(call);
    }
  }

  @Override
  public void onEvent(SecretEvent event) {
    for (SecretObserver o : targets) {
      o.onEvent(event);
    }
  }

  @Override
  public String toString() {
    return "LateObservers[" + targets.length + "]";
  }
}
