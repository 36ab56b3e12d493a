package io.secretsdk.aws.internal;

import io.secretsdk.SecretSource;
import io.secretsdk.aws.SsmParameterSource;
import io.secretsdk.spi.SecretSourceProvider;
import java.util.Map;

/**
 * Makes {@link SsmParameterSource}s for {@code SecretSources.fromProperties}, from the optional
 * properties {@code aws-ssm.region}, {@code aws-ssm.endpoint} and {@code aws-ssm.profile}, or
 * {@code .agent} (with {@code .agent-token-file}, {@code .agent-allow-non-loopback}) to read through the local AWS agent.
 * Discovered whether or not the optional SSM client is on the class path (it names no SSM type
 * until {@link #create}); without it, {@code create} throws a configuration error naming {@code
 * software.amazon.awssdk:ssm}.
 */
public final class SsmParameterSourceProvider implements SecretSourceProvider {

  /** Used by {@link java.util.ServiceLoader}. */
  public SsmParameterSourceProvider() {}

  @Override
  public String scheme() {
    return SsmParameterSource.SCHEME;
  }

  @Override
  public SecretSource create(Map<String, String> properties) {
    SsmPresence.require();
    SsmParameterSource.Builder b = SsmParameterSource.builder();
    AwsProperties.apply(scheme(), properties, b::region, b::endpoint, b::profile);
    AwsProperties.agent(scheme(), properties).ifPresent(b::agent);
    return b.build();
  }
}
