package io.secretsdk.cache;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.spi.SecretSourceProvider;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A test-only provider of scheme {@code down}: a backend that is unreachable, counting the calls that reach it. */
public final class DownSourceProvider implements SecretSourceProvider {
  /** Calls that reached a {@code down} backend, over all instances. */
  static final AtomicInteger CALLS = new AtomicInteger();


  @Override
  public String scheme() {
    return "down";
  }

  @Override
  public SecretSource create(Map<String, String> properties) {
    return new SecretSource() {
      @Override
      public String scheme() {
        return "down";
      }

      @Override
      public Secret fetch(SecretRef ref) {
        CALLS.incrementAndGet();
        throw new SecretUnavailableException("could not reach backend 'down' for secret '" + ref + "'", ref);
      }
    };
  }
}
