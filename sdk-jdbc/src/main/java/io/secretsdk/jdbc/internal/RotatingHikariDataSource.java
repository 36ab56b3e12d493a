package io.secretsdk.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.cache.Subscription;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A HikariCP pool whose connections follow the rotations of one secret.
 *
 * <p>New connections log in through {@link TrackingDataSource}, which records the secret version
 * of each. After a rotation, connections opened with any other version are <em>retired</em>: when
 * one is borrowed, it is returned and evicted, and the borrower gets another connection. Retiring
 * is spread out: at most one connection per {@code (0.4 * overlap) / maximumPoolSize}, so the pool
 * is never emptied at once and the new logins are paced. While logins are failing with
 * authentication errors (the database does not accept the new credentials yet, as in a
 * single-user rotation whose password change lags), retiring waits, since the pool could not
 * refill: until {@link #PAUSE_AFTER_AUTH_FAILURE} (or an eighth of the overlap) has passed without
 * one. At 60% of the overlap, connections with old credentials that were not
 * borrowed meanwhile (an idle pool) are soft-evicted: idle ones close at once, busy ones when
 * they are returned; this repeats while any remain, so that every connection has moved to the
 * new credentials before the overlap ends.
 */
public final class RotatingHikariDataSource extends HikariDataSource {
  /**
   * While logins fail with authentication errors, retiring waits this long after the last one (or
   * an eighth of the overlap, if shorter).
   */
  public static final Duration PAUSE_AFTER_AUTH_FAILURE = Duration.ofSeconds(1);
  private static final double SPREAD = 0.4;
  private static final double SWEEP = 0.6;
  private static final Logger LOG = LoggerFactory.getLogger(RotatingHikariDataSource.class);

  private final SecretCache cache;
  private final SecretRef ref;
  private final Connector connector;
  private final ConnectionTags tags;
  private final Clock clock;
  private final AtomicLong retiredOnBorrow = new AtomicLong();
  private final AtomicLong sweeps = new AtomicLong();
  private final Object retireLock = new Object();
  private long nextRetireNanos = System.nanoTime();
  private volatile @Nullable Rollover rollover;
  private volatile @Nullable ScheduledExecutorService scheduler;
  private volatile @Nullable Subscription subscription;

  /** One rollover: to which version, when it must be complete, how fast to retire. */
  private record Rollover(String currentVersion, long deadlineNanos, long intervalNanos, Duration pause) {}

  private RotatingHikariDataSource(HikariConfig config, SecretCache cache, SecretRef ref, Connector connector,
      ConnectionTags tags, Clock clock) {
    super(config);
    this.cache = cache;
    this.ref = ref;
    this.connector = connector;
    this.tags = tags;
    this.clock = clock;
  }

  /**
   * Starts the pool and subscribes to the secret's rotations.
   *
   * @param config the pool's configuration, with the tracking data source and provider set
   * @param cache the cache
   * @param ref the secret
   * @param connector the connector behind the tracking data source
   * @param tags the versions the tracking data source records
   * @param clock the clock the overlap end is read on
   * @return the running pool
   */
  public static RotatingHikariDataSource start(HikariConfig config, SecretCache cache, SecretRef ref,
      Connector connector, ConnectionTags tags, Clock clock) {
    RotatingHikariDataSource ds = new RotatingHikariDataSource(config, cache, ref, connector, tags, clock);
    try {
      ds.subscribe();
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
    return ds;
  }

  private void subscribe() {
    String poolName = getPoolName();
    ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "secretsdk-rollover-" + poolName);
      t.setDaemon(true);
      return t;
    });
    this.scheduler = s;
    this.subscription = cache.onRotation(ref, this::onRotation);
    // A rotation announced while the pool was starting: connections may carry an older version.
    try {
      String current = cache.get(ref).versionId();
      if (tags.countOtherThan(current) > 0) {
        begin(current, Duration.ZERO, "started during a rotation");
      }
    } catch (SecretException e) {
      LOG.debug("secret '{}' could not be read after the pool started ({})", ref, e.getClass().getSimpleName());
    }
  }

  private void onRotation(RotationEvent event) {
    if (isClosed()) {
      return;
    }
    Duration window = Duration.between(clock.instant(), event.overlapUntil());
    begin(event.current().versionId(), window.isNegative() ? Duration.ZERO : window, event.reason().name());
  }

  private void begin(String currentVersion, Duration window, String why) {
    long now = System.nanoTime();
    long windowNanos = window.toNanos();
    int size = Math.max(1, getMaximumPoolSize());
    Duration pause = window.dividedBy(8).compareTo(PAUSE_AFTER_AUTH_FAILURE) < 0
        ? window.dividedBy(8) : PAUSE_AFTER_AUTH_FAILURE;
    Rollover r = new Rollover(currentVersion, now + windowNanos, (long) (windowNanos * SPREAD) / size, pause);
    rollover = r;
    LOG.info("pool {}: secret '{}' is now version {} ({}); retiring connections opened with older credentials "
        + "within {} ms", getPoolName(), ref, currentVersion, why, window.toMillis());
    schedule(() -> sweep(r), (long) (windowNanos * SWEEP));
  }

  private void sweep(Rollover r) {
    if (rollover != r || isClosed()) {
      return;
    }
    int stale = tags.countOtherThan(r.currentVersion());
    if (stale == 0) {
      finish(r);
      return;
    }
    long remaining = r.deadlineNanos() - System.nanoTime();
    long pause = Math.max(r.pause().toNanos(), 10_000_000L);
    if (connector.authFailedWithin(r.pause()) && remaining > 2 * pause) {
      schedule(() -> sweep(r), pause / 2);
      return;
    }
    HikariPoolMXBean pool = getHikariPoolMXBean();
    if (pool != null) {
      sweeps.incrementAndGet();
      LOG.debug("pool {}: soft-evicting {} connection(s) still on older credentials of secret '{}'",
          getPoolName(), stale, ref);
      pool.softEvictConnections();
    }
    schedule(() -> sweep(r), Math.max(remaining, pause));
  }

  private void finish(Rollover r) {
    if (rollover == r) {
      rollover = null;
      LOG.debug("pool {}: every connection uses version {} of secret '{}'", getPoolName(), r.currentVersion(),
          ref);
    }
  }

  private void schedule(Runnable task, long delayNanos) {
    ScheduledExecutorService s = scheduler;
    if (s == null || s.isShutdown()) {
      return;
    }
    try {
      s.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed meanwhile.
    }
  }

  /**
   * Borrows a connection; during a rollover, a connection opened with older credentials may be
   * retired first (see the class description) and another one borrowed in its place.
   *
   * @return a pooled connection
   * @throws SQLException as {@link HikariDataSource#getConnection()}
   */
  @Override
  public Connection getConnection() throws SQLException {
    Rollover r = rollover;
    if (r == null) {
      return super.getConnection();
    }
    int limit = Math.max(1, getMaximumPoolSize());
    for (int i = 0; ; i++) {
      Connection c = super.getConnection();
      boolean retire;
      try {
        retire = i < limit && retireNow(c, r);
      } catch (SQLException | RuntimeException e) {
        c.close();
        throw e;
      }
      if (!retire) {
        return c;
      }
      c.close();
      evictConnection(c);
      retiredOnBorrow.incrementAndGet();
    }
  }

  private boolean retireNow(Connection proxy, Rollover r) throws SQLException {
    String version = tags.versionOf(proxy.unwrap(Connection.class));
    if (r.currentVersion().equals(version) || connector.authFailedWithin(r.pause())) {
      return false;
    }
    synchronized (retireLock) {
      long now = System.nanoTime();
      if (now - nextRetireNanos < 0) {
        return false;
      }
      nextRetireNanos = now + r.intervalNanos();
      return true;
    }
  }

  /**
   * How many connections were retired when borrowed.
   *
   * @return the count since the pool started
   */
  public long retiredOnBorrow() {
    return retiredOnBorrow.get();
  }

  /**
   * How many times leftover connections with older credentials were soft-evicted.
   *
   * @return the count since the pool started
   */
  public long sweeps() {
    return sweeps.get();
  }

  /**
   * Open physical connections per secret version.
   *
   * @return version id to number of open connections
   */
  public Map<String, Integer> openByVersion() {
    return tags.openByVersion();
  }

  /** Releases the rotation subscription, then closes the pool. */
  @Override
  public void close() {
    Subscription sub = subscription;
    if (sub != null) {
      sub.close();
    }
    ScheduledExecutorService s = scheduler;
    if (s != null) {
      s.shutdownNow();
    }
    rollover = null;
    super.close();
  }
}
