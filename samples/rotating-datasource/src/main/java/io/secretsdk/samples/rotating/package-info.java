/** The rotating data source sample: a database password rotates under load, no query fails. */
@NullMarked
package io.secretsdk.samples.rotating;

import org.jspecify.annotations.NullMarked;
