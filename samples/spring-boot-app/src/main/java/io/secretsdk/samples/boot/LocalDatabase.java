package io.secretsdk.samples.boot;

import io.secretsdk.testing.postgres.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.sql.SQLException;

/**
 * The sample's database: an embedded PostgreSQL (binaries from Maven) with a login role, and the
 * role's credentials in a secret file in AWS's RDS format ({@code engine, host, port, dbname,
 * username, password}), as a Kubernetes secret volume or the CSI driver would mount it.
 */
public final class LocalDatabase {
  /** The application's database role. */
  public static final String ROLE = "boot_app";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final LocalPostgres pg;
  private final Path secrets;

  private LocalDatabase(LocalPostgres pg, Path secrets) {
    this.pg = pg;
    this.secrets = secrets;
  }

  /**
   * Starts the server (one per JVM), makes the role and writes its secret.
   *
   * @return the database
   */
  public static LocalDatabase start() {
    try {
      LocalPostgres pg = LocalPostgres.shared();
      Path dir = Files.createTempDirectory("secretsdk-boot-secrets-");
      LocalDatabase db = new LocalDatabase(pg, dir);
      String password = newPassword();
      pg.createRole(ROLE, password);
      db.writeSecret(password);
      return db;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create the sample's role", e);
    }
  }

  /**
   * The server.
   *
   * @return the embedded PostgreSQL
   */
  public LocalPostgres server() {
    return pg;
  }

  /**
   * The server's port on 127.0.0.1.
   *
   * @return the port
   */
  public int port() {
    return pg.port();
  }

  /**
   * The directory the secret file is in ({@code secrets.file.root}).
   *
   * @return the directory
   */
  public Path secretDirectory() {
    return secrets;
  }

  /**
   * A new random password of letters, digits and a dash.
   *
   * @return the password
   */
  public static String newPassword() {
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    StringBuilder b = new StringBuilder("pw-");
    for (int i = 0; i < 24; i++) {
      b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  /**
   * Replaces the secret file in one step, as a rotation writes it.
   *
   * @param password the role's password
   */
  public void writeSecret(String password) {
    String json = "{\"engine\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":" + pg.port()
        + ",\"dbname\":\"postgres\",\"username\":\"" + ROLE + "\",\"password\":\"" + password + "\"}";
    try {
      Path tmp = Files.createTempFile(secrets, ".tmp-", ".json");
      Files.writeString(tmp, json, StandardCharsets.UTF_8);
      Files.move(tmp, secrets.resolve("db.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Changes the role's password in the database.
   *
   * @param password the new password
   */
  public void alterPassword(String password) {
    try {
      pg.alterPassword(ROLE, password);
    } catch (SQLException e) {
      throw new IllegalStateException("ALTER ROLE failed", e);
    }
  }
}
