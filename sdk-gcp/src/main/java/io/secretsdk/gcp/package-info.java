/**
 * Google Cloud Secret Manager backend: {@link io.secretsdk.gcp.GcpSecretManagerSource} (scheme
 * {@code gcp-sm}) on google-cloud-secretmanager, over gRPC (the default) or HTTP/JSON.
 *
 * <p><b>Who retries.</b> secretsdk's {@code ResiliencePolicy} retries transient errors ({@code
 * UNAVAILABLE}, {@code DEADLINE_EXCEEDED}, throttling after its {@code RetryInfo} delay) with
 * jittered backoff. A client this source makes therefore has the client library's retries turned
 * off: one attempt per call, with a deadline. A client passed to the builder is used exactly as it
 * was built: by default the library retries {@code AccessSecretVersion} on {@code UNAVAILABLE} and
 * {@code RESOURCE_EXHAUSTED}, 2 s doubling up to a minute in total, so each attempt of the policy
 * may be many requests; build it with {@code setSimpleTimeoutNoRetriesDuration} on the call
 * settings, or give the cache {@code ResiliencePolicy.none()}.
 */
@NullMarked
package io.secretsdk.gcp;

import org.jspecify.annotations.NullMarked;
