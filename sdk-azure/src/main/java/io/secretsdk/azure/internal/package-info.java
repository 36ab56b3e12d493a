/**
 * Internals of the Azure Key Vault backend: error mapping, vault URL and reference parsing, the
 * default client and the {@link io.secretsdk.spi.SecretSourceProvider}. Not an API.
 */
@NullMarked
package io.secretsdk.azure.internal;

import org.jspecify.annotations.NullMarked;
