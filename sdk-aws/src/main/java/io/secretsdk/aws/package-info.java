/**
 * AWS backends on AWS SDK for Java v2: {@link io.secretsdk.aws.AwsSecretsManagerSource} (scheme
 * {@code aws-sm}) and {@link io.secretsdk.aws.SsmParameterSource} (scheme {@code aws-ssm}).
 *
 * <p><b>Who retries.</b> secretsdk's {@code ResiliencePolicy} retries transient errors (throttling,
 * 5xx, timeouts, connection failures) with jittered backoff. A client that these sources build
 * themselves therefore has the SDK's own retries turned off, so that the two never multiply. A
 * client passed to a builder is used exactly as it was built: if it retries (the SDK's default is
 * up to three attempts), each attempt the policy makes is that many requests, so build it with
 * {@code AwsRetryStrategy.doNotRetry()} or give the cache {@code ResiliencePolicy.none()}.
 */
@NullMarked
package io.secretsdk.aws;

import org.jspecify.annotations.NullMarked;
