package io.secretsdk.spring;

import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.file.FileSecretSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** The file backend with an outage switch: while down, every read fails as a store that is unreachable. */
final class SwitchableSource implements SecretSource {
  private final FileSecretSource files;
  volatile boolean down;
  /** When set, every secret fetched carries a lease of this length, not renewable, issued at {@link #clock}'s time. */
  volatile @Nullable Duration leaseTtl;
  volatile Clock clock = Clock.systemUTC();

  SwitchableSource(Path root) {
    this.files = FileSecretSource.of(root);
  }

  @Override
  public String scheme() {
    return files.scheme();
  }

  @Override
  public Secret fetch(SecretRef ref) {
    if (down) {
      throw new SecretUnavailableException("the secret store is unreachable (test outage)", ref);
    }
    Secret s = files.fetch(ref);
    Duration ttl = leaseTtl;
    return ttl == null ? s : s.toBuilder().value(s.value()).lease(new Lease(null, clock.instant(), ttl, false)).build();
  }

  @Override
  public SecretRef canonical(SecretRef ref) {
    return files.canonical(ref);
  }

  @Override
  public void close() {
    files.close();
  }
}
