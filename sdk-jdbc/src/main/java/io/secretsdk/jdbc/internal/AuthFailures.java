package io.secretsdk.jdbc.internal;

import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Recognizes a database's "wrong user name or password" answer anywhere in an exception's cause
 * chain (and in the chain of {@link SQLException#getNextException()}), as pools and ORMs wrap the
 * driver's exception.
 *
 * <p>Recognized: SQLState class {@code 28} (invalid authorization: PostgreSQL's {@code 28P01} and
 * {@code 28000}, MySQL's and MariaDB's {@code 28000}), {@link SQLInvalidAuthorizationSpecException},
 * and the vendor codes MySQL/MariaDB {@code 1045}, SQL Server {@code 18456} and Oracle {@code
 * 1017} ({@code ORA-01017}).
 */
public final class AuthFailures {
  /** MySQL and MariaDB: access denied for user. */
  public static final int MYSQL_ACCESS_DENIED = 1045;
  /** SQL Server: login failed for user. */
  public static final int SQLSERVER_LOGIN_FAILED = 18456;
  /** Oracle: invalid username/password; logon denied. */
  public static final int ORACLE_INVALID_LOGON = 1017;

  private static final int MAX_DEPTH = 64;

  private AuthFailures() {}

  /**
   * Whether the throwable, or any exception it wraps, is an authentication failure.
   *
   * @param failure what a connection attempt threw
   * @return {@code true} if the database rejected the credentials
   */
  public static boolean isAuthenticationFailure(@Nullable Throwable failure) {
    if (failure == null) {
      return false;
    }
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> pending = new ArrayDeque<>();
    pending.add(failure);
    while (!pending.isEmpty() && seen.size() < MAX_DEPTH) {
      Throwable t = pending.poll();
      if (!seen.add(t)) {
        continue;
      }
      if (t instanceof SQLException) {
        SQLException sql = (SQLException) t;
        if (isAuthentication(sql)) {
          return true;
        }
        SQLException next = sql.getNextException();
        if (next != null) {
          pending.add(next);
        }
      }
      Throwable cause = t.getCause();
      if (cause != null) {
        pending.add(cause);
      }
    }
    return false;
  }

  private static boolean isAuthentication(SQLException e) {
    if (e instanceof SQLInvalidAuthorizationSpecException) {
      return true;
    }
    String state = e.getSQLState();
    if (state != null && state.startsWith("28")) {
      return true;
    }
    int code = e.getErrorCode();
    return code == MYSQL_ACCESS_DENIED || code == SQLSERVER_LOGIN_FAILED || code == ORACLE_INVALID_LOGON;
  }
}
