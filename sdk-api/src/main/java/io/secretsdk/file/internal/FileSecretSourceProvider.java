package io.secretsdk.file.internal;

import io.secretsdk.SecretSource;
import io.secretsdk.file.FileSecretSource;
import io.secretsdk.spi.SecretSourceProvider;
import java.nio.file.Path;
import java.util.Map;

/** Makes {@link FileSecretSource}s from the property {@code root}. */
public final class FileSecretSourceProvider implements SecretSourceProvider {

  /** Used by {@link java.util.ServiceLoader}. */
  public FileSecretSourceProvider() {}

  @Override
  public String scheme() {
    return "file";
  }

  @Override
  public SecretSource create(Map<String, String> properties) {
    String root = properties.get("root");
    if (root == null || root.isBlank()) {
      throw new IllegalArgumentException("the file secret source needs the property file.root (a directory)");
    }
    return FileSecretSource.of(Path.of(root));
  }
}
