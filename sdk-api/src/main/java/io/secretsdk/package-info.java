/**
 * The provider-neutral API: secret values that can be wiped ({@link io.secretsdk.SecretValue}),
 * secrets with their metadata ({@link io.secretsdk.Secret}), references ({@link io.secretsdk.SecretRef}),
 * the backend SPI ({@link io.secretsdk.SecretSource}) and the typed errors.
 */
@NullMarked
package io.secretsdk;

import org.jspecify.annotations.NullMarked;
