package io.secretsdk.spring.internal;

import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.cache.Subscription;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Subscribes to every rotation of the context's {@link SecretCache} and publishes each {@link
 * RotationEvent} to the context as it is, so that {@code @EventListener void on(RotationEvent e)}
 * methods see it (on the cache's listener thread).
 */
public final class RotationPublisher implements SmartInitializingSingleton, DisposableBean {
  private final ObjectProvider<SecretCache> cache;
  private final ApplicationEventPublisher publisher;
  private volatile @Nullable Subscription subscription;

  /**
   * A publisher, subscribed once every singleton exists.
   *
   * @param cache the cache
   * @param publisher the context
   */
  public RotationPublisher(ObjectProvider<SecretCache> cache, ApplicationEventPublisher publisher) {
    this.cache = cache;
    this.publisher = publisher;
  }

  @Override
  public void afterSingletonsInstantiated() {
    SecretCache c = cache.getIfUnique();
    if (c != null) {
      subscription = c.onRotation(this::publish);
    }
  }

  private void publish(RotationEvent event) {
    publisher.publishEvent(event);
  }

  @Override
  public void destroy() {
    Subscription s = subscription;
    if (s != null) {
      s.close();
    }
  }
}
