package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretSourcesTest {
  @TempDir Path root;

  @Test
  void anUnknownSchemeIsAClearErrorListingTheSchemesFound() throws IOException {
    Files.writeString(root.resolve("a"), "x-value");
    try (SecretSource source = SecretSources.fromProperties(Map.of("file.root", root.toString()))) {
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("nosuch://a")))
          .isInstanceOf(InvalidSecretRefException.class)
          .hasMessageContaining("nosuch")
          .hasMessageContaining("[file");
    }
  }

  @Test
  void propertiesForAMissingProviderAreRejectedAtOnce() {
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("vault-x.address", "http://127.0.0.1:1")))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("vault-x")
        .hasMessageContaining("no provider");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("noscheme", "x")))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("<scheme>.<key>");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of(".root", "x")))
        .isInstanceOf(SecretConfigurationException.class);
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("file.", "x")))
        .isInstanceOf(SecretConfigurationException.class);
  }

  @Test
  void noPropertiesAtAllIsAConfigurationErrorAtOnceNotAtTheFirstRead() {
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of()))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("no secret source is configured")
        .hasMessageContaining("file.root")
        .hasMessageContaining("default-scheme");
  }

  @Test
  void aSchemeWhoseModuleIsMissingNamesTheArtifactToAdd() {
    Map<String, String> artifacts = Map.of("aws-sm", "io.secretsdk:sdk-aws", "aws-ssm", "io.secretsdk:sdk-aws",
        "gcp-sm", "io.secretsdk:sdk-gcp", "azure-kv", "io.secretsdk:sdk-azure", "vault", "io.secretsdk:sdk-vault");
    artifacts.forEach((scheme, artifact) -> {
      assertThatThrownBy(() -> SecretSources.fromProperties(Map.of(scheme + ".region", "x")))
          .isInstanceOf(SecretConfigurationException.class).hasMessageContaining(artifact);
      assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("default-scheme", scheme)))
          .isInstanceOf(SecretConfigurationException.class).hasMessageContaining(artifact);
    });
    try (SecretSource source = SecretSources.fromProperties(Map.of("file.root", root.toString()))) {
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("vault://secret/app")))
          .isInstanceOf(SecretConfigurationException.class)
          .hasMessageContaining("io.secretsdk:sdk-vault");
    }
  }

  @Test
  void aBadDefaultSchemeOrAProviderRefusingItsPropertiesIsAConfigurationErrorFromFromProperties() {
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("default-scheme", " ")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("default-scheme is empty");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("default-scheme", "nosuch")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("[file");
    // The default scheme's source is made at once, so its missing property shows now.
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("default-scheme", "file")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("file.root");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("file.root", root.resolve("missing").toString())))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("file");
  }

  @Test
  void batchesAreSplitByScheme() throws IOException {
    Files.writeString(root.resolve("a"), "value-a1");
    try (SecretSource source = SecretSources.fromProperties(Map.of("file.root", root.toString()))) {
      BatchResult result = source.fetchAll(List.of(SecretRef.parse("file://a"), SecretRef.parse("file://b"), SecretRef.parse("zz://c")));
      assertThat(result.found()).containsOnlyKeys(SecretRef.parse("file://a"));
      assertThat(result.failed().get(SecretRef.parse("file://b"))).isInstanceOf(SecretNotFoundException.class);
      assertThat(result.failed().get(SecretRef.parse("zz://c"))).isInstanceOf(InvalidSecretRefException.class);
    }
  }

  @Test
  void theDefaultSourceMethodsAreSafe() {
    SecretSource plain = new SecretSource() {
      @Override
      public String scheme() {
        return "plain";
      }

      @Override
      public Secret fetch(SecretRef ref) {
        throw new SecretNotFoundException("no secret '" + ref.name() + "' in plain", ref);
      }
    };
    Lease lease = new Lease("l1", java.time.Instant.EPOCH, java.time.Duration.ofSeconds(1), true);
    assertThat(plain.fetchPrevious(SecretRef.of("a"))).isEmpty();
    assertThatThrownBy(() -> plain.renew(lease, java.time.Duration.ofSeconds(1))).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> plain.revoke(lease)).isInstanceOf(UnsupportedOperationException.class);
    BatchResult r = plain.fetchAll(List.of(SecretRef.of("a")));
    assertThat(r.failed().get(SecretRef.of("a")).ref()).contains(SecretRef.of("a"));
    plain.close();
  }

  @Test
  void throttledErrorsCarryTheRetryHint() {
    SecretThrottledException e = new SecretThrottledException("slow down", SecretRef.of("a"), null, java.time.Duration.ofSeconds(3));
    assertThat(e.retryAfter()).contains(java.time.Duration.ofSeconds(3));
    assertThat(e).isInstanceOf(SecretUnavailableException.class);
    assertThat(new SecretThrottledException("x").retryAfter()).isEmpty();
  }

  @Test
  void aSchemeLessRefIsKeyedByTheSchemeThatServesIt() throws IOException {
    try (SecretSource source = SecretSources.fromProperties(Map.of("file.root", root.toString()))) {
      assertThat(source.canonical(SecretRef.of("db"))).isEqualTo(SecretRef.parse("file://db"));
      assertThat(source.canonical(SecretRef.parse("file://db#password"))).isEqualTo(SecretRef.parse("file://db#password"));
    }

  }

  @Test
  void versionChecksAreRoutedAndASourceWithoutThemAnswersNothing() throws IOException {
    Files.writeString(root.resolve("a"), "value-a1");
    try (SecretSource source = SecretSources.fromProperties(Map.of("file.root", root.toString()))) {
      VersionChecks checks = source.checkVersions(List.of(SecretRef.parse("file://a"), SecretRef.parse("zz://c")));
      assertThat(checks.found()).isEmpty();
      assertThat(checks.failed().get(SecretRef.parse("zz://c"))).isInstanceOf(InvalidSecretRefException.class);
      assertThat(source.checkVersion(SecretRef.parse("file://a"))).isEmpty();
    }
  }

  @Test
  void aVersionCheckKnowsItsVersion() {
    assertThat(VersionCheck.of("7").versionId()).isEqualTo("7");
    assertThatThrownBy(() -> VersionCheck.of("")).isInstanceOf(IllegalArgumentException.class);
  }
}
