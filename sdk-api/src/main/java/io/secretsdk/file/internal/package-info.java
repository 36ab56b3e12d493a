/**
 * Implementation details of the file backend; not an API.
 */
@NullMarked
package io.secretsdk.file.internal;

import org.jspecify.annotations.NullMarked;
