/**
 * The starter's machinery (not API): the backend assembly, the activity recorder behind the
 * endpoint, health and metrics, the {@code spring.config.import=secrets:} support and the
 * rebinding of configuration properties after a rotation.
 */
@NullMarked
package io.secretsdk.spring.internal;

import org.jspecify.annotations.NullMarked;
