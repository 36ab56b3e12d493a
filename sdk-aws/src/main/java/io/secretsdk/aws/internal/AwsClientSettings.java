package io.secretsdk.aws.internal;

import io.secretsdk.SecretConfigurationException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * What the builders collect to make a client themselves when the user gives none: region,
 * endpoint, credentials, profile and timeout. The clients made here use the small url-connection
 * HTTP client, the SDK's default credential and region chains for whatever is not set, and no SDK
 * retries (secretsdk's resilience policy retries; see the package documentation).
 */
public final class AwsClientSettings {
  /** The default for {@link #timeout(Duration)}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private @Nullable Region region;
  private @Nullable URI endpoint;
  private @Nullable AwsCredentialsProvider credentials;
  private @Nullable String profile;
  private Duration timeout = DEFAULT_TIMEOUT;
  private boolean touched;

  /** Starts with nothing set. */
  public AwsClientSettings() {}

  /**
   * Sets the region; otherwise the SDK's default region chain decides.
   *
   * @param region the region
   */
  public void region(Region region) {
    this.region = Objects.requireNonNull(region, "region");
    touched = true;
  }

  /**
   * Sets the endpoint, for a VPC endpoint, a FIPS endpoint or a test server.
   *
   * @param endpoint an absolute {@code https://} (or {@code http://}) URI
   */
  public void endpoint(URI endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    if (!endpoint.isAbsolute() || endpoint.getHost() == null) {
      throw new SecretConfigurationException(
          "endpoint " + endpoint + " is not an absolute URI with a host, such as https://vpce-1.secretsmanager.eu-west-1.vpce.amazonaws.com");
    }
    this.endpoint = endpoint;
    touched = true;
  }

  /**
   * Sets the credentials; otherwise the SDK's default credential chain decides.
   *
   * @param credentials the credentials provider
   */
  public void credentials(AwsCredentialsProvider credentials) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    touched = true;
  }

  /**
   * Sets the profile of the shared AWS config and credentials files that the default chains read.
   *
   * @param profile the profile's name
   */
  public void profile(String profile) {
    Objects.requireNonNull(profile, "profile");
    if (profile.isBlank()) {
      throw new SecretConfigurationException("the AWS profile must not be blank");
    }
    this.profile = profile;
    touched = true;
  }

  /**
   * Sets the time one call may take (connecting is capped at two seconds of it).
   *
   * @param timeout a positive duration
   */
  public void timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new SecretConfigurationException("the AWS call timeout must be positive, was " + timeout);
    }
    this.timeout = timeout;
    touched = true;
  }

  /**
   * Whether any setting was made, which a user-supplied client would silently ignore.
   *
   * @return {@code true} if something was set
   */
  public boolean touched() {
    return touched;
  }

  /**
   * Makes a Secrets Manager client from these settings.
   *
   * @return a new client, owned by the caller
   */
  public SecretsManagerClient secretsManager() {
    checkRegion();
    SecretsManagerClient client;
    try {
      client = configure(SecretsManagerClient.builder()).build();
    } catch (SdkClientException e) {
      throw noClient("aws-sm", e);
    }
    try {
      checkResolvedRegion("aws-sm", client.serviceClientConfiguration().region(), endpoint != null);
    } catch (SecretConfigurationException e) {
      client.close();
      throw e;
    }
    return client;
  }

  /**
   * Makes an SSM client from these settings.
   *
   * @return a new client, owned by the caller
   */
  public SsmClient ssm() {
    checkRegion();
    SsmClient client;
    try {
      client = configure(SsmClient.builder()).build();
    } catch (SdkClientException e) {
      throw noClient("aws-ssm", e);
    }
    try {
      checkResolvedRegion("aws-ssm", client.serviceClientConfiguration().region(), endpoint != null);
    } catch (SecretConfigurationException e) {
      client.close();
      throw e;
    }
    return client;
  }

  /** A region set on the builder is checked before any client is made. */
  private void checkRegion() {
    if (region != null) {
      AwsRegions.check(region, endpoint != null);
    }
  }

  /**
   * Checks the region a client ended up with, wherever it came from (the builder, {@code
   * AWS_REGION}, a profile): a misspelled one is refused now rather than failing every call.
   *
   * @param scheme the scheme, for the message
   * @param resolved the client's region
   * @param endpointOverridden whether the client has an explicit endpoint
   * @throws SecretConfigurationException if the SDK does not know the region and there is no endpoint
   */
  public static void checkResolvedRegion(String scheme, Region resolved, boolean endpointOverridden) {
    try {
      AwsRegions.check(resolved, endpointOverridden);
    } catch (SecretConfigurationException e) {
      throw new SecretConfigurationException(
          "the " + scheme + " client's region: " + e.getMessage() + " (the region comes from region(...) on the"
              + " builder, the property " + scheme + ".region, AWS_REGION, or the AWS profile)", null, e);
    }
  }

  /** The SDK could not set a client up; in practice, no region was found. */
  private static SecretConfigurationException noClient(String scheme, SdkClientException e) {
    return new SecretConfigurationException(
        "could not make an AWS client for " + scheme + " (" + AwsCauses.describe(e) + "): most often no region "
            + "was found; set one with region(...) on the builder, the property " + scheme + ".region, the "
            + "environment variable AWS_REGION, or a region in the AWS profile",
        null, AwsCauses.of(e));
  }

  private <B extends AwsClientBuilder<B, ?> & SdkSyncClientBuilder<B, ?>> B configure(B b) {
    Duration connect = timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? timeout : MAX_CONNECT_TIMEOUT;
    b.httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(connect).socketTimeout(timeout));
    b.overrideConfiguration(o -> {
      o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(timeout).apiCallAttemptTimeout(timeout);
      if (profile != null) {
        o.defaultProfileName(profile);
      }
    });
    if (region != null) {
      b.region(region);
    }
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    if (credentials != null) {
      b.credentialsProvider(credentials);
    }
    return b;
  }
}
