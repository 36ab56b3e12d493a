/**
 * Internals of the AWS backends: error mapping, default clients, reference parsing and the
 * {@link io.secretsdk.spi.SecretSourceProvider}s. Not an API.
 */
@NullMarked
package io.secretsdk.aws.internal;

import org.jspecify.annotations.NullMarked;
