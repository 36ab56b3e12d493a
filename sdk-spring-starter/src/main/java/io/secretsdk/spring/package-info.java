/**
 * Spring Boot 4 auto-configuration for secretsdk: {@link io.secretsdk.spring.SecretsProperties}
 * ({@code secrets.*}), one {@code SecretCache} over every configured backend, the HikariCP pool
 * that follows its secret, {@code spring.config.import=secrets:}, and what Actuator and Micrometer
 * show. Add the dependency and a few properties; see the module's README.
 */
@NullMarked
package io.secretsdk.spring;

import org.jspecify.annotations.NullMarked;
