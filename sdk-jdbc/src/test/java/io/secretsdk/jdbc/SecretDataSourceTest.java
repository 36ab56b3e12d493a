package io.secretsdk.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.secretsdk.Secret;
import org.apache.commons.dbcp2.DataSourceConnectionFactory;
import org.apache.commons.dbcp2.PoolableConnection;
import org.apache.commons.dbcp2.PoolableConnectionFactory;
import org.apache.commons.dbcp2.PoolingDataSource;
import org.apache.commons.pool2.impl.GenericObjectPool;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import io.secretsdk.testing.postgres.LocalPostgres;
import io.secretsdk.testing.postgres.QueryLoad;
import io.secretsdk.jdbc.testing.SecretFiles;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretDataSourceTest {
  private static final SecretRef REF = SecretRef.of("db.json");
  private static LocalPostgres pg;

  @TempDir Path dir;
  private Path file;
  private final ManualClock clock = new ManualClock();
  private CountingSource source;
  private SecretCache cache;
  private final List<String> roles = new ArrayList<>();
  /** Sleeps asked for by the data source; each moves the clock instead of sleeping. */
  private final List<Duration> sleeps = new ArrayList<>();
  private Runnable onSleep = () -> {};

  @BeforeAll
  static void server() {
    pg = LocalPostgres.shared();
  }

  @BeforeEach
  void setUp() {
    file = dir.resolve("db.json");
    source = new CountingSource(FileSecretSource.of(dir));
    cache = SecretCache.builder(source)
        .clock(clock)
        .scheduler(new ManualScheduler(clock))
        .listenerExecutor(Runnable::run)
        .resilience(ResiliencePolicy.none())
        .overlap(Duration.ofMinutes(5))
        .build();
  }

  @AfterEach
  void tearDown() throws SQLException {
    cache.close();
    for (String role : roles) {
      pg.dropRole(role);
    }
  }

  private String role(String name, String password) throws SQLException {
    pg.createRole(name, password);
    roles.add(name);
    return name;
  }

  private SecretDataSource.Builder builder() {
    return SecretDataSource.builder(pg.jdbcUrl("postgres"), cache, REF)
        .clock(clock)
        .sleeper(d -> {
          sleeps.add(d);
          clock.advance(d);
          onSleep.run();
        });
  }

  private static String currentUser(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_user")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void logsInWithTheCredentialsOfAnAwsFormattedSecret() throws Exception {
    String password = SecretFiles.newPassword();
    role("sds_aws", password);
    SecretFiles.writeAws(file, pg, "sds_aws", password);
    try (Connection c = SecretDataSource.of(pg.jdbcUrl("postgres"), cache, REF).getConnection()) {
      assertThat(currentUser(c)).isEqualTo("sds_aws");
    }
  }

  @Test
  void logsInWithTheCredentialsOfAVaultFormattedSecret() throws Exception {
    String password = SecretFiles.newPassword();
    role("sds_vault", password);
    SecretFiles.write(file, "{\"username\":\"sds_vault\",\"password\":\"" + password + "\"}");
    try (Connection c = builder().build().getConnection()) {
      assertThat(currentUser(c)).isEqualTo("sds_vault");
    }
  }

  @Test
  void configuredFieldNamesAreRead() throws Exception {
    String password = SecretFiles.newPassword();
    role("sds_fields", password);
    SecretFiles.write(file, "{\"db_user\":\"sds_fields\",\"db_pass\":\"" + password + "\",\"username\":\"nobody\"}");
    try (Connection c = builder().fields("db_user", "db_pass").build().getConnection()) {
      assertThat(currentUser(c)).isEqualTo("sds_fields");
    }
  }

  @Test
  void aSecretWithoutTheFieldsIsAClearConnectionError() {
    io.secretsdk.testing.LeakGuard.watch("some-value");
    SecretFiles.write(file, "{\"user\":\"x\",\"pass\":\"some-value\"}");
    assertThatThrownBy(() -> builder().build().getConnection())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("db.json")
        .hasMessageContaining("'username'")
        .hasMessageNotContaining("some-value");
  }

  @Test
  void aPasswordChangedBeforeTheSecretIsRetriedUntilTheSecretCatchesUp() throws Exception {
    String old = SecretFiles.newPassword();
    String next = SecretFiles.newPassword();
    role("sds_lag", old);
    SecretFiles.writeAws(file, pg, "sds_lag", old);
    SecretDataSource ds = builder().build();
    ds.getConnection().close();
    pg.alterPassword("sds_lag", next);
    Instant start = clock.instant();
    // The secret store publishes the new password 3 seconds after the database changed it.
    onSleep = () -> {
      if (Duration.between(start, clock.instant()).compareTo(Duration.ofSeconds(3)) >= 0) {
        SecretFiles.writeAws(file, pg, "sds_lag", next);
      }
    };
    try (Connection c = ds.getConnection()) {
      assertThat(currentUser(c)).isEqualTo("sds_lag");
    }
    Duration waited = Duration.between(start, clock.instant());
    assertThat(waited).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(6));
    assertThat(sleeps).allSatisfy(d -> assertThat(d).isBetween(Duration.ofMillis(50), Duration.ofSeconds(2)));
    // Forced refreshes are paced: at most one per second of retrying, plus the first load.
    assertThat(source.fetches.get()).isLessThanOrEqualTo(2 + (int) waited.toSeconds());
  }

  @Test
  void theSecretChangedBeforeThePasswordFallsBackToThePreviousCredentials() throws Exception {
    String old = SecretFiles.newPassword();
    String next = SecretFiles.newPassword();
    role("sds_ahead", old);
    SecretFiles.writeAws(file, pg, "sds_ahead", old);
    SecretDataSource ds = builder().build();
    ds.getConnection().close();
    SecretFiles.writeAws(file, pg, "sds_ahead", next);
    Secret rotated = cache.refresh(REF).join();
    assertThat(cache.previous(REF)).isPresent();
    try (Connection c = ds.getConnection()) {
      assertThat(currentUser(c)).isEqualTo("sds_ahead");
    }
    assertThat(sleeps).as("the previous credentials work at once").isEmpty();
    pg.alterPassword("sds_ahead", next);
    int fetches = source.fetches.get();
    try (Connection c = ds.getConnection()) {
      assertThat(currentUser(c)).isEqualTo("sds_ahead");
    }
    assertThat(source.fetches.get()).as("the current credentials work: no refresh").isEqualTo(fetches);
    assertThat(cache.get(REF).versionId()).isEqualTo(rotated.versionId());
  }

  @Test
  void authenticationFailuresStopAfterTheRetryWindowWithoutRevealingThePassword() throws Exception {
    String real = SecretFiles.newPassword();
    String wrong = SecretFiles.newPassword();
    role("sds_wrong", real);
    SecretFiles.writeAws(file, pg, "sds_wrong", wrong);
    Instant start = clock.instant();
    assertThatThrownBy(() -> builder().retryWindow(Duration.ofSeconds(30)).build().getConnection())
        .isInstanceOf(SQLInvalidAuthorizationSpecException.class)
        .hasMessageContaining("db.json")
        .hasMessageContaining("retry window of 30 s")
        .hasMessageNotContaining(wrong)
        .hasMessageNotContaining(real)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"))
        .hasCauseInstanceOf(SQLException.class);
    Duration waited = Duration.between(start, clock.instant());
    assertThat(waited).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(30));
    assertThat(sleeps.size()).isBetween(15, 40);
  }

  @Test
  void aZeroRetryWindowMakesOneRecoveryRoundWithoutWaiting() throws Exception {
    String real = SecretFiles.newPassword();
    role("sds_zero", real);
    SecretFiles.writeAws(file, pg, "sds_zero", SecretFiles.newPassword());
    assertThatThrownBy(() -> builder().retryWindow(Duration.ZERO).build().getConnection())
        .isInstanceOf(SQLInvalidAuthorizationSpecException.class);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void failuresOtherThanAuthenticationAreNotRetried() throws Exception {
    String password = SecretFiles.newPassword();
    SecretFiles.write(file, "{\"username\":\"sds_other\",\"password\":\"" + password + "\"}");
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    SecretDataSource ds = SecretDataSource.builder("jdbc:postgresql://127.0.0.1:" + closedPort + "/postgres", cache, REF)
        .clock(clock).sleeper(d -> sleeps.add(d)).build();
    assertThatThrownBy(ds::getConnection)
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("08"));
    assertThat(sleeps).isEmpty();
  }

  @Test
  void concurrentAuthenticationFailuresShareOneRefresh() throws Exception {
    role("sds_crowd", SecretFiles.newPassword());
    SecretFiles.writeAws(file, pg, "sds_crowd", SecretFiles.newPassword());
    SecretDataSource ds = builder().retryWindow(Duration.ZERO).build();
    cache.get(REF);
    int threads = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Throwable>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          go.await();
          try {
            ds.getConnection().close();
            return null;
          } catch (SQLException e) {
            return e;
          }
        }));
      }
      go.countDown();
      for (Future<Throwable> r : results) {
        assertThat(r.get(30, TimeUnit.SECONDS)).isInstanceOf(SQLInvalidAuthorizationSpecException.class);
      }
    } finally {
      pool.shutdownNow();
    }
    // The first load, and one forced refresh shared by all eight (the clock does not move).
    assertThat(source.fetches.get()).isEqualTo(2);
  }

  @Test
  void explicitCredentialsAndDriverPropertiesWithCredentialsAreRefused() {
    SecretDataSource ds = builder().build();
    assertThatThrownBy(() -> ds.getConnection("someone", "something"))
        .isInstanceOf(SQLFeatureNotSupportedException.class)
        .hasMessageContaining("db.json");
    Properties props = new Properties();
    props.setProperty("password", "x");
    assertThatThrownBy(() -> builder().driverProperties(props)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().fields("same", "same")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SecretDataSource.of("postgresql://host/db", cache, REF))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toStringShowsTheSecretButNotTheUrlParameters() {
    String ds = SecretDataSource.of(pg.jdbcUrl("postgres") + "?password=in-url-9", cache, REF).toString();
    assertThat(ds).contains("db.json").contains("127.0.0.1").doesNotContain("in-url-9");
  }

  @Test
  void underAnotherPoolAPasswordChangedAheadOfTheSecretFailsNoQuery() throws Exception {
    String password = SecretFiles.newPassword();
    role("sds_pooled", password);
    SecretFiles.writeAws(file, pg, "sds_pooled", password);
    SecretCache realTime = SecretCache.builder(FileSecretSource.of(dir)).resilience(ResiliencePolicy.none()).build();
    HikariConfig config = new HikariConfig();
    config.setDataSource(SecretDataSource.of(pg.jdbcUrl("postgres"), realTime, REF));
    config.setMaximumPoolSize(4);
    config.setConnectionTimeout(5000);
    try (realTime; HikariDataSource pool = new HikariDataSource(config)) {
      QueryLoad load = QueryLoad.start(pool, 8);
      for (int i = 0; i < 3; i++) {
        String next = SecretFiles.newPassword();
        pg.alterPassword("sds_pooled", next);
        // Every connection is replaced now, while the secret still holds the old password.
        pool.getHikariPoolMXBean().softEvictConnections();
        Thread.sleep(300);
        SecretFiles.writeAws(file, pg, "sds_pooled", next);
        Thread.sleep(300);
      }
      load.close();
      System.out.printf("[rotation-proof] SecretDataSource under a plain HikariCP pool, password changed 300 ms "
          + "ahead of the secret, whole pool replaced: 3 rotations, %d queries, %d failed%n", load.queries(),
          load.failures());
      assertThat(load.failures()).as("failed queries: %s", load.failureSamples()).isZero();
      assertThat(load.queries()).isPositive();
    }
  }

  @Test
  void underCommonsDbcpBothRotationOrdersFailNoQuery() throws Exception {
    String password = SecretFiles.newPassword();
    role("sds_dbcp", password);
    SecretFiles.writeAws(file, pg, "sds_dbcp", password);
    SecretCache realTime = SecretCache.builder(FileSecretSource.of(dir)).resilience(ResiliencePolicy.none()).build();
    PoolableConnectionFactory factory = new PoolableConnectionFactory(
        new DataSourceConnectionFactory(SecretDataSource.of(pg.jdbcUrl("postgres"), realTime, REF)), null);
    // Short-lived connections: DBCP keeps opening new physical connections while the rotations run.
    factory.setMaxConn(Duration.ofMillis(200));
    GenericObjectPool<PoolableConnection> objects = new GenericObjectPool<>(factory);
    factory.setPool(objects);
    objects.setMaxTotal(4);
    objects.setMaxWait(Duration.ofSeconds(10));
    try (realTime; PoolingDataSource<PoolableConnection> pool = new PoolingDataSource<>(objects)) {
      QueryLoad load = QueryLoad.start(pool, 8);
      for (int i = 0; i < 6; i++) {
        String next = SecretFiles.newPassword();
        if (i % 2 == 0) {
          pg.alterPassword("sds_dbcp", next); // the database first: new logins retry until the secret catches up
          objects.clear();
          Thread.sleep(300);
          SecretFiles.writeAws(file, pg, "sds_dbcp", next);
          realTime.refresh(REF).join();
        } else {
          SecretFiles.writeAws(file, pg, "sds_dbcp", next); // the secret first: new logins fall back to the previous
          realTime.refresh(REF).join();
          objects.clear();
          Thread.sleep(300);
          pg.alterPassword("sds_dbcp", next);
        }
        Thread.sleep(300);
      }
      load.close();
      System.out.printf("[rotation-proof] SecretDataSource under Apache Commons DBCP2, 6 single-user rotations in both "
          + "orders, idle connections cleared each time: %d queries, %d failed, %d physical connections%n",
          load.queries(), load.failures(), objects.getCreatedCount());
      assertThat(load.failures()).as("failed queries: %s", load.failureSamples()).isZero();
      assertThat(objects.getCreatedCount()).as("physical connections opened").isGreaterThan(12);
    }
  }

  /** The real file source, counting its fetches. */
  private static final class CountingSource implements SecretSource {
    private final SecretSource delegate;
    final AtomicInteger fetches = new AtomicInteger();

    CountingSource(SecretSource delegate) {
      this.delegate = delegate;
    }

    @Override
    public String scheme() {
      return delegate.scheme();
    }

    @Override
    public Secret fetch(SecretRef ref) {
      fetches.incrementAndGet();
      return delegate.fetch(ref);
    }
  }
}
