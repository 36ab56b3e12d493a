package io.secretsdk.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretSources;
import io.secretsdk.azure.internal.AzureKeyVaultSourceProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the builder and the provider accept: Key Vault hosts of every cloud over HTTPS, nothing
 * else unless the user brings a client; properties {@code vault-url}, {@code tenant-id}, {@code
 * client-id}; and a source with {@code DefaultAzureCredential} that builds without sending anything.
 */
class BuilderAndProviderTest {

  @Test
  void vaultUrlsOfEveryAzureCloudAreAcceptedAndNormalized() {
    for (String url : new String[] {"https://my-vault.vault.azure.net", "https://My-Vault.vault.azure.net/",
        "https://cn-vault.vault.azure.cn", "https://gov-vault.vault.usgovcloudapi.net",
        "https://de-vault.vault.microsoftazure.de"}) {
      try (AzureKeyVaultSource s = AzureKeyVaultSource.builder().vaultUrl(url).build()) {
        assertThat(s.vaultUrl()).isEqualTo(url.toLowerCase().replaceAll("/$", ""));
      }
    }
  }

  @Test
  void aVaultUrlThatIsNotHttpsOrNotAKeyVaultHostIsRefusedSayingWhy() {
    assertRefused("http://my-vault.vault.azure.net", "HTTPS only");
    assertRefused("https://my-vault.example.com", "not a Key Vault vault");
    assertRefused("https://vault.azure.net.evil.example", "not a Key Vault vault");
    assertRefused("https://my-vault.vault.azure.net.evil.example", "not a Key Vault vault");
    assertRefused("https://my-hsm.managedhsm.azure.net", "keys only");
    assertRefused("https://my-vault.vault.azure.net/secrets/db", "no path");
    assertRefused("https://user@my-vault.vault.azure.net", "user info");
    assertRefused("https://ab.vault.azure.net", "not a Key Vault vault");
    assertRefused("my-vault.vault.azure.net", "absolute");
  }

  private static void assertRefused(String url, String why) {
    assertThatThrownBy(() -> AzureKeyVaultSource.builder().vaultUrl(url))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining(why)
        .hasMessageContaining("https://my-vault.vault.azure.net");
  }

  @Test
  void settingsForTheBuildersClientWithAClientOfYoursOrNoVaultAreConfigurationErrors() {
    KeyVaultFake.FakeCredential credential = new KeyVaultFake.FakeCredential();
    assertThatThrownBy(() -> AzureKeyVaultSource.builder().build())
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("needs a vault");
    assertThatThrownBy(() -> AzureKeyVaultSource.builder().vaultUrl("https://my-vault.vault.azure.net")
        .credential(credential).tenantId("t").build())
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("DefaultAzureCredential");
    var client = new com.azure.security.keyvault.secrets.SecretClientBuilder()
        .vaultUrl("https://my-vault.vault.azure.net").credential(credential).buildClient();
    assertThatThrownBy(() -> AzureKeyVaultSource.builder().client(client)
        .timeout(java.time.Duration.ofSeconds(1)).build())
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("your own SecretClient");
  }

  @Test
  void aSourceWithDefaultAzureCredentialBuildsWithoutTheTokenCachePersistenceBeingUsed() {
    // Building makes DefaultAzureCredential and the client; no request is sent until a read.
    try (AzureKeyVaultSource s = AzureKeyVaultSource.builder().vaultUrl("https://my-vault.vault.azure.net")
        .tenantId("00000000-0000-0000-0000-000000000001").managedIdentityClientId("11111111-2222-3333-4444-555555555555")
        .build()) {
      assertThat(s.scheme()).isEqualTo("azure-kv");
    }
  }

  @Test
  void theProviderReadsItsThreePropertiesAndRefusesOthersNamingTheClosest() {
    AzureKeyVaultSourceProvider provider = new AzureKeyVaultSourceProvider();
    assertThat(provider.scheme()).isEqualTo("azure-kv");
    try (SecretSource s = provider.create(Map.of("vault-url", "https://my-vault.vault.azure.net",
        "tenant-id", "00000000-0000-0000-0000-000000000001", "client-id", "11111111-2222-3333-4444-555555555555"))) {
      assertThat(((AzureKeyVaultSource) s).vaultUrl()).isEqualTo("https://my-vault.vault.azure.net");
    }
    assertThatThrownBy(() -> provider.create(Map.of("vault-uri", "https://my-vault.vault.azure.net")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("azure-kv.vault-url");
    assertThatThrownBy(() -> provider.create(Map.of("tenant-id", "t")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("needs the property azure-kv.vault-url");
    assertThatThrownBy(() -> provider.create(Map.of("vault-url", "http://my-vault.vault.azure.net")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("azure-kv.vault-url")
        .hasMessageContaining("HTTPS only");
  }

  @Test
  void fromPropertiesFindsTheProviderThroughTheServiceLoader() {
    try (SecretSource routed = SecretSources.fromProperties(Map.of("azure-kv.vault-url", "https://my-vault.vault.azure.net"))) {
      assertThat(routed.canonical(io.secretsdk.SecretRef.of("db")).scheme()).contains("azure-kv");
    }
  }
}
