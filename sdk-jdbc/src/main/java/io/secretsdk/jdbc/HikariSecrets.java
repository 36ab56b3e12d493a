package io.secretsdk.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import com.zaxxer.hikari.util.PropertyElf;
import com.zaxxer.hikari.util.UtilityElf;
import io.secretsdk.SecretRef;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.jdbc.internal.Backoff;
import io.secretsdk.jdbc.internal.CacheCredentialsProvider;
import io.secretsdk.jdbc.internal.ConnectionTags;
import io.secretsdk.jdbc.internal.Connector;
import io.secretsdk.jdbc.internal.HikariVersion;
import io.secretsdk.jdbc.internal.RotatingHikariDataSource;
import io.secretsdk.jdbc.internal.TrackingDataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * HikariCP pools whose credentials come from a cached secret and follow its rotations.
 *
 * <p>{@link #dataSource(HikariConfig, SecretCache, SecretRef)} starts a {@link HikariDataSource}
 * from a copy of the configuration (the caller's is not modified) with:
 *
 * <ul>
 *   <li>a {@link com.zaxxer.hikari.HikariCredentialsProvider} (set with {@link
 *       HikariConfig#setCredentialsProvider}) that gives every new physical connection the
 *       credentials the cache holds at that moment;
 *   <li>recovery from an authentication failure on a new connection: a forced refresh of the
 *       secret, then the current and the previous credentials, once; HikariCP's own retry does
 *       the rest;
 *   <li>the rollover of open connections after a {@link io.secretsdk.cache.RotationEvent}: the
 *       secret version of each physical connection is recorded when it logs in, so that exactly
 *       the connections opened with older credentials are retired, including those whose login
 *       was under way when the rotation was announced. They are retired gradually, at most one per
 *       {@code (0.4 * overlap) / maximumPoolSize}, when borrowed; connections not borrowed by 60% of
 *       the overlap are soft-evicted; retiring waits while new logins fail. Every
 *       connection uses the new credentials before the overlap ends, as long as busy connections
 *       are returned to the pool by then. Without an overlap (a cache built with {@code
 *       overlap(Duration.ZERO)}, or an old lease already ended) nothing can be spread: the whole
 *       pool is soft-evicted at once.
 * </ul>
 *
 * <p>Configure the pool as usual with a JDBC URL ({@code jdbcUrl} and optionally {@code
 * driverClassName}), a {@code dataSourceClassName} with data source properties, or a {@code
 * DataSource}; a user name or password in the configuration is ignored, as the secret supplies
 * them. Closing the returned data source releases the rotation subscription. The overlap end is
 * compared with the UTC system clock.
 *
 * <p>HikariCP's {@code Credentials} carries the password as a {@link String}: one is made for each
 * new physical connection, used for that login and not kept by this library.
 *
 * <p><b>Versions.</b> Needs HikariCP 7.0.0 or newer (the first with {@code
 * HikariCredentialsProvider}); built and tested with 7.0.2, the version {@code io.secretsdk:sdk-bom}
 * manages. Under an older HikariCP, {@code dataSource(...)} throws a {@link
 * io.secretsdk.SecretConfigurationException} saying so; {@link SecretDataSource} works under any
 * pool and any HikariCP version.
 */
public final class HikariSecrets {
  private HikariSecrets() {}

  /**
   * A pool that reads the fields {@code username} and {@code password} of the secret (AWS's and
   * Vault's formats).
   *
   * @param config the pool's configuration; copied, not modified
   * @param cache the cache the credentials are read from
   * @param ref the secret holding the credentials (a field in the reference is ignored)
   * @return the started pool
   * @throws IllegalArgumentException if the configuration names no JDBC URL, data source class or
   *     data source
   * @throws io.secretsdk.SecretConfigurationException if the HikariCP on the class path is older
   *     than 7.0.0
   * @throws com.zaxxer.hikari.pool.HikariPool.PoolInitializationException as HikariCP, if the
   *     first connection fails
   */
  public static HikariDataSource dataSource(HikariConfig config, SecretCache cache, SecretRef ref) {
    return dataSource(config, cache, ref, "username", "password");
  }

  /**
   * A pool that reads the named fields of the secret.
   *
   * @param config the pool's configuration; copied, not modified
   * @param cache the cache the credentials are read from
   * @param ref the secret holding the credentials (a field in the reference is ignored)
   * @param userField the JSON field of the user name
   * @param passwordField the JSON field of the password
   * @return the started pool
   * @throws IllegalArgumentException if the configuration names no JDBC URL, data source class or
   *     data source, or the fields are the same
   * @throws io.secretsdk.SecretConfigurationException if the HikariCP on the class path is older
   *     than 7.0.0
   */
  public static HikariDataSource dataSource(
      HikariConfig config, SecretCache cache, SecretRef ref, String userField, String passwordField) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(ref, "ref");
    HikariVersion.check(HikariConfig.class.getClassLoader());
    HikariConfig copy = new HikariConfig();
    config.copyStateTo(copy);
    DataSource target = target(copy);
    Connector connector = new Connector(cache, ref, userField, passwordField, target::getConnection,
        Duration.ZERO, Backoff.DEFAULT, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
    ConnectionTags tags = new ConnectionTags();
    copy.setDataSource(new TrackingDataSource(target, connector, tags));
    copy.setDataSourceClassName(null);
    copy.setJdbcUrl(null);
    copy.setDriverClassName(null);
    copy.setUsername(null);
    copy.setPassword(null);
    CacheCredentialsProvider.install(copy, connector);
    return RotatingHikariDataSource.start(copy, cache, ref.withoutField(), connector, tags, Clock.systemUTC());
  }

  private static DataSource target(HikariConfig config) {
    if (config.getDataSource() != null) {
      return config.getDataSource();
    }
    if (config.getDataSourceClassName() != null) {
      DataSource ds = UtilityElf.createInstance(config.getDataSourceClassName(), DataSource.class);
      PropertyElf.setTargetFromProperties(ds, config.getDataSourceProperties());
      return ds;
    }
    if (config.getJdbcUrl() != null) {
      return new DriverDataSource(config.getJdbcUrl(), config.getDriverClassName(),
          config.getDataSourceProperties(), null, null);
    }
    throw new IllegalArgumentException("the pool configuration needs a jdbcUrl, a dataSourceClassName or a "
        + "dataSource (a JNDI data source is not supported)");
  }
}
