/**
 * Implementation details shared by secretsdk's own modules; not an API.
 */
@NullMarked
package io.secretsdk.internal;

import org.jspecify.annotations.NullMarked;
