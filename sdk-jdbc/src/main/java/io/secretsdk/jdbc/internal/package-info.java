/**
 * Internals of the JDBC integration: the authentication-failure classifier, the connector that
 * opens physical connections with retries, and the HikariCP rollover. Not exported.
 */
@NullMarked
package io.secretsdk.jdbc.internal;

import org.jspecify.annotations.NullMarked;
