package io.secretsdk.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.OutputStreamAppender;
import io.secretsdk.SecretRef;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import io.secretsdk.resilience.ResiliencePolicy;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Values held by a real cache (over the file backend) reach log lines by the usual roads and come
 * out masked. These tests log secret values on purpose, so they do not register them with
 * LeakGuard: what they check is the rendered output of the masking encoder.
 */
class SecretMaskingEncoderTest {
  static final String TOKEN = "tok_9f8e7d6c5b4a3f2e1d0c";
  static final String DB_PASSWORD = "Pg-pass-4711-rotating";

  @TempDir Path dir;
  private SecretCache cache;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender;
  private Logger app;

  @BeforeEach
  void setUp() throws Exception {
    Files.writeString(dir.resolve("api-token"), TOKEN);
    Files.writeString(dir.resolve("db"), "{\"username\":\"app\",\"password\":\"" + DB_PASSWORD + "\"}");
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    SecretMaskingEncoder encoder = new SecretMaskingEncoder();
    encoder.setContext(context);
    encoder.setPattern("%-5level %logger - %msg %mdc%n%ex");
    encoder.start();
    appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    appender.start();
    app = context.getLogger("com.example.app");
    app.addAppender(appender);
    app.setLevel(Level.DEBUG);
    cache = SecretCache.builder(FileSecretSource.of(dir)).resilience(ResiliencePolicy.none()).build();
    cache.get(SecretRef.of("api-token"));
    cache.get(SecretRef.of("db"));
  }

  @AfterEach
  void tearDown() {
    app.detachAppender(appender);
    app.setLevel(null);
    appender.stop();
    cache.close();
  }

  private String rendered() {
    return out.toString(StandardCharsets.UTF_8);
  }

  /** A user's own object whose toString() shows its fields. */
  record ApiClientConfig(String endpoint, String token) {}

  @Test
  void aValueInAUsersToStringIsMasked() {
    ApiClientConfig config = new ApiClientConfig("https://api.example.com", cache.value("file://api-token").revealString());
    app.info("starting client with {}", config);

    assertThat(rendered())
        .contains("ApiClientConfig[endpoint=https://api.example.com, token=***secret:api-token***]")
        .doesNotContain(TOKEN);
  }

  @Test
  void aValueInAJdbcDriversExceptionTextIsMasked() {
    // The driver's own message, built from what a server sends on a unique violation (the DETAIL
    // names the key's value): fields as on the wire, S(everity) C(ode) M(essage) D(etail).
    ServerErrorMessage server = new ServerErrorMessage("SERROR\0C23505\0Mduplicate key value violates unique constraint"
        + " \"credentials_pkey\"\0DKey (secret)=(" + DB_PASSWORD + ") already exists.\0");
    SQLException failure = new PSQLException(server);
    app.error("could not store the credentials", new RuntimeException("wrapped", failure));

    assertThat(failure.getMessage()).contains(DB_PASSWORD);
    assertThat(rendered())
        .contains("Key (secret)=(***secret:db#password***) already exists.")
        .contains("org.postgresql.util.PSQLException")
        .doesNotContain(DB_PASSWORD);
  }

  @Test
  void aValueInTheMdcOrAnArgumentIsMasked() {
    MDC.put("auth", "Bearer " + TOKEN);
    try {
      app.debug("calling with {} and {}", TOKEN, "plain");
    } finally {
      MDC.remove("auth");
    }
    assertThat(rendered())
        .contains("calling with ***secret:api-token*** and plain")
        .contains("auth=Bearer ***secret:api-token***")
        .doesNotContain(TOKEN);
  }

  @Test
  void theLayoutAndEncoderWorkFromALogbackXmlConfiguration() throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    Path file = dir.resolve("app.log");
    Path layoutFile = dir.resolve("layout.log");
    context.putProperty("LOG_FILE", file.toString());
    context.putProperty("LAYOUT_FILE", layoutFile.toString());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("/masking-logback.xml"));
    try {
      context.getLogger("com.example").warn("token is {}", TOKEN);
    } finally {
      context.stop();
    }
    assertThat(Files.readString(file)).isEqualTo("WARN  com.example - token is ***secret:api-token*** \n");
    assertThat(Files.readString(layoutFile)).isEqualTo("token is ***secret:api-token***\n");
  }

  @Test
  void aLineWithoutAHeldValueIsWrittenAsThePatternRendersIt() {
    app.info("nothing secret here: {}", 42);
    assertThat(rendered()).isEqualTo("INFO  com.example.app - nothing secret here: 42 \n");
  }
}
