package io.secretsdk.samples.boot;

import io.secretsdk.SecretRef;
import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.spring.SecretsProperties;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot web application whose database credentials live in a secret: {@code
 * secrets.datasource.secret=file://db.json} in {@code application.properties} is all it takes for
 * the auto-configured HikariCP pool to log in with that secret and follow its rotation. {@code GET
 * /db} queries the database through the pool; {@code /actuator/secrets} and {@code
 * /actuator/health} show the secret's state (never its value).
 *
 * <p>{@link #main} starts an embedded PostgreSQL and writes the secret file first, so that one
 * command runs it: {@code ./mvnw -q -pl samples/spring-boot-app -am -DskipTests -Drun package}.
 */
@SpringBootApplication
public class SpringBootApp {
  private static final Logger log = LoggerFactory.getLogger(SpringBootApp.class);

  /** Made by Spring. */
  public SpringBootApp() {}

  /**
   * Starts the database, writes the secret and starts the application.
   *
   * @param args Spring Boot arguments, such as {@code --server.port=8081}
   */
  public static void main(String[] args) {
    LocalDatabase db = LocalDatabase.start();
    String[] all = java.util.Arrays.copyOf(args, args.length + 1);
    all[args.length] = "--secrets.file.root=" + db.secretDirectory();
    String port = SpringApplication.run(SpringBootApp.class, all).getEnvironment()
        .getProperty("local.server.port", "8080");
    log.info("Ready. Try: curl localhost:{}/db ; curl localhost:{}/actuator/secrets ; curl localhost:{}/actuator/health"
        + " . Rotate the password: edit {} (and ALTER ROLE {} on 127.0.0.1:{})", port, port, port,
        db.secretDirectory().resolve("db.json"), LocalDatabase.ROLE, db.port());
  }

  /**
   * Logs each rotation of a secret (its name and versions, never its value).
   *
   * @param event the rotation, published by the starter
   */
  @EventListener
  public void onRotation(RotationEvent event) {
    log.info("secret {} rotated from version {} to {}", event.ref().toUri(),
        event.previous().map(p -> p.versionId()).orElse("-"), event.current().versionId());
  }

  /** The one endpoint: a query through the auto-configured pool. */
  @RestController
  static class DatabaseController {
    private final JdbcTemplate jdbc;
    private final @Nullable SecretCache cache;
    private final @Nullable SecretRef ref;

    // The cache is optional only so that StartupComparison (tests) can start this app without the starter.
    DatabaseController(JdbcTemplate jdbc, ObjectProvider<SecretCache> cache, ObjectProvider<SecretsProperties> properties) {
      this.jdbc = jdbc;
      this.cache = cache.getIfAvailable();
      SecretsProperties p = properties.getIfAvailable();
      this.ref = p == null || p.getDatasource().getSecret() == null ? null
          : SecretRef.parse(Objects.requireNonNull(p.getDatasource().getSecret()));
    }

    @GetMapping("/db")
    Map<String, Object> db() {
      Map<String, Object> row = jdbc.queryForMap(
          "SELECT current_user AS db_user, (SELECT count(*) FROM pg_stat_activity WHERE usename = current_user) AS sessions");
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("dbUser", row.get("db_user"));
      out.put("sessions", row.get("sessions"));
      if (cache != null && ref != null) {
        out.put("secretVersion", cache.get(ref).versionId());
      }
      return out;
    }
  }
}
