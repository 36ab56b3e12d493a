/**
 * The Vault client's internals: HTTP transport, the response parser, token management and
 * configuration; not an API.
 */
@NullMarked
package io.secretsdk.vault.internal;

import org.jspecify.annotations.NullMarked;
