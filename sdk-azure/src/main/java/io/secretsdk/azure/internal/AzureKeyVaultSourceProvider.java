package io.secretsdk.azure.internal;

import io.secretsdk.SecretSource;
import io.secretsdk.azure.AzureKeyVaultSource;
import io.secretsdk.spi.ProviderProperties;
import io.secretsdk.spi.SecretSourceProvider;
import java.util.Map;
import java.util.Set;

/**
 * Makes {@link AzureKeyVaultSource}s for {@code SecretSources.fromProperties} from {@code
 * azure-kv.vault-url} (required), {@code azure-kv.tenant-id} and {@code azure-kv.client-id} (a
 * user-assigned managed identity), with {@code DefaultAzureCredential}.
 */
public final class AzureKeyVaultSourceProvider implements SecretSourceProvider {
  private static final Set<String> KNOWN = Set.of("vault-url", "tenant-id", "client-id");

  /** Used by {@link java.util.ServiceLoader}. */
  public AzureKeyVaultSourceProvider() {}

  @Override
  public String scheme() {
    return AzureKeyVaultSource.SCHEME;
  }

  @Override
  public SecretSource create(Map<String, String> properties) {
    ProviderProperties props = ProviderProperties.of(scheme(), properties, KNOWN);
    AzureKeyVaultSource.Builder b = AzureKeyVaultSource.builder();
    props.required("vault-url", "the vault's URL, e.g. https://my-vault.vault.azure.net");
    props.parsed("vault-url", "a Key Vault URL such as https://my-vault.vault.azure.net", b::vaultUrl);
    props.optional("tenant-id").ifPresent(b::tenantId);
    props.optional("client-id").ifPresent(b::managedIdentityClientId);
    return b.build();
  }
}
