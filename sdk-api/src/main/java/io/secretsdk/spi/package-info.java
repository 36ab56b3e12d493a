/**
 * Discovery of backends through {@link java.util.ServiceLoader}.
 */
@NullMarked
package io.secretsdk.spi;

import org.jspecify.annotations.NullMarked;
