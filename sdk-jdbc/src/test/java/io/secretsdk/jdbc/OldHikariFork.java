package io.secretsdk.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretRef;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs only in the surefire execution {@code hikari-5}, whose class path has HikariCP 5.1.0 in
 * place of the managed version: what a user with an old pool meets at {@code dataSource(...)}.
 */
class OldHikariFork {

  @Test
  void anOldHikariGetsAClearConfigurationErrorAtDataSourceNotANoClassDefFoundError(@TempDir Path root)
      throws Exception {
    // This really is the old pool: no credentials provider type.
    assertThatThrownBy(() -> Class.forName("com.zaxxer.hikari.HikariCredentialsProvider"))
        .isInstanceOf(ClassNotFoundException.class);
    Files.writeString(root.resolve("db"), "{\"username\":\"app\",\"password\":\"old-hikari-pw-1\"}");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/none");
    try (SecretCache cache = SecretCache.builder(FileSecretSource.of(root)).build()) {
      assertThatThrownBy(() -> HikariSecrets.dataSource(config, cache, SecretRef.of("db")))
          .isInstanceOf(SecretConfigurationException.class)
          .hasMessageContaining("needs HikariCP 7.0.0 or newer")
          .hasMessageContaining("the class path has HikariCP 5.1.0");
    }
  }
}
