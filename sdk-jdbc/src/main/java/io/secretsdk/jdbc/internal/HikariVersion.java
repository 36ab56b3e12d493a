package io.secretsdk.jdbc.internal;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.internal.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Checks that the HikariCP on the class path is one {@code HikariSecrets} works with: 7.0.0 or
 * newer, the first with {@code HikariCredentialsProvider}. Without the check an older pool fails
 * with a {@link NoClassDefFoundError} from deep inside pool start-up. This class refers to no
 * HikariCP type that old versions lack, so it loads under any of them.
 */
public final class HikariVersion {
  /** The oldest HikariCP that {@code HikariSecrets} supports. */
  public static final String REQUIRED = "7.0.0";

  /** The HikariCP that secretsdk is built and tested with, managed by {@code io.secretsdk:sdk-bom}. */
  public static final String TESTED = "7.0.2";

  static final String PROVIDER_CLASS = "com.zaxxer.hikari.HikariCredentialsProvider";

  private HikariVersion() {}

  /**
   * Checks the HikariCP that a class loader sees.
   *
   * @param loader the loader of the application's HikariCP ({@code HikariConfig}'s), or {@code
   *     null} for the bootstrap loader
   * @throws SecretConfigurationException naming the version needed and the one found, if the loader
   *     has no {@code HikariCredentialsProvider}
   */
  public static void check(@Nullable ClassLoader loader) {
    try {
      Class.forName(PROVIDER_CLASS, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new SecretConfigurationException(
          "HikariSecrets needs HikariCP " + REQUIRED + " or newer (it gives the pool a HikariCredentialsProvider,"
              + " which HikariCP added in " + REQUIRED + "); the class path has HikariCP " + found(loader)
              + ". Upgrade com.zaxxer:HikariCP (io.secretsdk:sdk-bom manages " + TESTED + "), or use"
              + " SecretDataSource.of(...), which works under any pool and any HikariCP version");
    }
  }

  /** The version of the HikariCP a loader sees, from its jar's Maven metadata, or a description. */
  private static String found(@Nullable ClassLoader loader) {
    Class<?> config;
    try {
      config = Class.forName("com.zaxxer.hikari.HikariConfig", false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return "none";
    }
    try (InputStream in = config.getResourceAsStream("/META-INF/maven/com.zaxxer/HikariCP/pom.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String version = p.getProperty("version");
        if (version != null && !version.isBlank()) {
          return Printable.text(version.trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through to the description
    }
    return "older than " + REQUIRED + " (its jar does not say which)";
  }
}
