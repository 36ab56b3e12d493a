package io.secretsdk.jdbc.testing;

import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.postgres.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;

/** Writes database secrets as JSON files for the file backend, the way a rotation would. */
public final class SecretFiles {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

  private SecretFiles() {}

  /**
   * A fresh random password, registered with {@link LeakGuard} so that it may not reach a log.
   *
   * @return a password of letters, digits and a dash
   */
  public static String newPassword() {
    StringBuilder b = new StringBuilder("pw-");
    for (int i = 0; i < 20; i++) {
      b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    String password = b.toString();
    LeakGuard.watch(password);
    return password;
  }

  /**
   * Writes AWS's rotation format for a PostgreSQL role, replacing the file in one step.
   *
   * @param file the secret file
   * @param pg the server
   * @param user the role
   * @param password its password
   */
  public static void writeAws(Path file, LocalPostgres pg, String user, String password) {
    write(file, "{\"engine\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":" + pg.port()
        + ",\"dbname\":\"postgres\",\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
  }

  /**
   * Writes any JSON content, replacing the file in one step (a reader sees old or new, whole).
   *
   * @param file the secret file
   * @param json the content
   */
  public static void write(Path file, String json) {
    try {
      Path tmp = Files.createTempFile(file.getParent(), ".tmp-", ".json");
      Files.writeString(tmp, json, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
