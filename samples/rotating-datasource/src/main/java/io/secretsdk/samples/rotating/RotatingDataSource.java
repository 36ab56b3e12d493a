package io.secretsdk.samples.rotating;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.secretsdk.Credentials;
import io.secretsdk.SecretRef;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import io.secretsdk.jdbc.HikariSecrets;
import io.secretsdk.testing.postgres.LocalPostgres;
import io.secretsdk.testing.postgres.QueryLoad;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a real PostgreSQL from embedded binaries, keeps its application password in a secret
 * file (the layout of a Kubernetes secret volume), reads it through the file backend and the
 * cache into a HikariCP pool, runs queries on 8 threads, and rotates the password five times:
 * {@code ALTER ROLE} first, then the secret, as a single-user rotation does. It prints how many
 * queries ran, how many failed (none), and how long the pool took to move every connection to the
 * new password.
 *
 * <p>Run it with {@code ./mvnw -q -pl samples/rotating-datasource -am -DskipTests -Drun package}.
 */
public final class RotatingDataSource {
  private static final int THREADS = 8;
  private static final int ROTATIONS = 5;
  private static final String ROLE = "app";
  private static final Duration OVERLAP = Duration.ofSeconds(4);

  private RotatingDataSource() {}

  /**
   * Runs the sample.
   *
   * @param args none
   * @throws Exception if the database cannot be started, or a query failed
   */
  public static void main(String[] args) throws Exception {
    long started = System.nanoTime();
    System.out.println("starting PostgreSQL from embedded binaries ...");
    try (LocalPostgres pg = LocalPostgres.start()) {
      Path secrets = Files.createTempDirectory("secretsdk-rotating-");
      Path file = secrets.resolve("db.json");
      String password = newPassword();
      pg.createRole(ROLE, password);
      writeSecret(file, pg, password);
      System.out.printf("PostgreSQL is up on 127.0.0.1:%d; role '%s'; secret file %s%n", pg.port(), ROLE, file);

      SecretRef ref = SecretRef.of("db.json");
      try (SecretCache cache = SecretCache.builder(FileSecretSource.of(secrets)).overlap(OVERLAP).build()) {
        // The JDBC URL comes from the secret's non-secret fields, as AWS's rotation format ships them.
        Credentials credentials = Credentials.from(cache.get(ref));
        String url = "jdbc:postgresql://" + credentials.field("host").orElseThrow() + ":"
            + credentials.field("port").orElseThrow() + "/" + credentials.field("dbname").orElseThrow();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setPoolName("sample");
        config.setMaximumPoolSize(6);
        config.setMinimumIdle(6);
        config.setConnectionTimeout(5000);

        try (HikariDataSource ds = HikariSecrets.dataSource(config, cache, ref);
            Connection monitor = pg.adminConnection()) {
          QueryLoad load = QueryLoad.start(ds, THREADS);
          List<Double> rollovers = new ArrayList<>();
          for (int i = 1; i <= ROTATIONS; i++) {
            Thread.sleep(500);
            String next = newPassword();
            Timestamp changedAt = pg.alterPasswordAt(ROLE, next);
            writeSecret(file, pg, next);
            // In production the cache's refresh-ahead, or the first failed login, picks this up;
            // here the sample asks at once so that it finishes quickly.
            cache.refresh(ref).join();
            long rotated = System.nanoTime();
            int old;
            while ((old = sessionsOpenedBefore(monitor, changedAt)) > 0) {
              Thread.sleep(10);
              if (System.nanoTime() - rotated > OVERLAP.multipliedBy(2).toNanos()) {
                throw new IllegalStateException(old + " connections still use the old password");
              }
            }
            double seconds = (System.nanoTime() - rotated) / 1e9;
            rollovers.add(seconds);
            System.out.printf("rotation %d: every connection uses the new password after %.2f s "
                + "(%d queries so far, %d failed)%n", i, seconds, load.queries(), load.failures());
          }
          load.close();
          System.out.println();
          System.out.println("summary");
          System.out.printf("  queries     %d on %d threads%n", load.queries(), THREADS);
          System.out.printf("  failures    %d%n", load.failures());
          System.out.printf("  rotations   %d (password changed in the database, then in the secret)%n", ROTATIONS);
          System.out.printf("  roll-over   %.2f s at most, %.2f s on average (overlap %d s)%n",
              rollovers.stream().mapToDouble(Double::doubleValue).max().orElse(0),
              rollovers.stream().mapToDouble(Double::doubleValue).average().orElse(0), OVERLAP.toSeconds());
          System.out.printf("  run time    %.1f s%n", (System.nanoTime() - started) / 1e9);
          if (load.failures() > 0) {
            throw new IllegalStateException(load.failures() + " queries failed: " + load.failureSamples());
          }
          try (Statement s = monitor.createStatement(); ResultSet rs = s.executeQuery(
              "SELECT count(*) FROM pg_stat_activity WHERE usename = '" + ROLE + "'")) {
            rs.next();
            System.out.printf("  sessions    %d open, all logged in with the current password%n", rs.getInt(1));
          }
        }
      } finally {
        Files.deleteIfExists(file);
        Files.deleteIfExists(secrets);
      }
    }
  }

  private static int sessionsOpenedBefore(Connection monitor, Timestamp time) throws Exception {
    try (PreparedStatement s = monitor.prepareStatement(
        "SELECT count(*) FROM pg_stat_activity WHERE usename = ? AND backend_start < ?")) {
      s.setString(1, ROLE);
      s.setTimestamp(2, time);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Rewrites the secret in one step, as Kubernetes swaps a secret volume. */
  private static void writeSecret(Path file, LocalPostgres pg, String password) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), ".db-", ".json");
    Files.writeString(tmp, "{\"engine\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":" + pg.port()
        + ",\"dbname\":\"postgres\",\"username\":\"" + ROLE + "\",\"password\":\"" + password + "\"}",
        StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String newPassword() {
    SecureRandom random = new SecureRandom();
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    StringBuilder b = new StringBuilder(24);
    for (int i = 0; i < 24; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
