/**
 * Internals of the Google Cloud backend: resource-name parsing, payload checks and conversion,
 * error mapping, the clients the source makes, the secret-metadata memo and the {@link
 * io.secretsdk.spi.SecretSourceProvider}. Not an API.
 */
@NullMarked
package io.secretsdk.gcp.internal;

import org.jspecify.annotations.NullMarked;
