package io.secretsdk.spring;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.file.FileSecretSource;
import java.nio.file.Path;

/** The file backend with an outage switch: while down, every read fails as a store that is unreachable. */
final class SwitchableSource implements SecretSource {
  private final FileSecretSource files;
  volatile boolean down;

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
    return files.fetch(ref);
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
