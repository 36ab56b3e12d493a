/**
 * The Azure Key Vault backend: {@link io.secretsdk.azure.AzureKeyVaultSource} (scheme {@code
 * azure-kv}) on azure-security-keyvault-secrets.
 *
 * <p><b>Who retries.</b> secretsdk's {@code ResiliencePolicy} retries transient errors (throttling,
 * 5xx, timeouts, connection failures) with jittered backoff, honouring {@code Retry-After}. The
 * {@code SecretClient} that the source builds itself therefore has azure-core's retry policy set to
 * no retries, so that the two never multiply. A client passed to the builder is used exactly as it
 * was built: azure-core retries by default (three retries, exponential from 800 ms up to 8 s), so
 * each attempt the policy makes can become four requests; build it with {@code
 * retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1))))}, or give the cache
 * {@code ResiliencePolicy.none()}. The challenge handshake of Key Vault's authentication (one
 * unauthenticated request answered 401, once per vault host and process) is not a retry.
 */
@NullMarked
package io.secretsdk.azure;

import org.jspecify.annotations.NullMarked;
