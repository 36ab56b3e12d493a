/**
 * HashiCorp Vault as a secret source (scheme {@code vault}): {@link
 * io.secretsdk.vault.VaultSecretSource}, authenticated by a {@link io.secretsdk.vault.VaultAuth}.
 */
@NullMarked
package io.secretsdk.vault;

import org.jspecify.annotations.NullMarked;
