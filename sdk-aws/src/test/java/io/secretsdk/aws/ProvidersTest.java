package io.secretsdk.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.secretsdk.aws.AwsFake.json;
import static io.secretsdk.aws.AwsFake.sm;
import static io.secretsdk.aws.AwsFake.smText;
import static io.secretsdk.aws.AwsFake.ssmCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretSources;
import io.secretsdk.aws.internal.AwsSecretsManagerSourceProvider;
import io.secretsdk.aws.internal.SsmParameterSourceProvider;
import io.secretsdk.spi.SecretSourceProvider;
import io.secretsdk.testing.LeakGuard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The providers behind {@code SecretSources.fromProperties}: found by ServiceLoader, configured by
 * region, endpoint and profile, with the SDK's default chains reading a profile from the shared
 * AWS files (pointed at temporary files holding obviously fake keys).
 */
class ProvidersTest {
  @RegisterExtension static final AwsFake fake = new AwsFake();
  private final Map<String, String> savedProperties = new HashMap<>();

  @BeforeEach
  void reset() {
  }

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
  void bothSchemesAreFoundByServiceLoader() {
    Map<String, Class<?>> providers = StreamSupport
        .stream(ServiceLoader.load(SecretSourceProvider.class).spliterator(), false)
        .collect(Collectors.toMap(SecretSourceProvider::scheme, Object::getClass));
    assertThat(providers).containsEntry("aws-sm", AwsSecretsManagerSourceProvider.class)
        .containsEntry("aws-ssm", SsmParameterSourceProvider.class);
  }

  @Test
  void regionEndpointAndProfileConfigureTheClientsTheSourcesMake(@TempDir Path dir) throws Exception {
    Path credentials = dir.resolve("credentials");
    Files.writeString(credentials, "[secretsdk-test]\naws_access_key_id = AKIAPROFILEFAKEFAKE0\n"
        + "aws_secret_access_key = profile/fake/secret/key/for/tests/only\n");
    Path config = dir.resolve("config");
    Files.writeString(config, "[profile secretsdk-test]\nregion = ap-southeast-2\n");
    setProperty("aws.sharedCredentialsFile", credentials.toString());
    setProperty("aws.configFile", config.toString());
    // The chains must find everything in the profile, never in the EC2 instance metadata service.
    setProperty("aws.disableEc2Metadata", "true");
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smText("db", "v1", "via-properties-1", "AWSCURRENT"))));
    fake.server.stubFor(ssmCall("GetParameter").willReturn(json(
        "{\"Parameter\":{\"Name\":\"/db\",\"Type\":\"SecureString\",\"Value\":\"via-properties-2\",\"Version\":1}}")));
    LeakGuard.watch("via-properties-1");
    LeakGuard.watch("via-properties-2");

    try (SecretSource sources = SecretSources.fromProperties(Map.of(
        "aws-sm.endpoint", fake.endpoint().toString(),
        "aws-sm.profile", "secretsdk-test",
        "aws-ssm.endpoint", fake.endpoint().toString(),
        "aws-ssm.region", "eu-central-1",
        "aws-ssm.profile", "secretsdk-test"))) {
      assertThat(sources.fetch(SecretRef.parse("aws-sm://db")).versionId()).isEqualTo("v1");
      assertThat(sources.fetch(SecretRef.parse("aws-ssm:///db")).versionId()).isEqualTo("1");
    }

    // The profile's keys signed both requests; its region applies where none was given.
    assertThat(fake.server.findAll(postRequestedFor(urlEqualTo("/"))
            .withHeader("Authorization", containing("Credential=AKIAPROFILEFAKEFAKE0/"))
            .withHeader("Authorization", containing("/ap-southeast-2/secretsmanager/"))))
        .hasSize(2);
    assertThat(fake.server.findAll(postRequestedFor(urlEqualTo("/"))
            .withHeader("Authorization", containing("/eu-central-1/ssm/"))))
        .hasSize(1);
  }

  @Test
  void noRegionAnywhereIsAClearConfigurationError(@TempDir Path dir) throws Exception {
    assumeTrue(System.getenv("AWS_REGION") == null && System.getenv("AWS_DEFAULT_REGION") == null,
        "the environment names a region");
    Path empty = Files.createFile(dir.resolve("empty"));
    setProperty("aws.configFile", empty.toString());
    setProperty("aws.sharedCredentialsFile", empty.toString());
    // Never ask the EC2 instance metadata service (a non-loopback address) for a region.
    setProperty("aws.disableEc2Metadata", "true");
    savedProperties.putIfAbsent("aws.region", System.getProperty("aws.region"));
    System.clearProperty("aws.region");

    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("aws-ssm.endpoint", fake.endpoint().toString())))
        .isInstanceOf(io.secretsdk.SecretConfigurationException.class)
        .hasMessageContaining("no region")
        .hasMessageContaining("aws-ssm.region");
  }

  @Test
  void anUnknownPropertyIsRefusedNamingTheKnownOnes() {
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("aws-sm.regoin", "eu-west-1")))
        .isInstanceOf(io.secretsdk.SecretConfigurationException.class)
        .hasMessageContaining("aws-sm.regoin")
        .hasMessageContaining("[aws-sm.agent, aws-sm.agent-allow-non-loopback, aws-sm.agent-token-file, aws-sm.endpoint, "
            + "aws-sm.profile, aws-sm.region]");
  }

  @Test
  void aMalformedEndpointIsRefused() {
    assertThatThrownBy(() -> new SsmParameterSourceProvider().create(Map.of("endpoint", "not a uri")))
        .isInstanceOf(io.secretsdk.SecretConfigurationException.class).hasMessageContaining("aws-ssm.endpoint");
    assertThatThrownBy(() -> new SsmParameterSourceProvider().create(Map.of("endpoint", "relative/path")))
        .isInstanceOf(io.secretsdk.SecretConfigurationException.class).hasMessageContaining("absolute");
  }
}
