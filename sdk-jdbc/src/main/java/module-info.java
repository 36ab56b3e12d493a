/**
 * Connection pools that follow secret rotation: a HikariCP credentials provider fed by the cache
 * with the rollover of open connections, and a pool-agnostic {@code DataSource} that retries
 * authentication failures with fresh and previous credentials.
 */
module io.secretsdk.jdbc {
  requires transitive io.secretsdk;
  requires transitive java.sql;
  // Optional: only HikariSecrets needs HikariCP; SecretDataSource works under any pool.
  requires static transitive com.zaxxer.hikari;
  requires org.slf4j;

  exports io.secretsdk.jdbc;
}
