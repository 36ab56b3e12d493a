package io.secretsdk.jdbc.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The data source HikariCP opens physical connections through: it logs in with the credentials
 * HikariCP got from the credentials provider, recovers from an authentication failure with one
 * round of fresh and previous credentials, and records which secret version opened each
 * connection, so that the rollover can retire exactly the connections opened with old credentials
 * (including those whose login was under way when the rotation was announced).
 */
public final class TrackingDataSource implements DataSource {
  /** The version the provider handed out on this thread, consumed by the next login here. */
  static final ThreadLocal<String> HANDED_OUT = new ThreadLocal<>();

  private final DataSource target;
  private final Connector connector;
  private final ConnectionTags tags;

  /**
   * Wraps the data source HikariCP would have used.
   *
   * @param target opens physical connections with a user and password
   * @param connector recovers from authentication failures
   * @param tags where each connection's version is recorded
   */
  public TrackingDataSource(DataSource target, Connector connector, ConnectionTags tags) {
    this.target = target;
    this.connector = connector;
    this.tags = tags;
  }

  /**
   * Records the version handed out by the provider on this thread; HikariCP calls the provider
   * and then this data source on the same thread, for each new connection.
   *
   * @param versionId the secret version
   */
  public static void handedOut(String versionId) {
    HANDED_OUT.set(versionId);
  }

  @Override
  public Connection getConnection() throws SQLException {
    HANDED_OUT.remove();
    Connector.Opened opened = connector.open();
    tags.put(opened.connection(), opened.versionId());
    return opened.connection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    String version = HANDED_OUT.get();
    HANDED_OUT.remove();
    Connector.Opened opened = connector.open(username, password, version);
    tags.put(opened.connection(), opened.versionId());
    return opened.connection();
  }

  @Override
  public @Nullable PrintWriter getLogWriter() throws SQLException {
    return target.getLogWriter();
  }

  @Override
  public void setLogWriter(@Nullable PrintWriter out) throws SQLException {
    target.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    target.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return target.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return target.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return target.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || target.isWrapperFor(iface);
  }
}
