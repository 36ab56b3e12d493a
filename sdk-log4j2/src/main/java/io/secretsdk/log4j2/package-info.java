/**
 * Log4j 2 masking: the {@code <SecretMaskingLayout>} plugin ({@link
 * io.secretsdk.log4j2.SecretMaskingLayout}) wraps any string layout ({@code PatternLayout}, {@code
 * JsonTemplateLayout}, ...) and replaces, in each finished line, every value a secretsdk cache holds
 * with {@code ***secret:NAME***}: message, parameters, exception text and context data alike. See
 * {@link io.secretsdk.observe.SecretMasking} for what is masked and the limits.
 */
@NullMarked
package io.secretsdk.log4j2;

import org.jspecify.annotations.NullMarked;
