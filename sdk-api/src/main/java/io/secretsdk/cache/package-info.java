/**
 * The lease-aware cache: refresh ahead, lease renewal, rotation with overlap, stale-if-error.
 */
@NullMarked
package io.secretsdk.cache;

import org.jspecify.annotations.NullMarked;
