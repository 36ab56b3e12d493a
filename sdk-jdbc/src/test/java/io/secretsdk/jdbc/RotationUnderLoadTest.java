package io.secretsdk.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import io.secretsdk.jdbc.internal.RotatingHikariDataSource;
import io.secretsdk.testing.postgres.LocalPostgres;
import io.secretsdk.testing.postgres.QueryLoad;
import io.secretsdk.jdbc.testing.SecretFiles;
import io.secretsdk.resilience.ResiliencePolicy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The proof: a real PostgreSQL, real HikariCP, the real cache over the file backend, and 8
 * threads running queries without pause through the pool while credentials rotate; every failed
 * query is counted. Each rotation is measured: how long until no session of the pool uses the old
 * credentials, observed in {@code pg_stat_activity}.
 */
class RotationUnderLoadTest {
  private static final int THREADS = 8;
  private static final int POOL = 6;
  private static final Duration OVERLAP = Duration.ofSeconds(2);
  /** The gap between the two steps of a single-user rotation (set and finish). */
  private static final Duration GAP = Duration.ofMillis(150);
  private static final SecretRef REF = SecretRef.of("db.json");
  private static LocalPostgres pg;

  @TempDir Path dir;
  private Path file;
  private final List<String> roles = new ArrayList<>();
  private final BlockingQueue<RotationEvent> events = new LinkedBlockingQueue<>();
  private Connection monitor;

  @BeforeAll
  static void server() {
    pg = LocalPostgres.shared();
  }

  @BeforeEach
  void setUp() throws SQLException {
    file = dir.resolve("db.json");
    monitor = pg.adminConnection();
  }

  @AfterEach
  void tearDown() throws SQLException {
    monitor.close();
    for (String role : roles) {
      pg.dropRole(role);
    }
  }

  enum Order { PASSWORD_THEN_SECRET, SECRET_THEN_PASSWORD }

