package io.secretsdk.aws;

import static io.secretsdk.aws.AwsFake.json;
import static io.secretsdk.aws.AwsFake.sm;
import static io.secretsdk.aws.AwsFake.smText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretSources;
import io.secretsdk.spi.SecretSourceProvider;
import io.secretsdk.testing.LeakGuard;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs only in the surefire execution {@code without-ssm}, whose class path lacks the optional
 * {@code software.amazon.awssdk:ssm}: Secrets Manager works, discovery does not fail, and the SSM
 * source says which artifact to add.
 */
class WithoutSsmFork {
  @RegisterExtension static final AwsFake fake = new AwsFake();

  @Test
  void theSsmClientIsReallyAbsent() {
    assertThatThrownBy(() -> Class.forName("software.amazon.awssdk.services.ssm.SsmClient"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void discoveryFindsBothProvidersAndSecretsManagerReadsAsUsual() {
    List<String> schemes = StreamSupport.stream(ServiceLoader.load(SecretSourceProvider.class).spliterator(), false)
        .map(SecretSourceProvider::scheme).sorted().collect(Collectors.toList());
    assertThat(schemes).contains("aws-sm", "aws-ssm");

    LeakGuard.watch("no-ssm-needed-1");
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smText("db", "v1", "no-ssm-needed-1", "AWSCURRENT"))));
    System.setProperty("aws.accessKeyId", AwsFake.FAKE_ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", AwsFake.FAKE_SECRET_KEY);
    try (SecretSource source = SecretSources.fromProperties(Map.of("aws-sm.region", "eu-west-1",
        "aws-sm.endpoint", fake.endpoint().toString()))) {
      assertThat(source.fetch(SecretRef.parse("aws-sm://db")).versionId()).isEqualTo("v1");
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
  }

  @Test
  void theSsmSourceAndItsSchemeNameTheArtifactToAdd() {
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("aws-ssm.region", "eu-west-1")))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("add the dependency software.amazon.awssdk:ssm");
    assertThatThrownBy(SsmParameterSource::builder)
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("software.amazon.awssdk:ssm");
  }
}
