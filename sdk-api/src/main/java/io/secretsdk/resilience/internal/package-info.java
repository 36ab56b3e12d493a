/** How a {@link io.secretsdk.resilience.ResiliencePolicy} is applied to backend calls; not API. */
@NullMarked
package io.secretsdk.resilience.internal;

import org.jspecify.annotations.NullMarked;
