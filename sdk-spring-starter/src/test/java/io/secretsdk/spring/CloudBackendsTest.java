package io.secretsdk.spring;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.spring.internal.Backends;
import io.secretsdk.spring.internal.PropertyNames;
import io.secretsdk.testing.LeakGuard;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The Google Cloud and Azure backends with their modules on the class path: {@code secrets.gcp.*}
 * and {@code secrets.azure.*} configure the real clients (sdk-gcp, sdk-azure), and bad values stop
 * startup naming the property. Whether a missing module is named is in {@link
 * SecretsAutoConfigurationTest}.
 */
class CloudBackendsTest {
  private static final String ACCESS_TOKEN = "ya29.starter-fake-access-token";
  private static final String ADC_SECRET = "adc-client-secret-starter-Zt4";
  private static final String ADC_REFRESH = "adc-refresh-token-starter-Yp9";

  @TempDir Path home;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SecretsAutoConfiguration.class));
  private WireMockServer google;
  private String savedHome;

  @BeforeEach
  void fakeGoogle() throws Exception {
    google = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    google.start();
    // Application Default Credentials' well-known file, under user.home; its token endpoint is the fake.
    LeakGuard.watch(ADC_SECRET);
    LeakGuard.watch(ADC_REFRESH);
    LeakGuard.watch(ACCESS_TOKEN);
    Path adc = home.resolve(".config/gcloud/application_default_credentials.json");
    Files.createDirectories(adc.getParent());
    Files.writeString(adc, "{\"type\":\"authorized_user\",\"client_id\":\"cid.apps.googleusercontent.com\","
        + "\"client_secret\":\"" + ADC_SECRET + "\",\"refresh_token\":\"" + ADC_REFRESH + "\","
        + "\"token_uri\":\"" + google.baseUrl() + "/token\"}");
    google.stubFor(post(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"access_token\":\"" + ACCESS_TOKEN + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}")));
    savedHome = System.getProperty("user.home");
    System.setProperty("user.home", home.toString());
  }

  @AfterEach
  void stopGoogle() {
    System.setProperty("user.home", savedHome);
    google.stop();
  }

  @Test
  void theGcpBackendIsWiredFromItsPropertiesAndReadsThroughTheRealClient() {
    assumeTrue(System.getenv("GOOGLE_APPLICATION_CREDENTIALS") == null && System.getenv("CLOUDSDK_CONFIG") == null,
        "the environment names other credentials");
    String value = Files2.value("gcp");
    String data = Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    google.stubFor(get(urlPathEqualTo("/v1/projects/acme-prod/secrets/db/versions/latest:access"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=UTF-8")
            .withBody("{\"name\":\"projects/acme-prod/secrets/db/versions/3\",\"payload\":{\"data\":\"" + data + "\"}}")));
    runner.withPropertyValues("secrets.gcp.project=acme-prod", "secrets.gcp.transport=http-json",
        "secrets.gcp.endpoint=" + google.baseUrl()).run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(Backends.configured(ctx.getBean(SecretsProperties.class), getClass().getClassLoader()))
              .extracting(Backends.Backend::name).containsExactly("gcp");
          SecretCache cache = ctx.getBean(SecretCache.class);
          assertThat(cache.value("gcp-sm://db").contentEquals(value.toCharArray())).isTrue();
          // The only backend configured: a reference without a scheme goes to it.
          assertThat(cache.get("db").versionId()).isEqualTo(cache.get("gcp-sm://db").versionId()).endsWith("3");
          assertThat(cache.snapshot().backend("gcp-sm")).isPresent();
        });
    google.verify(getRequestedFor(urlPathEqualTo("/v1/projects/acme-prod/secrets/db/versions/latest:access"))
        .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer " + ACCESS_TOKEN)));
  }

  @Test
  void theAzureBackendIsWiredFromItsPropertiesWithoutCallingAnything() {
    // DefaultAzureCredential over HTTPS only: the wire path is sdk-azure's tests; here the source is made and routed.
    runner.withPropertyValues("secrets.azure.vault-url=https://kv1.vault.azure.net",
        "secrets.azure.tenant-id=00000000-0000-0000-0000-000000000001").run(ctx -> {
          assertThat(ctx).hasNotFailed().hasSingleBean(SecretCache.class);
          assertThat(Backends.configured(ctx.getBean(SecretsProperties.class), getClass().getClassLoader()))
              .extracting(Backends.Backend::name).containsExactly("azure");
          assertThat(ctx.getBean(SecretSource.class).canonical(SecretRef.of("db")).scheme()).contains("azure-kv");
        });
  }

  @Test
  void gcpAzureAndFileTogetherRouteEachSchemeToItsBackend(@TempDir Path files) {
    String value = Files2.value("file");
    Files2.write(files.resolve("a.json"), "{\"k\":\"" + value + "\"}");
    runner.withPropertyValues("secrets.gcp.project=acme-prod", "secrets.gcp.transport=http-json",
        "secrets.gcp.endpoint=" + google.baseUrl(), "secrets.azure.vault-url=https://kv1.vault.azure.net",
        "secrets.file.root=" + files).run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(Backends.configured(ctx.getBean(SecretsProperties.class), getClass().getClassLoader()))
              .extracting(Backends.Backend::name).containsExactlyInAnyOrder("gcp", "azure", "file");
          SecretSource source = ctx.getBean(SecretSource.class);
          assertThat(source.canonical(SecretRef.parse("gcp-sm://db")).scheme()).contains("gcp-sm");
          assertThat(source.canonical(SecretRef.parse("azure-kv://db")).scheme()).contains("azure-kv");
          assertThat(ctx.getBean(SecretCache.class).value("file://a.json#k").contentEquals(value.toCharArray())).isTrue();
        });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "secrets.gcp.transport=carrier-pigeon            | secrets.gcp.transport  | grpc or http-json",
      "secrets.gcp.project=bad/project                 | secrets.gcp.project    | project",
      "secrets.gcp.location=Europe West                | secrets.gcp.location   | location",
      "secrets.azure.vault-url=http://kv1.vault.azure.net | secrets.azure.vault-url | HTTPS",
      "secrets.azure.vault-url=https://example.com     | secrets.azure.vault-url | Key Vault",
      "secrets.azure.tenant-id=t                       | secrets.azure.vault-url | vault-url",
  })
  void aBadGcpOrAzureValueStopsStartupNamingTheProperty(String property, String named, String says) {
    runner.withPropertyValues(property).run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(SecretsAutoConfigurationTest.allMessages(ctx.getStartupFailure())).contains(named).contains(says);
    });
  }

  @Test
  void aModulesPropertyNameIsRetoldAsTheStartersButHostsAndReferencesAreLeftAlone() {
    assertThat(PropertyNames.inSecretsTerms("property gcp-sm.transport must be grpc or http-json; did you mean "
        + "azure-kv.vault-url, aws-ssm.region or vault.auth.token-file?"))
        .isEqualTo("property secrets.gcp.transport must be grpc or http-json; did you mean "
            + "secrets.azure.vault-url, secrets.aws.region or secrets.vault.auth.token-file?");
    String untouched = "vault URL 'https://my-vault.vault.azure.net' (.vault.azure.cn) for file://db.json, vault://x";
    assertThat(PropertyNames.inSecretsTerms(untouched)).isEqualTo(untouched);
  }
}
