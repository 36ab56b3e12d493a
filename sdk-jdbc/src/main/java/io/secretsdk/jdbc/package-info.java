/**
 * Database credentials from secrets, for connection pools that must follow a rotation without a
 * failed query: {@link io.secretsdk.jdbc.HikariSecrets} for HikariCP and {@link
 * io.secretsdk.jdbc.SecretDataSource} for any pool.
 */
@NullMarked
package io.secretsdk.jdbc;

import org.jspecify.annotations.NullMarked;
