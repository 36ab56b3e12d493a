package io.secretsdk.spring;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.secretsdk.Credentials;
import io.secretsdk.Secret;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretRef;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.jdbc.HikariSecrets;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * With {@code secrets.datasource.secret=<uri>}, the application's HikariCP {@code DataSource}
 * logs in with that secret's credentials through {@link HikariSecrets} and follows its rotation:
 * new connections take the credentials the cache holds, open ones roll over after a rotation.
 *
 * <p>{@code spring.datasource.url} and {@code driver-class-name} are used when set, and {@code
 * spring.datasource.hikari.*} configures the pool as usual; {@code spring.datasource.password}
 * must not be set. Without {@code spring.datasource.url} the URL is made from the secret's {@code
 * engine}, {@code host}, {@code port} and {@code dbname} fields (the format of AWS's RDS secrets:
 * engines postgres, mysql, mariadb, sqlserver, oracle). Runs before Boot's own DataSource
 * auto-configuration, which then backs off.
 */
@AutoConfiguration(after = SecretsAutoConfiguration.class,
    beforeName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass({HikariDataSource.class, HikariSecrets.class})
@ConditionalOnProperty(prefix = "secrets.datasource", name = "secret")
public class SecretsDataSourceAutoConfiguration {

  /** Made by Spring. */
  public SecretsDataSourceAutoConfiguration() {}

  /**
   * The pool.
   *
   * @param cache the cache the credentials come from
   * @param properties the bound properties
   * @param environment the environment, for {@code spring.datasource.*}
   * @return the started pool, closed with the context
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(javax.sql.DataSource.class)
  HikariDataSource dataSource(SecretCache cache, SecretsProperties properties, Environment environment) {
    SecretsProperties.Datasource d = properties.getDatasource();
    SecretRef ref = SecretRef.parse(Objects.requireNonNull(d.getSecret(), "secrets.datasource.secret")).withoutField();
    Binder binder = Binder.get(environment);
    if (binder.bind("spring.datasource.password", String.class).isBound()) {
      throw new SecretConfigurationException("spring.datasource.password is set while secrets.datasource.secret="
          + ref.toUri() + " supplies the pool's credentials: remove spring.datasource.password", ref);
    }
    HikariConfig config = new HikariConfig();
    binder.bind("spring.datasource.hikari", Bindable.ofInstance(config));
    binder.bind("spring.datasource.driver-class-name", String.class).ifBound(config::setDriverClassName);
    binder.bind("spring.datasource.name", String.class).ifBound(config::setPoolName);
    Optional<String> url = Optional.ofNullable(binder.bind("spring.datasource.url", String.class)
        .map(String::strip).orElse(null));
    config.setJdbcUrl(url.orElseGet(() -> urlFromSecret(cache.get(ref), ref, d)));
    return HikariSecrets.dataSource(config, cache, ref, d.getUsernameField(), d.getPasswordField());
  }

  /** jdbc URL from an RDS-format secret's non-secret fields. */
  static String urlFromSecret(Secret secret, SecretRef ref, SecretsProperties.Datasource d) {
    Credentials c = Credentials.from(secret, d.getUsernameField(), d.getPasswordField());
    String engine = required(c, "engine", ref).toLowerCase(Locale.ROOT);
    String host = required(c, "host", ref);
    String port = c.field("port").orElse(null);
    String db = c.field("dbname").orElse(null);
    String hostPort = port == null ? host : host + ":" + port;
    switch (engine) {
      case "postgres":
      case "postgresql":
      case "aurora-postgresql":
        return "jdbc:postgresql://" + hostPort + "/" + (db == null ? "postgres" : db);
      case "mysql":
      case "aurora-mysql":
      case "aurora":
        return "jdbc:mysql://" + hostPort + (db == null ? "" : "/" + db);
      case "mariadb":
        return "jdbc:mariadb://" + hostPort + (db == null ? "" : "/" + db);
      case "sqlserver":
        return "jdbc:sqlserver://" + hostPort + (db == null ? "" : ";databaseName=" + db);
      case "oracle":
        return "jdbc:oracle:thin:@//" + hostPort + "/" + (db == null ? "ORCL" : db);
      default:
        throw new SecretConfigurationException("secret " + ref.toUri() + " names the engine '" + engine
            + "', which has no known JDBC URL form: set spring.datasource.url", ref);
    }
  }

  private static String required(Credentials c, String field, SecretRef ref) {
    return c.field(field).orElseThrow(() -> new SecretConfigurationException("spring.datasource.url is not set and "
        + "secret " + ref.toUri() + " has no '" + field + "' field to make it from (AWS RDS format: engine, host, "
        + "port, dbname): set spring.datasource.url", ref));
  }
}
