/** The cost of masking held secret values in rendered log lines. */
@NullMarked
package io.secretsdk.benchmarks.logging;

import org.jspecify.annotations.NullMarked;
