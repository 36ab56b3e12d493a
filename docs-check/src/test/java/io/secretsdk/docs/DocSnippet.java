package io.secretsdk.docs;

import com.zaxxer.hikari.HikariConfig;
import io.secretsdk.SecretSource;
import io.secretsdk.cache.SecretCache;
import java.sql.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an example that is a method body may assume the application already has. The examples are
 * compiled, never run, so these are never set.
 */
@SuppressWarnings("NullAway")
public abstract class DocSnippet {
  /** A source, as {@code SecretSources.fromProperties} or a backend's builder makes. */
  protected SecretSource source;
  /** The application's cache. */
  protected SecretCache cache;
  /** The application's logger. */
  protected final Logger log = LoggerFactory.getLogger(DocSnippet.class);
  /** The pool settings the application already has (URL, sizes). */
  protected HikariConfig hikariConfig;

  /**
   * The application's own login code.
   *
   * @param user the user
   * @param password the password, lent for the call
   * @return a connection
   */
  protected Connection connect(String user, char[] password) {
    throw new UnsupportedOperationException("examples are compiled, not run");
  }
}
