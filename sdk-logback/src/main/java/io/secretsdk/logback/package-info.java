/**
 * Logback masking: {@link io.secretsdk.logback.SecretMaskingEncoder} (in place of {@code
 * PatternLayoutEncoder}) and {@link io.secretsdk.logback.SecretMaskingLayout} (in place of {@code
 * PatternLayout}) render the line as the pattern says, then replace every value a secretsdk cache
 * holds with {@code ***secret:NAME***}: in the message, its arguments, the exception text and the
 * MDC alike, since they mask the finished line. See {@link io.secretsdk.observe.SecretMasking} for
 * what is masked and the limits.
 */
@NullMarked
package io.secretsdk.logback;

import org.jspecify.annotations.NullMarked;
