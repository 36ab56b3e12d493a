package io.secretsdk.aws.internal;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.aws.AwsAgent;
import io.secretsdk.spi.ProviderProperties;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.regions.Region;

/**
 * The provider properties both AWS schemes share, all optional: {@code region}, {@code endpoint}
 * and {@code profile}, read by the rule every provider follows ({@link ProviderProperties}), the
 * SDK's default chains filling in what is missing; or {@code agent} ({@code true} for the local
 * AWS agent at its defaults, or its base URI), with {@code agent-token-file} and {@code
 * agent-allow-non-loopback}.
 */
public final class AwsProperties {
  /** The properties an AWS scheme reads. */
  public static final Set<String> KNOWN = Set.of("region", "endpoint", "profile", "agent", "agent-token-file",
      "agent-allow-non-loopback");

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

  /**
   * Reads the agent properties.
   *
   * @param scheme the scheme, for messages
   * @param properties the scheme's properties, prefix removed
   * @return the agent to read through, or empty if {@code agent} is unset or {@code false}
   * @throws SecretConfigurationException for a malformed value, or agent settings without {@code agent}
   */
  public static Optional<AwsAgent> agent(String scheme, Map<String, String> properties) {
    ProviderProperties p = ProviderProperties.of(scheme, properties, KNOWN);
    Optional<String> agent = p.optional("agent");
    boolean off = agent.isEmpty() || agent.get().trim().equalsIgnoreCase("false");
    if (off) {
      if (p.optional("agent-token-file").isPresent() || p.optional("agent-allow-non-loopback").isPresent()) {
        throw new SecretConfigurationException(scheme + ".agent-token-file and " + scheme
            + ".agent-allow-non-loopback configure the AWS agent; set " + scheme + ".agent=true (or its URI) too");
      }
      return Optional.empty();
    }
    AwsAgent a = agent.get().trim().equalsIgnoreCase("true") ? AwsAgent.local()
        : p.parsed("agent", "true, false, or the agent's base URI such as http://localhost:2773",
            v -> AwsAgent.at(endpoint(v))).orElseThrow();
    Optional<Path> file = p.parsed("agent-token-file", "a path such as /var/run/awssmatoken", Path::of);
    if (file.isPresent()) {
      a = a.tokenFile(file.get());
    }
    Optional<Boolean> remote = p.parsed("agent-allow-non-loopback", "true or false", AwsProperties::bool);
    if (remote.orElse(false)) {
      a = a.allowNonLoopback();
    }
    return Optional.of(a);
  }

  private static Boolean bool(String value) {
    String v = value.trim();
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("not true or false");
  }
}
