package io.secretsdk.aws.internal;

import io.secretsdk.SecretSource;
import io.secretsdk.aws.AwsSecretsManagerSource;
import io.secretsdk.spi.SecretSourceProvider;
import java.util.Map;

/**
 * Makes {@link AwsSecretsManagerSource}s for {@code SecretSources.fromProperties}, from the
 * optional properties {@code aws-sm.region}, {@code aws-sm.endpoint} and {@code aws-sm.profile}, or
 * {@code .agent} (with {@code .agent-token-file}, {@code .agent-allow-non-loopback}) to read through the local AWS agent.
 */
public final class AwsSecretsManagerSourceProvider implements SecretSourceProvider {

  /** Used by {@link java.util.ServiceLoader}. */
  public AwsSecretsManagerSourceProvider() {}

  @Override
  public String scheme() {
    return AwsSecretsManagerSource.SCHEME;
  }

  @Override
  public SecretSource create(Map<String, String> properties) {
    AwsSecretsManagerSource.Builder b = AwsSecretsManagerSource.builder();
    AwsProperties.apply(scheme(), properties, b::region, b::endpoint, b::profile);
    AwsProperties.agent(scheme(), properties).ifPresent(b::agent);
    return b.build();
  }
}
