/**
 * What every module's tests share: the {@link io.secretsdk.testing.LeakGuard} that fails a test
 * whose logs hold one of its secrets, and a scanner of heap dumps.
 */
@NullMarked
package io.secretsdk.testing;

import org.jspecify.annotations.NullMarked;
