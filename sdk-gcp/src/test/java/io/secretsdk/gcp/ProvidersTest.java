package io.secretsdk.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretSources;
import io.secretsdk.gcp.internal.GcpSecretManagerSourceProvider;
import io.secretsdk.testing.LeakGuard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code gcp-sm} provider behind {@code SecretSources.fromProperties}: found by ServiceLoader,
 * configured by {@code project}, {@code location}, {@code endpoint} and {@code transport} only, and
 * authenticated by Application Default Credentials.
 */
class ProvidersTest {
  @RegisterExtension final HttpFront front = new HttpFront();

  @Test
  void fromPropertiesMakesASourceThatAuthenticatesWithApplicationDefaultCredentials(@TempDir Path home)
      throws Exception {
    assumeTrue(System.getenv("GOOGLE_APPLICATION_CREDENTIALS") == null && System.getenv("CLOUDSDK_CONFIG") == null,
        "the environment names other credentials");
    // ADC's well-known file, found under user.home; its token endpoint is the loopback server.
    Path adc = home.resolve(".config/gcloud/application_default_credentials.json");
    Files.createDirectories(adc.getParent());
    Files.writeString(adc, "{\"type\":\"authorized_user\",\"client_id\":\"cid.apps.googleusercontent.com\","
        + "\"client_secret\":\"adc-client-secret-Qw7\",\"refresh_token\":\"adc-refresh-token-Er8\","
        + "\"token_uri\":\"" + front.endpoint() + "/token\"}");
    LeakGuard.watch("adc-client-secret-Qw7");
    LeakGuard.watch("adc-refresh-token-Er8");
    LeakGuard.watch("pw-one-Kx81");
    front.fake.secret("db").add("pw-one-Kx81");
    String savedHome = System.getProperty("user.home");
    System.setProperty("user.home", home.toString());
    try {
      Properties before = (Properties) System.getProperties().clone();
      Map<String, String> envBefore = new HashMap<>(System.getenv());
      try (SecretSource sources = SecretSources.fromProperties(Map.of(
          "gcp-sm.project", "acme-prod",
          "gcp-sm.transport", "http-json",
          "gcp-sm.endpoint", front.endpoint()))) {
        assertThat(sources.fetch(SecretRef.parse("gcp-sm://db")).value().<String>withChars(String::new))
            .isEqualTo("pw-one-Kx81");
      }
      assertThat(front.tokenRequests.get()).isEqualTo(1);
      assertThat(front.authorizations).isNotEmpty().allMatch(a -> a.equals("Bearer " + HttpFront.ACCESS_TOKEN));
      // The SDK placed nothing in system properties or the environment.
      assertThat(System.getProperties()).isEqualTo(before);
      assertThat(System.getenv()).isEqualTo(envBefore);
    } finally {
      System.setProperty("user.home", savedHome);
    }
  }

  @Test
  void anUnknownPropertyIsRefusedNamingTheKnownOnes() {
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("gcp-sm.projcet", "acme-prod")))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("gcp-sm.projcet")
        .hasMessageContaining("did you mean gcp-sm.project")
        .hasMessageContaining("gcp-sm.transport");
  }

  @Test
  void badValuesAreTypedConfigurationErrorsNamingTheProperty() {
    GcpSecretManagerSourceProvider provider = new GcpSecretManagerSourceProvider();
    assertThat(provider.scheme()).isEqualTo("gcp-sm");
    assertThatThrownBy(() -> provider.create(Map.of("transport", "carrier-pigeon")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("gcp-sm.transport")
        .hasMessageContaining("grpc or http-json");
    assertThatThrownBy(() -> provider.create(Map.of("project", "bad/project")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("gcp-sm.project");
    assertThatThrownBy(() -> provider.create(Map.of("location", "Europe West")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("gcp-sm.location");
    assertThatThrownBy(() -> provider.create(Map.of("transport", "http-json", "endpoint", "http://10.1.2.3:8080")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("not loopback");
    assertThatThrownBy(() -> provider.create(Map.of("endpoint", "https://secretmanager.googleapis.com")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("host:port");
    assertThatThrownBy(() -> provider.create(Map.of("endpoint", " ")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("gcp-sm.endpoint");
  }
}
