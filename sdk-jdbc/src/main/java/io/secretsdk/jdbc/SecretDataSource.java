package io.secretsdk.jdbc;

import io.secretsdk.SecretRef;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.jdbc.internal.Backoff;
import io.secretsdk.jdbc.internal.Connector;
import io.secretsdk.jdbc.internal.JdbcUrls;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A {@link DataSource} for any connection pool (DBCP2, c3p0, Agroal, HikariCP, ...) that logs in
 * with credentials read from a cached secret, for every new physical connection.
 *
 * <p><b>Rotation.</b> Each physical connection takes the credentials the cache holds at that
 * moment. When the database rejects them as an authentication failure (PostgreSQL {@code 28P01}
 * or {@code 28000}, MySQL/MariaDB {@code 1045}, SQL Server {@code 18456}, Oracle {@code 1017},
 * found anywhere in the cause chain) the data source forces a refresh of the secret (shared by
 * concurrent callers, and at most one per second), then tries the current credentials and the previous ones while the cache
 * keeps them, and repeats this with jittered exponential backoff (100 ms doubling to 2 s) for a
 * bounded retry window, 30 seconds by default: long enough for the gap of a single-user rotation,
 * where the database has the new password before the secret store publishes it, or the other
 * way round. Any other failure is thrown at once. After the window the last authentication
 * failure is thrown, wrapped in a {@link java.sql.SQLInvalidAuthorizationSpecException} that
 * names the secret and the versions tried. Connections already open are not touched: a pool
 * retires them by its own lifetime settings (or use {@link HikariSecrets}, which rolls them over).
 *
 * <p><b>Formats.</b> The secret's value is a JSON object; by default the fields {@code username}
 * and {@code password} are read, which fits both AWS's rotation format ({@code username}, {@code
 * password}, {@code host}, {@code port}, {@code dbname}, {@code engine}) and Vault's database
 * credentials. {@link Builder#fields(String, String)} names other fields.
 *
 * <p><b>The password as a String.</b> JDBC drivers take the password only as a {@link String}
 * property. This data source makes that string from the cached {@code char[]} just before each
 * login attempt, passes it to the driver and drops it at once; it keeps no reference, but the
 * string stays in the heap until the garbage collector reclaims it, and the driver may keep its
 * own copy. No other copy is made, and no password appears in a log line or exception message.
 *
 * <p>Thread-safe. {@link #getConnection(String, String)} is refused: the credentials come from
 * the secret.
 */
public final class SecretDataSource implements DataSource {
  private final String jdbcUrl;
  private final Connector connector;
  private volatile @Nullable PrintWriter logWriter;
  private volatile int loginTimeoutSeconds;

  private SecretDataSource(Builder b) {
    this.jdbcUrl = b.jdbcUrl;
    Properties base = new Properties();
    base.putAll(b.driverProperties);
    String url = b.jdbcUrl;
    Connector.Opener opener = (username, password) -> {
      Properties props = new Properties();
      props.putAll(base);
      props.setProperty("user", username);
      props.setProperty("password", password);
      try {
        return DriverManager.getConnection(url, props);
      } finally {
        props.remove("password");
      }
    };
    Builder.Sleeper sleeper = b.sleeper;
    this.connector = new Connector(b.cache, b.ref, b.userField, b.passwordField, opener, b.retryWindow,
        Backoff.DEFAULT, b.clock, sleeper::sleep);
  }

  /**
   * A data source with the defaults: fields {@code username} and {@code password}, a 30 second
   * retry window, the system clock.
   *
   * @param jdbcUrl the driver's URL, without user or password
   * @param cache the cache the credentials are read from
   * @param ref the secret holding the credentials (a field in the reference is ignored)
   * @return the data source
   */
  public static SecretDataSource of(String jdbcUrl, SecretCache cache, SecretRef ref) {
    return builder(jdbcUrl, cache, ref).build();
  }

  /**
   * Starts configuring a data source.
   *
   * @param jdbcUrl the driver's URL, without user or password
   * @param cache the cache the credentials are read from
   * @param ref the secret holding the credentials (a field in the reference is ignored)
   * @return a builder with the defaults of {@link #of}
   */
  public static Builder builder(String jdbcUrl, SecretCache cache, SecretRef ref) {
    return new Builder(jdbcUrl, cache, ref);
  }

  /**
   * Opens a physical connection with the secret's credentials, retrying authentication failures
   * as described above.
   *
   * @return a new connection
   * @throws SQLException the driver's failure, or the last authentication failure after the window
   */
  @Override
  public Connection getConnection() throws SQLException {
    return connector.open().connection();
  }

  /**
   * Refused: the credentials come from the secret.
   *
   * @param username ignored
   * @param password ignored
   * @return never
   * @throws SQLFeatureNotSupportedException always
   */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("this data source logs in with the credentials of secret '"
        + connector.ref().name() + "'; call getConnection() and configure no user or password in the pool");
  }

  @Override
  public @Nullable PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(@Nullable PrintWriter out) {
    this.logWriter = out;
  }

  /**
   * Records a login timeout for callers that read it back. It is not passed to the driver:
   * configure the driver's own timeout (PostgreSQL's {@code loginTimeout}, MySQL's {@code
   * connectTimeout}) through {@link Builder#driverProperties(Properties)}.
   *
   * @param seconds the timeout in seconds
   */
  @Override
  public void setLoginTimeout(int seconds) {
    this.loginTimeoutSeconds = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeoutSeconds;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getLogger("io.secretsdk.jdbc");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("SecretDataSource wraps no " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  /**
   * Names the secret and the URL with every password in it replaced by {@code ***}, in each form
   * drivers accept ({@code ?password=}, {@code ;password=}, {@code user:pw@host}, Oracle's {@code
   * user/pw@host}), and parameters naming a token, key or secret as well; never a credential.
   *
   * @return a description
   */
  @Override
  public String toString() {
    return "SecretDataSource[url=" + JdbcUrls.redact(jdbcUrl) + ", secret=" + connector.ref() + "]";
  }

  /** Configures a {@link SecretDataSource}. */
  public static final class Builder {
    private final String jdbcUrl;
    private final SecretCache cache;
    private final SecretRef ref;
    private String userField = "username";
    private String passwordField = "password";
    private Properties driverProperties = new Properties();
    private Duration retryWindow = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

    /** Waits between retry rounds; tests give one that moves their clock instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
      /**
       * Waits.
       *
       * @param duration how long
       * @throws InterruptedException if interrupted
       */
      void sleep(Duration duration) throws InterruptedException;
    }

    private Builder(String jdbcUrl, SecretCache cache, SecretRef ref) {
      this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
      if (!jdbcUrl.startsWith("jdbc:")) {
        throw new IllegalArgumentException("a JDBC URL starts with 'jdbc:'");
      }
      this.cache = Objects.requireNonNull(cache, "cache");
      this.ref = Objects.requireNonNull(ref, "ref");
    }

    /**
     * The JSON fields holding the user name and the password. Default {@code username} and
     * {@code password}.
     *
     * @param userField the user name's field
     * @param passwordField the password's field
     * @return this builder
     */
    public Builder fields(String userField, String passwordField) {
      Objects.requireNonNull(userField, "userField");
      Objects.requireNonNull(passwordField, "passwordField");
      if (userField.equals(passwordField)) {
        throw new IllegalArgumentException("the username and password fields must differ");
      }
      this.userField = userField;
      this.passwordField = passwordField;
      return this;
    }

    /**
     * Further driver properties (timeouts, TLS, application name), copied. They must not hold
     * {@code user} or {@code password}: those come from the secret.
     *
     * @param properties the properties
     * @return this builder
     */
    public Builder driverProperties(Properties properties) {
      Objects.requireNonNull(properties, "properties");
      if (properties.containsKey("user") || properties.containsKey("password")) {
        throw new IllegalArgumentException("user and password come from the secret; remove them from the driver properties");
      }
      Properties copy = new Properties();
      copy.putAll(properties);
      this.driverProperties = copy;
      return this;
    }

    /**
     * How long authentication failures are retried before the last is thrown. Default 30
     * seconds; zero makes one recovery round (refresh, current, previous) without waiting.
     *
     * @param window zero or more
     * @return this builder
     */
    public Builder retryWindow(Duration window) {
      Objects.requireNonNull(window, "window");
      if (window.isNegative()) {
        throw new IllegalArgumentException("the retry window must not be negative, was " + window);
      }
      this.retryWindow = window;
      return this;
    }

    /**
     * The clock the retry window is measured on. Default the UTC system clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How to wait between retry rounds. Default {@link Thread#sleep}.
     *
     * @param sleeper the sleeper
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Builds the data source.
     *
     * @return the data source
     */
    public SecretDataSource build() {
      return new SecretDataSource(this);
    }
  }
}
