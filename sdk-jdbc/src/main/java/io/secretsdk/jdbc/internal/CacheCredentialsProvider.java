package io.secretsdk.jdbc.internal;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
import java.sql.SQLException;

/**
 * HikariCP's credentials provider, asked for every new physical connection: the credentials the
 * cache holds now. HikariCP's {@link Credentials} takes the password as a {@link String}; it is
 * made here for that one login and is not kept by this provider.
 */
public final class CacheCredentialsProvider implements HikariCredentialsProvider {
  private final Connector connector;

  /**
   * Creates the provider.
   *
   * @param connector reads the current credentials
   */
  public CacheCredentialsProvider(Connector connector) {
    this.connector = connector;
  }

  /**
   * Gives a pool configuration a provider over a connector. Callers reach HikariCP's provider type
   * only through here, so that they load even under a HikariCP without it (which {@link
   * HikariVersion#check} then reports).
   *
   * @param config the pool's configuration
   * @param connector reads the current credentials
   */
  public static void install(com.zaxxer.hikari.HikariConfig config, Connector connector) {
    config.setCredentialsProvider(new CacheCredentialsProvider(connector));
  }

  /**
   * The current credentials.
   *
   * @return the user name and password the cache holds now
   * @throws IllegalStateException if the secret cannot be read (HikariCP treats it as a failed
   *     connection attempt and retries)
   */
  @Override
  public Credentials getCredentials() {
    Connector.CurrentCredentials current;
    try {
      current = connector.current();
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    TrackingDataSource.handedOut(current.secret().versionId());
    return Credentials.of(current.credentials().username(),
        current.credentials().password().withChars(String::new));
  }

  /**
   * Names the secret, never a credential.
   *
   * @return a description
   */
  @Override
  public String toString() {
    return "CacheCredentialsProvider[secret=" + connector.ref() + "]";
  }
}
