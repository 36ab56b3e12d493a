package io.secretsdk.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretSources;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Configuration a new user gets wrong, met with typed, non-transient errors at the earliest point:
 * a misspelled region at build time, missing credentials at the first read (not retried, not
 * called an outage), provider properties at {@code fromProperties}.
 */
class AwsConfigurationErrorsTest {
  @RegisterExtension static final AwsFake fake = new AwsFake();
  private final Map<String, String> savedProperties = new HashMap<>();

  @AfterEach
  void restoreSystemProperties() {
    savedProperties.forEach((k, v) -> {
      if (v == null) {
        System.clearProperty(k);
      } else {
        System.setProperty(k, v);
      }
    });
  }

  private void setProperty(String key, String value) {
    savedProperties.putIfAbsent(key, System.getProperty(key));
    System.setProperty(key, value);
  }

  @Test
  void aMisspelledRegionIsRefusedAtBuildNamingTheClosestRegion() {
    assertThatThrownBy(() -> AwsSecretsManagerSource.builder().region(Region.of("eu-wset-1"))
            .credentials(AwsFake.fakeCredentials()).build())
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("'eu-wset-1' is not an AWS region")
        .hasMessageContaining("did you mean eu-west-1?");
    assertThatThrownBy(() -> SsmParameterSource.builder().region(Region.of("us-esat-1"))
            .credentials(AwsFake.fakeCredentials()).build())
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("us-east-1");
  }

  @Test
  void aMisspelledRegionPropertyIsRefusedByFromPropertiesNamingTheProperty() {
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("aws-sm.region", "eu-wset-1")))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("aws-sm.region")
        .hasMessageContaining("did you mean eu-west-1?");
  }

  @Test
  void aRegionFromTheEnvironmentOrAUsersClientIsCheckedToo() {
    setProperty("aws.region", "ap-southeast-9x");
    assertThatThrownBy(() -> AwsSecretsManagerSource.builder().credentials(AwsFake.fakeCredentials()).build())
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("ap-southeast-9x")
        .hasMessageContaining("AWS_REGION");
    try (SecretsManagerClient misspelled = SecretsManagerClient.builder().region(Region.of("eu-wset-1"))
        .credentialsProvider(AwsFake.fakeCredentials()).build()) {
      assertThatThrownBy(() -> AwsSecretsManagerSource.builder().client(misspelled).build())
          .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("eu-wset-1");
    }
  }

  @Test
  void anExplicitEndpointMakesAnyRegionNameAcceptable() {
    try (AwsSecretsManagerSource source = AwsSecretsManagerSource.builder().region(Region.of("xx-future-1"))
        .endpoint(fake.endpoint()).credentials(AwsFake.fakeCredentials()).build();
        SecretSource routed = SecretSources.fromProperties(Map.of("aws-ssm.region", "xx-future-1",
            "aws-ssm.endpoint", fake.endpoint().toString()))) {
      assertThat(source.scheme()).isEqualTo("aws-sm");
      assertThat(routed.canonical(SecretRef.of("/x"))).isEqualTo(SecretRef.parse("aws-ssm:///x"));
    }
    try (SecretsManagerClient future = SecretsManagerClient.builder().region(Region.of("xx-future-1"))
        .endpointOverride(fake.endpoint()).credentialsProvider(AwsFake.fakeCredentials()).build();
        AwsSecretsManagerSource source = AwsSecretsManagerSource.builder().client(future).build()) {
      assertThat(source.scheme()).isEqualTo("aws-sm");
    }
  }

  @Test
  void everyProviderPropertyErrorIsAConfigurationErrorFromFromProperties() {
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("aws-sm.regoin", "eu-west-1")))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("aws-sm.regoin")
        .hasMessageContaining("did you mean aws-sm.region?");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("aws-ssm.endpoint", "not a uri")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("aws-ssm.endpoint");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("aws-ssm.endpoint", "relative/path")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("absolute");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("aws-sm.profile", " ")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("aws-sm.profile is empty");
    assertThatThrownBy(() -> AwsSecretsManagerSource.builder().client(fake.secretsManager())
            .region(Region.EU_WEST_1).build())
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("your own client");
  }

  /** The real default chain with nothing to find, counted: how often the SDK asked for credentials. */
  private static final class CountingChain implements AwsCredentialsProvider {
    final AtomicInteger calls = new AtomicInteger();
    final DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();

    @Override
    public AwsCredentials resolveCredentials() {
      calls.incrementAndGet();
      return chain.resolveCredentials();
    }
  }

  private CountingChain noCredentialsAnywhere(Path dir) throws Exception {
    assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null && System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") == null
        && System.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") == null
        && System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") == null, "the environment has AWS credentials");
    Path empty = Files.createFile(dir.resolve("empty"));
    setProperty("aws.configFile", empty.toString());
    setProperty("aws.sharedCredentialsFile", empty.toString());
    setProperty("aws.disableEc2Metadata", "true"); // never ask 169.254.169.254
    savedProperties.putIfAbsent("aws.accessKeyId", System.getProperty("aws.accessKeyId"));
    System.clearProperty("aws.accessKeyId");
    return new CountingChain();
  }

  @Test
  void missingCredentialsAreATypedConfigurationErrorSayingSoWithASafeCause(@TempDir Path dir) throws Exception {
    CountingChain chain = noCredentialsAnywhere(dir);
    try (AwsSecretsManagerSource source = AwsSecretsManagerSource.builder().region(Region.EU_WEST_1)
        .endpoint(fake.endpoint()).credentials(chain).rotationSchedule(false).build()) {
      assertThatThrownBy(() -> source.fetch(SecretRef.of("prod/db")))
          .isInstanceOf(SecretConfigurationException.class)
          .isNotInstanceOf(SecretUnavailableException.class)
          .hasMessageContaining("no AWS credentials were found for reading secret 'prod/db'")
          .hasMessageContaining("Unable to load credentials from any of the providers in the chain")
          .hasMessageContaining("not retried")
          .hasMessageContaining("AWS_ACCESS_KEY_ID")
          .satisfies(e -> {
            assertThat(e.getCause()).isNotNull();
            assertThat(e.getCause().getMessage())
                .startsWith("software.amazon.awssdk.core.exception.SdkClientException: Unable to load credentials")
                .doesNotContain("AwsCredentialsProviderChain"); // the SDK's long list stays out
          });
    }
    assertThat(fake.server.getAllServeEvents()).isEmpty(); // nothing was sent
  }

  @Test
  void missingCredentialsAreNotRetriedByTheCache(@TempDir Path dir) throws Exception {
    CountingChain chain = noCredentialsAnywhere(dir);
    ManualClock clock = new ManualClock();
    try (AwsSecretsManagerSource source = AwsSecretsManagerSource.builder().region(Region.EU_WEST_1)
        .endpoint(URI.create(fake.endpoint().toString())).credentials(chain).rotationSchedule(false).build();
        SecretCache cache = SecretCache.builder(source).clock(clock).scheduler(new ManualScheduler(clock))
            .resilience(ResiliencePolicy.defaults()).build()) {
      assertThatThrownBy(() -> cache.get(SecretRef.of("prod/db")))
          .isInstanceOf(SecretConfigurationException.class);
    }
    // One read, one credentials attempt: the default policy retries only SecretUnavailableException.
    assertThat(chain.calls).hasValue(1);
  }
}
