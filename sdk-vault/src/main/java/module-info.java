/**
 * HashiCorp Vault as a secret source (scheme {@code vault}), on java.net.http and Jackson's
 * streaming parser.
 */
module io.secretsdk.vault {
  requires transitive io.secretsdk;
  requires java.net.http;
  requires com.fasterxml.jackson.core;
  requires org.slf4j;

  exports io.secretsdk.vault;

  provides io.secretsdk.spi.SecretSourceProvider with
      io.secretsdk.vault.internal.VaultSecretSourceProvider;
}
