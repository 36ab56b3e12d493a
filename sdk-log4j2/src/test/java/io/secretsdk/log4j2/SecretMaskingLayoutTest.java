package io.secretsdk.log4j2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretRef;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import io.secretsdk.resilience.ResiliencePolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.ThreadContext;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Values held by a real cache (over the file backend) reach Log4j 2 lines by the usual roads and
 * come out masked, with the layout configured from XML as users do. These tests log secret values
 * on purpose (through Log4j, which LeakGuard does not watch), and check the written file.
 */
class SecretMaskingLayoutTest {
  static final String TOKEN = "tok_1a2b3c4d5e6f7a8b9c0d";
  static final String DB_PASSWORD = "Pg-pass-0815-rotating";

  @TempDir Path dir;
  private Path logFile;
  private SecretCache cache;
  private LoggerContext context;
  private Logger app;

  @BeforeEach
  void setUp() throws Exception {
    Files.writeString(dir.resolve("api-token"), TOKEN);
    Files.writeString(dir.resolve("db"), "{\"username\":\"app\",\"password\":\"" + DB_PASSWORD + "\"}");
    logFile = dir.resolve("app.log");
    System.setProperty("secretsdk.test.log4j2.file", logFile.toString());
    context = Configurator.initialize("masking-" + System.nanoTime(), getClass().getClassLoader(),
        getClass().getResource("/masking-log4j2.xml").toURI());
    app = context.getLogger("com.example.app");
    cache = SecretCache.builder(FileSecretSource.of(dir)).resilience(ResiliencePolicy.none()).build();
    cache.get(SecretRef.of("api-token"));
    cache.get(SecretRef.of("db"));
  }

  @AfterEach
  void tearDown() {
    Configurator.shutdown(context);
    System.clearProperty("secretsdk.test.log4j2.file");
    cache.close();
  }

  private String written() throws Exception {
    Configurator.shutdown(context);
    return Files.readString(logFile);
  }

  /** A user's own object whose toString() shows its fields. */
  record ApiClientConfig(String endpoint, String token) {}

  @Test
  void aValueInAUsersToStringIsMasked() throws Exception {
    app.info("starting client with {}", new ApiClientConfig("https://api.example.com",
        cache.value("file://api-token").revealString()));

    assertThat(written())
        .isEqualTo("INFO  com.example.app - starting client with ApiClientConfig[endpoint=https://api.example.com,"
            + " token=***secret:api-token***] {}\n");
  }

  @Test
  void aValueInAJdbcDriversExceptionTextIsMasked() throws Exception {
    ServerErrorMessage server = new ServerErrorMessage("SERROR\0C23505\0Mduplicate key value violates unique constraint"
        + " \"credentials_pkey\"\0DKey (secret)=(" + DB_PASSWORD + ") already exists.\0");
    SQLException failure = new PSQLException(server);
    app.error("could not store the credentials", new IllegalStateException("wrapped", failure));

    assertThat(failure.getMessage()).contains(DB_PASSWORD);
    assertThat(written())
        .contains("Caused by: org.postgresql.util.PSQLException")
        .contains("Key (secret)=(***secret:db#password***) already exists.")
        .doesNotContain(DB_PASSWORD);
  }

  @Test
  void aValueInTheThreadContextOrAParameterIsMasked() throws Exception {
    ThreadContext.put("auth", "Bearer " + TOKEN);
    try {
      app.debug("calling with {} and {}", TOKEN, "plain");
    } finally {
      ThreadContext.remove("auth");
    }
    assertThat(written())
        .isEqualTo("DEBUG com.example.app - calling with ***secret:api-token*** and plain {auth=Bearer ***secret:api-token***}\n");
  }

  @Test
  void theLayoutRefusesANestedLayoutThatIsMissing() {
    assertThatThrownBy(() -> SecretMaskingLayout.createLayout(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<PatternLayout>");
    assertThat(SecretMaskingLayout.wrap(PatternLayout.newBuilder().withPattern("%m").build()).toString())
        .startsWith("SecretMaskingLayout[");
  }
}
