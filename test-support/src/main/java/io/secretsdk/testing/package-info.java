/**
 * What every module's tests share: the {@link io.secretsdk.testing.LeakGuard} that fails a test
 * whose logs hold one of its secrets, a scanner of heap dumps, and a {@link
 * io.secretsdk.testing.ManualClock} with its {@link io.secretsdk.testing.ManualScheduler} so that
 * tests move time instead of sleeping.
 */
@NullMarked
package io.secretsdk.testing;

import org.jspecify.annotations.NullMarked;
