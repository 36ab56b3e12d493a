/**
 * What the SDK lets you see at run time, never a value: the {@link io.secretsdk.observe.SecretObserver}
 * callbacks a cache makes ({@link io.secretsdk.cache.SecretCache.Builder#observer}), the ready
 * {@link io.secretsdk.observe.AuditTrail}, and {@link io.secretsdk.observe.SecretMasking}, which
 * masks held values in rendered log lines.
 *
 * <p>The cache also records JDK Flight Recorder events, with no dependency and next to no cost
 * while no recording runs: {@code io.secretsdk.BackendCall}, {@code io.secretsdk.Rotation},
 * {@code io.secretsdk.Expired} and {@code io.secretsdk.FirstRead}. Turn them on with, for
 * example, {@code java -XX:StartFlightRecording:filename=app.jfr,settings=profile ...} and read
 * them with {@code jfr print --categories secretsdk app.jfr} (or in JDK Mission Control).
 */
@NullMarked
package io.secretsdk.observe;

import org.jspecify.annotations.NullMarked;
