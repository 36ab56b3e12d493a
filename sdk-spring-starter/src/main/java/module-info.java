/**
 * secretsdk's Spring Boot 4 starter: auto-configuration of the cache, the backends on the class
 * path, the HikariCP pool, {@code spring.config.import=secrets:}, Actuator and Micrometer.
 */
module io.secretsdk.spring {
  requires transitive io.secretsdk;
  requires transitive spring.boot;
  requires transitive spring.boot.autoconfigure;
  requires transitive spring.context;
  requires spring.beans;
  requires spring.core;
  requires org.slf4j;
  // Each part switches on when the application has the library.
  requires static io.secretsdk.jdbc;
  requires static com.zaxxer.hikari;
  requires static java.sql;
  requires static spring.boot.health;
  requires static spring.boot.actuator;
  requires static spring.boot.actuator.autoconfigure;
  requires static micrometer.core;
  requires static io.secretsdk.micrometer;

  exports io.secretsdk.spring;

  opens io.secretsdk.spring to spring.core, spring.beans, spring.context;
  opens io.secretsdk.spring.internal to spring.core, spring.beans, spring.context;
}
