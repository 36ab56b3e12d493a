package io.secretsdk.aws.internal;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.spi.ProviderProperties;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.regions.Region;

/**
 * The provider properties both AWS schemes share, all optional: {@code region}, {@code endpoint}
 * and {@code profile}, read by the rule every provider follows ({@link ProviderProperties}). The
 * SDK's default chains fill in what is missing.
 */
public final class AwsProperties {
  /** The properties an AWS scheme reads. */
  public static final Set<String> KNOWN = Set.of("region", "endpoint", "profile");

  private AwsProperties() {}

  /**
   * Reads the properties and hands each that is set to a builder's setter.
   *
   * @param scheme the scheme, for messages
   * @param properties the scheme's properties, prefix removed
   * @param regionSetter takes the region
   * @param endpointSetter takes the endpoint
   * @param profileSetter takes the profile
   * @throws SecretConfigurationException for an unknown property, a malformed value, or a region
   *     the SDK does not know (unless an endpoint is set)
   */
  public static void apply(String scheme, Map<String, String> properties, Consumer<Region> regionSetter,
      Consumer<URI> endpointSetter, Consumer<String> profileSetter) {
    ProviderProperties p = ProviderProperties.of(scheme, properties, KNOWN);
    boolean hasEndpoint = p.optional("endpoint").isPresent();
    p.parsed("endpoint", "an absolute URI with a host, such as https://vpce-1.secretsmanager.eu-west-1.vpce.amazonaws.com",
        AwsProperties::endpoint).ifPresent(endpointSetter);
    p.parsed("region", "an AWS region such as eu-west-1", v -> AwsRegions.check(Region.of(v), hasEndpoint))
        .ifPresent(regionSetter);
    p.optional("profile").ifPresent(profileSetter);
  }

  private static URI endpoint(String value) {
    URI uri = URI.create(value);
    if (!uri.isAbsolute() || uri.getHost() == null) {
      throw new IllegalArgumentException("not an absolute URI with a host");
    }
    return uri;
  }
}
