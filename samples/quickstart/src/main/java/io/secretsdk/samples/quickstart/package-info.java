/** The quickstart sample: the file backend, no cloud account needed. */
@NullMarked
package io.secretsdk.samples.quickstart;

import org.jspecify.annotations.NullMarked;
