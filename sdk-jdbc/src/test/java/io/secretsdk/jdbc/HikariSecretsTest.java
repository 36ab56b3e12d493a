package io.secretsdk.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.secretsdk.SecretRef;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import io.secretsdk.jdbc.internal.RotatingHikariDataSource;
import io.secretsdk.jdbc.testing.CountingCache;
import io.secretsdk.testing.postgres.LocalPostgres;
import io.secretsdk.jdbc.testing.SecretFiles;
import io.secretsdk.resilience.ResiliencePolicy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HikariSecretsTest {
  private static LocalPostgres pg;
  private static final SecretRef REF = SecretRef.of("db.json");

  @TempDir Path dir;
  private CountingCache cache;
  private final List<String> roles = new ArrayList<>();

  @BeforeAll
  static void server() {
    pg = LocalPostgres.shared();
  }

  @BeforeEach
  void cache() {
    cache = new CountingCache(SecretCache.builder(FileSecretSource.of(dir))
        .overlap(Duration.ofSeconds(2))
        .resilience(ResiliencePolicy.none())
        .build());
  }

  @AfterEach
  void cleanUp() throws Exception {
    cache.close();
    for (String role : roles) {
      pg.dropRole(role);
    }
  }

  private String role(String name, String password) throws Exception {
    pg.createRole(name, password);
    roles.add(name);
    return name;
  }

  private HikariConfig config(int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(pg.jdbcUrl("postgres"));
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    config.setConnectionTimeout(3000);
    return config;
  }

  private static String currentUser(HikariDataSource ds) throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_user")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void poolLogsInWithTheSecretsCredentialsAndIgnoresConfiguredOnes() throws Exception {
    String password = SecretFiles.newPassword();
    role("hs_login", password);
    SecretFiles.writeAws(dir.resolve("db.json"), pg, "hs_login", password);
    HikariConfig config = config(2);
    config.setUsername("someone_else");
    config.setPassword("not-the-password");
    try (HikariDataSource ds = HikariSecrets.dataSource(config, cache, REF)) {
      assertThat(currentUser(ds)).isEqualTo("hs_login");
      assertThat(config.getCredentialsProvider()).as("the caller's configuration is not modified").isNull();
      assertThat(config.getUsername()).isEqualTo("someone_else");
    }
  }

  @Test
  void configuredFieldNamesAreRead() throws Exception {
    String password = SecretFiles.newPassword();
    role("hs_fields", password);
    SecretFiles.write(dir.resolve("db.json"), "{\"login\":\"hs_fields\",\"secret\":\"" + password + "\"}");
    try (HikariDataSource ds = HikariSecrets.dataSource(config(1), cache, REF, "login", "secret")) {
      assertThat(currentUser(ds)).isEqualTo("hs_fields");
    }
  }

  @Test
  void closingThePoolReleasesTheSubscription() throws Exception {
    String password = SecretFiles.newPassword();
    role("hs_close", password);
    SecretFiles.writeAws(dir.resolve("db.json"), pg, "hs_close", password);
    HikariDataSource ds = HikariSecrets.dataSource(config(1), cache, REF);
    assertThat(cache.openSubscriptions()).isEqualTo(1);
    ds.close();
    assertThat(cache.openSubscriptions()).isZero();
    assertThat(ds.isClosed()).isTrue();
  }

  @Test
  void aConfigurationWithoutUrlOrDataSourceIsRefused() {
    assertThatThrownBy(() -> HikariSecrets.dataSource(new HikariConfig(), cache, REF))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbcUrl");
    assertThat(cache.openSubscriptions()).isZero();
  }

  @Test
  void afterARotationOnlyConnectionsWithOldCredentialsAreRetiredBeforeTheOverlapEnds() throws Exception {
    String bluePassword = SecretFiles.newPassword();
    String greenPassword = SecretFiles.newPassword();
    role("hs_blue", bluePassword);
    role("hs_green", greenPassword);
    SecretFiles.writeAws(dir.resolve("db.json"), pg, "hs_blue", bluePassword);
    try (HikariDataSource ds = HikariSecrets.dataSource(config(4), cache, REF)) {
      awaitSessions("hs_blue", 4);
      long rotatedAt = System.nanoTime();
      SecretFiles.writeAws(dir.resolve("db.json"), pg, "hs_green", greenPassword);
      cache.refresh(REF).join();
      // An idle pool: nothing is borrowed, so the sweep retires the connections.
      while (pg.sessions("hs_blue") > 0) {
        assertThat(Duration.ofNanos(System.nanoTime() - rotatedAt)).isLessThan(Duration.ofSeconds(2));
        Thread.sleep(20);
      }
      assertThat(currentUser(ds)).isEqualTo("hs_green");
      awaitSessions("hs_green", 4);
      assertThat(((RotatingHikariDataSource) ds).openByVersion()).hasSize(1);
    }
  }

  @Test
  void aConnectionWhoseLoginWasUnderWayDuringTheRotationIsRetiredToo() throws Exception {
    String bluePassword = SecretFiles.newPassword();
    String greenPassword = SecretFiles.newPassword();
    role("hs_blue_slow", bluePassword);
    role("hs_green_slow", greenPassword);
    SecretFiles.writeAws(dir.resolve("db.json"), pg, "hs_blue_slow", bluePassword);
    org.postgresql.ds.PGSimpleDataSource postgres = new org.postgresql.ds.PGSimpleDataSource();
    postgres.setURL(pg.jdbcUrl("postgres"));
    java.util.concurrent.atomic.AtomicBoolean hold = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    // A data source whose next login stalls until the test has rotated the secret.
    javax.sql.DataSource slow = new javax.sql.DataSource() {
      @Override
      public Connection getConnection() throws java.sql.SQLException {
        return postgres.getConnection();
      }

      @Override
      public Connection getConnection(String user, String password) throws java.sql.SQLException {
        if (hold.compareAndSet(true, false)) {
          entered.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return postgres.getConnection(user, password);
      }

      @Override
      public java.io.PrintWriter getLogWriter() {
        return null;
      }

      @Override
      public void setLogWriter(java.io.PrintWriter out) {}

      @Override
      public void setLoginTimeout(int seconds) {}

      @Override
      public int getLoginTimeout() {
        return 0;
      }

      @Override
      public java.util.logging.Logger getParentLogger() {
        return java.util.logging.Logger.getLogger("test");
      }

      @Override
      public <T> T unwrap(Class<T> iface) throws java.sql.SQLException {
        throw new java.sql.SQLException("not a wrapper");
      }

      @Override
      public boolean isWrapperFor(Class<?> iface) {
        return false;
      }
    };
    HikariConfig config = new HikariConfig();
    config.setDataSource(slow);
    config.setMaximumPoolSize(2);
    config.setMinimumIdle(2);
    config.setConnectionTimeout(3000);
    try (HikariDataSource ds = HikariSecrets.dataSource(config, cache, REF)) {
      awaitSessions("hs_blue_slow", 2);
      hold.set(true);
      Connection borrowed = ds.getConnection();
      ds.evictConnection(borrowed);
      assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("a new login started").isTrue();
      // The pool took the blue credentials; the secret rotates to green before that login ends.
      SecretFiles.writeAws(dir.resolve("db.json"), pg, "hs_green_slow", greenPassword);
      long rotatedAt = System.nanoTime();
      cache.refresh(REF).join();
      release.countDown();
      awaitSessions("hs_blue_slow", 2);
      while (pg.sessions("hs_blue_slow") > 0) {
        assertThat(Duration.ofNanos(System.nanoTime() - rotatedAt)).isLessThan(Duration.ofSeconds(2));
        Thread.sleep(20);
      }
      assertThat(currentUser(ds)).isEqualTo("hs_green_slow");
    }
  }

  private static void awaitSessions(String role, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (pg.sessions(role) < count) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
