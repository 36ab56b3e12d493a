/**
 * secretsdk's Azure backend: Azure Key Vault secrets (scheme {@code azure-kv}) on
 * azure-security-keyvault-secrets, over the JDK's HTTP client, with {@code DefaultAzureCredential}
 * unless a credential or a client is given.
 */
module io.secretsdk.azure {
  requires transitive io.secretsdk;
  // The builder takes the vendor's SecretClient, TokenCredential and HttpClient.
  requires transitive com.azure.security.keyvault.secrets;
  requires transitive com.azure.core;
  requires com.azure.core.http.jdk.httpclient;
  requires com.azure.identity;
  requires java.net.http;
  requires org.slf4j;

  exports io.secretsdk.azure;

  provides io.secretsdk.spi.SecretSourceProvider with
      io.secretsdk.azure.internal.AzureKeyVaultSourceProvider;
}
