/**
 * A real PostgreSQL for tests and samples, started from the binaries of a Maven jar ({@link
 * io.secretsdk.testing.postgres.LocalPostgres}), and a query load that counts failures ({@link
 * io.secretsdk.testing.postgres.QueryLoad}). Never published.
 */
@NullMarked
package io.secretsdk.testing.postgres;

import org.jspecify.annotations.NullMarked;
