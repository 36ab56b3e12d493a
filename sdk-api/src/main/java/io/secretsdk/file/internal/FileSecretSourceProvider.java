package io.secretsdk.file.internal;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretSource;
import io.secretsdk.file.FileSecretSource;
import io.secretsdk.spi.ProviderProperties;
import io.secretsdk.spi.SecretSourceProvider;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Makes {@link FileSecretSource}s from the property {@code root} (required: the directory that
 * holds the files). Any other property is refused, naming {@code file.root}; a root that does not
 * exist or is not a directory is refused at creation. Every such error is a {@link
 * SecretConfigurationException}.
 */
public final class FileSecretSourceProvider implements SecretSourceProvider {
  private static final Set<String> KNOWN = Set.of("root");

  /** Used by {@link java.util.ServiceLoader}. */
  public FileSecretSourceProvider() {}

  @Override
  public String scheme() {
    return "file";
  }

  @Override
  public SecretSource create(Map<String, String> properties) {
    ProviderProperties props = ProviderProperties.of("file", properties, KNOWN);
    String root = props.required("root", "the directory that holds the secret files");
    Path path;
    try {
      path = Path.of(root);
    } catch (InvalidPathException e) {
      throw new SecretConfigurationException("property file.root is not a path: " + FileTree.printable(root));
    }
    return FileSecretSource.of(path);
  }
}
