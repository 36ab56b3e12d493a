package io.secretsdk.gcp.internal;

import io.secretsdk.SecretSource;
import io.secretsdk.gcp.GcpSecretManagerSource;
import io.secretsdk.gcp.GcpSecretManagerSource.Transport;
import io.secretsdk.spi.ProviderProperties;
import io.secretsdk.spi.SecretSourceProvider;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Makes {@link GcpSecretManagerSource}s for {@code SecretSources.fromProperties}, from the optional
 * properties {@code gcp-sm.project}, {@code gcp-sm.location}, {@code gcp-sm.endpoint} and {@code
 * gcp-sm.transport} ({@code grpc} or {@code http-json}). Credentials are Application Default
 * Credentials.
 */
public final class GcpSecretManagerSourceProvider implements SecretSourceProvider {
  private static final Set<String> KNOWN = Set.of("project", "location", "endpoint", "transport");

  /** Used by {@link java.util.ServiceLoader}. */
  public GcpSecretManagerSourceProvider() {}

  @Override
  public String scheme() {
    return GcpSecretManagerSource.SCHEME;
  }

  @Override
  public SecretSource create(Map<String, String> properties) {
    ProviderProperties props = ProviderProperties.of(scheme(), properties, KNOWN);
    GcpSecretManagerSource.Builder b = GcpSecretManagerSource.builder();
    props.parsed("project", "a project id or number, such as my-project", p -> b.project(p));
    props.parsed("location", "a location, such as europe-west1", l -> b.location(l));
    props.optional("endpoint").ifPresent(b::endpoint);
    props.parsed("transport", "grpc or http-json", GcpSecretManagerSourceProvider::transport).ifPresent(b::transport);
    return b.build();
  }

  private static Transport transport(String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "grpc":
        return Transport.GRPC;
      case "http-json":
      case "http_json":
      case "rest":
        return Transport.HTTP_JSON;
      default:
        throw new IllegalArgumentException("unknown transport");
    }
  }
}
