package io.secretsdk.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Which secret version opened each live physical connection. Keys are weak, so connections the
 * pool closes and forgets disappear on their own. Thread-safe.
 */
public final class ConnectionTags {
  private final Map<Connection, String> versions = new WeakHashMap<>();

  /** Creates an empty registry. */
  public ConnectionTags() {}

  /**
   * Records the version a physical connection was opened with.
   *
   * @param physical the driver's connection
   * @param versionId the secret version whose credentials opened it
   */
  public synchronized void put(Connection physical, String versionId) {
    versions.put(physical, versionId);
  }

  /**
   * The version a physical connection was opened with.
   *
   * @param physical the driver's connection
   * @return the version id, or {@code null} if this registry did not see it opened
   */
  public synchronized @Nullable String versionOf(Connection physical) {
    return versions.get(physical);
  }

  /**
   * How many open connections were opened with another version than the given one.
   *
   * @param currentVersionId the current version
   * @return the number of open connections with other credentials
   */
  public int countOtherThan(String currentVersionId) {
    List<Map.Entry<Connection, String>> snapshot;
    synchronized (this) {
      snapshot = new ArrayList<>(versions.entrySet());
    }
    int stale = 0;
    for (Map.Entry<Connection, String> e : snapshot) {
      if (!e.getValue().equals(currentVersionId) && isOpen(e.getKey())) {
        stale++;
      }
    }
    return stale;
  }

  /**
   * Counts open connections per version.
   *
   * @return how many open connections each version opened
   */
  public Map<String, Integer> openByVersion() {
    List<Map.Entry<Connection, String>> snapshot;
    synchronized (this) {
      snapshot = new ArrayList<>(versions.entrySet());
    }
    Map<String, Integer> counts = new java.util.TreeMap<>();
    for (Map.Entry<Connection, String> e : snapshot) {
      if (isOpen(e.getKey())) {
        counts.merge(e.getValue(), 1, Integer::sum);
      }
    }
    return counts;
  }

  private static boolean isOpen(Connection c) {
    try {
      return !c.isClosed();
    } catch (SQLException e) {
      return false;
    }
  }
}
