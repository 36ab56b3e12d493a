/** A Spring Boot application whose database password rotates without a restart or a failed request. */
@NullMarked
package io.secretsdk.samples.boot;

import org.jspecify.annotations.NullMarked;
