package io.secretsdk.aws.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * The provider properties both AWS schemes share, all optional: {@code region}, {@code endpoint}
 * and {@code profile}. The SDK's default chains fill in what is missing.
 *
 * @param region the region, or {@code null}
 * @param endpoint the endpoint, or {@code null}
 * @param profile the profile, or {@code null}
 */
public record ProviderProperties(@Nullable Region region, @Nullable URI endpoint, @Nullable String profile) {
  private static final Set<String> KNOWN = Set.of("region", "endpoint", "profile");

  /**
   * Reads the properties.
   *
   * @param scheme the scheme, for messages
   * @param properties the scheme's properties, prefix removed
   * @return what they say
   * @throws IllegalArgumentException for an unknown property or a malformed value
   */
  public static ProviderProperties parse(String scheme, Map<String, String> properties) {
    Region region = null;
    URI endpoint = null;
    String profile = null;
    for (Map.Entry<String, String> e : properties.entrySet()) {
      String key = e.getKey();
      String value = e.getValue() == null ? "" : e.getValue().trim();
      if (!KNOWN.contains(key)) {
        throw new IllegalArgumentException(
            "unknown property " + scheme + "." + key + "; the " + scheme + " properties are " + new TreeSet<>(KNOWN));
      }
      if (value.isEmpty()) {
        throw new IllegalArgumentException("property " + scheme + "." + key + " is empty");
      }
      switch (key) {
        case "region":
          region = Region.of(value);
          break;
        case "endpoint":
          try {
            endpoint = new URI(value);
          } catch (URISyntaxException ex) {
            throw new IllegalArgumentException(
                "property " + scheme + ".endpoint is not a URI: " + value + " (" + ex.getReason() + ")");
          }
          if (!endpoint.isAbsolute() || endpoint.getHost() == null) {
            throw new IllegalArgumentException(
                "property " + scheme + ".endpoint must be an absolute URI with a host, was " + value);
          }
          break;
        default:
          profile = value;
          break;
      }
    }
    return new ProviderProperties(region, endpoint, profile);
  }

  /**
   * Hands each property that is set to a builder's setter.
   *
   * @param regionSetter takes the region
   * @param endpointSetter takes the endpoint
   * @param profileSetter takes the profile
   */
  public void applyTo(Consumer<Region> regionSetter, Consumer<URI> endpointSetter, Consumer<String> profileSetter) {
    if (region != null) {
      regionSetter.accept(region);
    }
    if (endpoint != null) {
      endpointSetter.accept(endpoint);
    }
    if (profile != null) {
      profileSetter.accept(profile);
    }
  }
}
