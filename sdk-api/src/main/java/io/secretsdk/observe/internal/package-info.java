/** Flight Recorder events and the fingerprint registry behind masking; not API. */
@NullMarked
package io.secretsdk.observe.internal;

import org.jspecify.annotations.NullMarked;
