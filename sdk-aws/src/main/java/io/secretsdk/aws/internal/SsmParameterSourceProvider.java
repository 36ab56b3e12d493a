package io.secretsdk.aws.internal;

import io.secretsdk.SecretSource;
import io.secretsdk.aws.SsmParameterSource;
import io.secretsdk.spi.SecretSourceProvider;
import java.util.Map;

/**
 * Makes {@link SsmParameterSource}s for {@code SecretSources.fromProperties}, from the optional
 * properties {@code aws-ssm.region}, {@code aws-ssm.endpoint} and {@code aws-ssm.profile}.
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
    SsmParameterSource.Builder b = SsmParameterSource.builder();
    AwsProperties.apply(scheme(), properties, b::region, b::endpoint, b::profile);
    return b.build();
  }
}
