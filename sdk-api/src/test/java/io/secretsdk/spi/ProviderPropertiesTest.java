package io.secretsdk.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretConfigurationException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProviderPropertiesTest {

  @Test
  void aMisspelledPropertyIsRefusedNamingTheKnownOnesAndTheClosest() {
    assertThatThrownBy(() -> ProviderProperties.of("vault", Map.of("adress", "http://127.0.0.1"), Set.of("address", "namespace")))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("unknown property vault.adress")
        .hasMessageContaining("did you mean vault.address?")
        .hasMessageContaining("[vault.address, vault.namespace]");
  }

  @Test
  void aPropertyFarFromEveryKnownOneGetsNoGuess() {
    assertThatThrownBy(() -> ProviderProperties.of("file", Map.of("colour", "x"), Set.of("root")))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageNotContaining("did you mean");
  }

  @Test
  void valuesAreTrimmedAndAnEmptyOneIsRefused() {
    ProviderProperties props = ProviderProperties.of("file", Map.of("root", "  /run/secrets "), Set.of("root"));
    assertThat(props.required("root", "a directory")).isEqualTo("/run/secrets");
    assertThat(props.keys()).containsExactly("root");
    assertThatThrownBy(() -> ProviderProperties.of("file", Map.of("root", " "), Set.of("root")))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("file.root is empty");
  }

  @Test
  void aMissingRequiredPropertyAndAMalformedValueAreTypedErrorsNamingTheProperty() {
    ProviderProperties props = ProviderProperties.of("aws-sm", Map.of("timeout", "soon"), Set.of("timeout", "region"));
    assertThatThrownBy(() -> props.required("region", "an AWS region such as eu-west-1"))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("aws-sm.region")
        .hasMessageContaining("eu-west-1");
    assertThatThrownBy(() -> props.parsed("timeout", "a duration such as PT30S", Duration::parse))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("aws-sm.timeout must be a duration such as PT30S, was 'soon'");
    assertThat(props.parsed("region", "a region", s -> s)).isEmpty();
  }
}