  @ParameterizedTest
  @EnumSource(Order.class)
  void singleUserRotationTenTimesUnderLoadFailsNoQuery(Order order) throws Exception {
    String password = SecretFiles.newPassword();
    role("load_single_" + order.ordinal(), password);
    String role = roles.get(0);
    SecretFiles.writeAws(file, pg, role, password);
    try (SecretCache cache = cache(FileSecretSource.of(dir));
        HikariDataSource ds = HikariSecrets.dataSource(config(3000), cache, REF)) {
      cache.onRotation(REF, events::add);
      QueryLoad load = QueryLoad.start(ds, THREADS);
      List<Long> rollovers = new ArrayList<>();
      try {
        for (int i = 0; i < 10; i++) {
          String next = SecretFiles.newPassword();
          // Sessions that began before this server time logged in with the old password.
          Timestamp oldBefore;
          RotationEvent event;
          if (order == Order.PASSWORD_THEN_SECRET) {
            oldBefore = pg.alterPasswordAt(role, next);
            Thread.sleep(GAP.toMillis());
            SecretFiles.writeAws(file, pg, role, next);
            cache.refresh(REF).join();
            event = nextEvent();
          } else {
            // Logins in the gap use the previous password too, but one that began just before the
            // ALTER may finish after it with the new one: the server cannot tell them apart by time,
            // so for those the pool's own record of each connection's version is checked as well.
            oldBefore = pg.now();
            SecretFiles.writeAws(file, pg, role, next);
            cache.refresh(REF).join();
            event = nextEvent();
            Thread.sleep(GAP.toMillis());
            pg.alterPasswordAt(role, next);
          }
          long done = System.nanoTime();
          awaitZero(ds, "SELECT count(*) FROM pg_stat_activity WHERE usename = ? AND backend_start < ?", role,
              oldBefore, event);
          awaitOnlyVersion(ds, event);
          rollovers.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - done));
        }
      } finally {
        load.close();
      }
      report("single-user, " + order, 10, load, rollovers, ds);
      assertThat(load.failures()).as("failed queries: %s", load.failureSamples()).isZero();
      assertThat(load.queries()).isPositive();
    }
  }

  @Test
  void alternatingUsersTenTimesUnderLoadFailsNoQuery() throws Exception {
    String[] users = {"load_blue", "load_green"};
    String first = SecretFiles.newPassword();
    role(users[0], first);
    role(users[1], SecretFiles.newPassword());
    SecretFiles.writeAws(file, pg, users[0], first);
    try (SecretCache cache = cache(FileSecretSource.of(dir));
        HikariDataSource ds = HikariSecrets.dataSource(config(3000), cache, REF)) {
      cache.onRotation(REF, events::add);
      QueryLoad load = QueryLoad.start(ds, THREADS);
      List<Long> rollovers = new ArrayList<>();
      try {
        for (int i = 0; i < 10; i++) {
          String from = users[i % 2];
          String to = users[(i + 1) % 2];
          // As AWS's alternating-users rotation: the inactive user gets a new password, then becomes current.
          String next = SecretFiles.newPassword();
          pg.alterPassword(to, next);
          SecretFiles.writeAws(file, pg, to, next);
          cache.refresh(REF).join();
          RotationEvent event = nextEvent();
          long done = System.nanoTime();
          awaitZero(ds, "SELECT count(*) FROM pg_stat_activity WHERE usename = ? AND backend_start < ?", from,
              new Timestamp(System.currentTimeMillis() + 3_600_000), event);
          rollovers.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - done));
        }
      } finally {
        load.close();
      }
      report("alternating users", 10, load, rollovers, ds);
      assertThat(load.failures()).as("failed queries: %s", load.failureSamples()).isZero();
      assertThat(load.queries()).isPositive();
    }
  }

  @Test
  void dynamicCredentialsWithANewRolePerLeaseFailNoQuery() throws Exception {
    int leases = 5;
    String password = SecretFiles.newPassword();
    role("load_dyn_0", password);
    SecretFiles.writeAws(file, pg, "load_dyn_0", password);
    try (SecretCache cache = cache(FileSecretSource.of(dir));
        HikariDataSource ds = HikariSecrets.dataSource(config(3000), cache, REF)) {
      cache.onRotation(REF, events::add);
      QueryLoad load = QueryLoad.start(ds, THREADS);
      List<Long> rollovers = new ArrayList<>();
      try {
        for (int i = 1; i <= leases; i++) {
          String old = "load_dyn_" + (i - 1);
          String fresh = "load_dyn_" + i;
          String next = SecretFiles.newPassword();
          role(fresh, next);
          SecretFiles.writeAws(file, pg, fresh, next);
          cache.refresh(REF).join();
          RotationEvent event = nextEvent();
          long done = System.nanoTime();
          awaitZero(ds, "SELECT count(*) FROM pg_stat_activity WHERE usename = ? AND backend_start < ?", old,
              new Timestamp(System.currentTimeMillis() + 3_600_000), event);
          rollovers.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - done));
          // The lease of the old role ends with the overlap: the backend revokes it.
          long wait = Duration.between(Instant.now(), event.overlapUntil()).toMillis();
          if (wait > 0) {
            Thread.sleep(wait);
          }
          pg.dropRole(old);
        }
      } finally {
        load.close();
      }
      report("dynamic credentials (role per lease)", leases, load, rollovers, ds);
      assertThat(load.failures()).as("failed queries: %s", load.failureSamples()).isZero();
      assertThat(load.queries()).isPositive();
    }
  }

  @Test
  void anOutageOfTheSecretSourceDuringARotationCostsABoundedNumberOfQueriesAndRecovers() throws Exception {
    String password = SecretFiles.newPassword();
    String role = role("load_outage", password);
    SecretFiles.writeAws(file, pg, role, password);
    FlakySource source = new FlakySource(FileSecretSource.of(dir));
    Duration connectionTimeout = Duration.ofMillis(1000);
    Duration outage = Duration.ofSeconds(2);
    try (SecretCache cache = cache(source);
        HikariDataSource ds = HikariSecrets.dataSource(config(connectionTimeout.toMillis()), cache, REF);
        QueryLoad load = QueryLoad.start(ds, THREADS)) {
      Thread.sleep(200);
      long before = load.failures();
      // The rotation happens while the secret source is unreachable ...
      source.down = true;
      String next = SecretFiles.newPassword();
      pg.alterPasswordAt(role, next);
      SecretFiles.writeAws(file, pg, role, next);
      // ... and the pool loses its connections meanwhile (a database fail-over, a network cut).
      try (PreparedStatement s = monitor.prepareStatement(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?")) {
        s.setString(1, role);
        s.executeQuery().close();
      }
      Thread.sleep(outage.toMillis());
      source.down = false;
      long recoveredAt = System.nanoTime();
      long queriesAtRecovery = load.queries();
      long deadline = recoveredAt + TimeUnit.SECONDS.toNanos(10);
      while (load.queries() == queriesAtRecovery) {
        assertThat(System.nanoTime()).as("queries run again after the source recovers").isLessThan(deadline);
        Thread.sleep(5);
      }
      long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - recoveredAt);
      long failuresAfterRecovery = load.failures();
      Thread.sleep(1000);
      long queriesLastSecond = load.queries();
      load.close();
      long failures = load.failures() - before;
      System.out.printf("[rotation-proof] source outage of %d ms during a rotation, all %d sessions cut: "
              + "%d queries, %d failed (bound %d), first query %d ms after the source recovered, "
              + "%d failures in the following second; samples %s%n",
          outage.toMillis(), POOL, load.queries(), failures, failureBound(outage, connectionTimeout), recoveryMillis,
          load.failures() - failuresAfterRecovery, load.failureSamples().stream().limit(2).toList());
      assertThat(failures).isLessThanOrEqualTo(failureBound(outage, connectionTimeout));
      assertThat(load.failures()).as("no failures once recovered").isEqualTo(failuresAfterRecovery);
      assertThat(queriesLastSecond).isGreaterThan(queriesAtRecovery);
      assertThat(pg.sessions(role)).isPositive();
    }
  }

  /**
   * At most: the queries in flight on the cut sessions, plus every thread timing out once per
   * connection timeout while no login can succeed, plus one more round while the pool refills.
   */
  private static long failureBound(Duration outage, Duration connectionTimeout) {
    // + 2: the round under way when the sessions are cut, and one while the pool refills; + 1: a
    // refresh after a failed one waits the connector's minimum refresh interval (1 s).
    long rounds = outage.toMillis() / connectionTimeout.toMillis() + 3;
    return POOL + THREADS * rounds;
  }

  private String role(String name, String password) throws SQLException {
    pg.createRole(name, password);
    roles.add(name);
    return name;
  }

  private SecretCache cache(SecretSource source) {
    return SecretCache.builder(source)
        .overlap(OVERLAP)
        .resilience(ResiliencePolicy.none())
        .build();
  }

  private static HikariConfig config(long connectionTimeoutMillis) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(pg.jdbcUrl("postgres"));
    config.setMaximumPoolSize(POOL);
    config.setMinimumIdle(POOL);
    config.setConnectionTimeout(connectionTimeoutMillis);
    return config;
  }

  private RotationEvent nextEvent() throws InterruptedException {
    RotationEvent event = events.poll(10, TimeUnit.SECONDS);
    assertThat(event).as("a rotation event").isNotNull();
    return event;
  }

  /** Polls the count until zero, failing if that takes past the end of the event's overlap. */
  private void awaitZero(HikariDataSource pool, String sql, String role, Timestamp before, RotationEvent event)
      throws Exception {
    try (PreparedStatement s = monitor.prepareStatement(sql)) {
      s.setString(1, role);
      s.setTimestamp(2, before);
      while (true) {
        int count;
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          count = rs.getInt(1);
        }
        if (count == 0) {
          assertThat(Instant.now()).as("rolled over before the overlap ends").isBefore(event.overlapUntil());
          return;
        }
        assertThat(Instant.now()).as("%d sessions of %s still use old credentials; the pool sees %s", count, role,
            ((RotatingHikariDataSource) pool).openByVersion())
            .isBefore(event.overlapUntil());
        Thread.sleep(20);
      }
    }
  }

  /** Waits until the pool's record shows every open connection on the event's version. */
  private static void awaitOnlyVersion(HikariDataSource ds, RotationEvent event) throws InterruptedException {
    RotatingHikariDataSource pool = (RotatingHikariDataSource) ds;
    while (!pool.openByVersion().keySet().equals(java.util.Set.of(event.current().versionId()))) {
      assertThat(Instant.now()).as("the pool still has connections on older versions: %s", pool.openByVersion())
          .isBefore(event.overlapUntil());
      Thread.sleep(20);
    }
  }

  private static void report(String scenario, int rotations, QueryLoad load, List<Long> rollovers,
      HikariDataSource ds) {
    LongSummaryStatistics stats = rollovers.stream().mapToLong(Long::longValue).summaryStatistics();
    RotatingHikariDataSource pool = (RotatingHikariDataSource) ds;
    System.out.printf("[rotation-proof] %s: %d rotations, %d queries, %d failed; time until no connection uses "
            + "old credentials: max %d ms, mean %.0f ms (overlap %d ms); %d retired when borrowed, %d sweeps%n",
        scenario, rotations, load.queries(), load.failures(), stats.getMax(), stats.getAverage(), OVERLAP.toMillis(),
        pool.retiredOnBorrow(), pool.sweeps());
  }

  /** The real file source, made unreachable on demand as a remote store can be. */
  private static final class FlakySource implements SecretSource {
    private final SecretSource delegate;
    private final AtomicInteger refused = new AtomicInteger();
    volatile boolean down;

    FlakySource(SecretSource delegate) {
      this.delegate = delegate;
    }

    @Override
    public String scheme() {
      return delegate.scheme();
    }

    @Override
    public Secret fetch(SecretRef ref) {
      if (down) {
        refused.incrementAndGet();
        throw new SecretUnavailableException("the secret store is unreachable (test outage)", ref);
      }
      return delegate.fetch(ref);
    }
  }
}
