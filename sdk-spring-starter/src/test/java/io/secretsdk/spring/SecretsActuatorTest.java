package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.micrometer.SecretMetrics;
import io.secretsdk.spring.internal.SecretsActivity;
import io.secretsdk.spring.internal.SecretsEndpoint;
import io.secretsdk.spring.internal.SecretsHealthIndicator;
import io.secretsdk.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SecretsActuatorTest {
  private static final SecretRef DB = SecretRef.parse("file://db.json");

  @TempDir Path dir;

  private final ManualClock clock = new ManualClock();

  private ApplicationContextRunner runner(SwitchableSource source) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SecretsAutoConfiguration.class, SecretsActuatorAutoConfiguration.class))
        .withPropertyValues("secrets.cache.default-ttl=1m", "secrets.cache.max-stale=2m",
            "management.endpoints.web.exposure.include=secrets,health")
        .withBean(SecretsActivity.class, () -> new SecretsActivity(clock))
        .withBean(SecretSource.class, () -> source);
  }

  @Test
  void theEndpointListsEverySecretWithItsMetadataAndNeverAValue() throws Exception {
    String password = Files2.value("pw");
    Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + password + "\"}");
    runner(new SwitchableSource(dir)).run(ctx -> {
      SecretCache cache = ctx.getBean(SecretCache.class);
      String v1 = cache.get(DB).versionId();
      String password2 = Files2.value("pw2");
      Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + password2 + "\"}");
      cache.refresh(DB).join();
      org.awaitility.Awaitility.await().until(() -> cache.previous(DB).isPresent());
      clock.advance(Duration.ofSeconds(10));

      Map<String, Object> report = ctx.getBean(SecretsEndpoint.class).report();
      String json = JsonMapper.builder().build().writeValueAsString(report);
      assertThat(json).doesNotContain(password).doesNotContain(password2);
      JsonNode root = JsonMapper.builder().build().readTree(json);
      assertThat(root.get("backends").get("file").get("calls").asLong()).isEqualTo(2);
      JsonNode secret = root.get("secrets").get(0);
      assertThat(secret.get("ref").asString()).isEqualTo("file://db.json");
      assertThat(secret.get("version").asString()).isEqualTo(cache.get(DB).versionId()).isNotEqualTo(v1);
      assertThat(secret.get("stages").get(0).asString()).isEqualTo("CURRENT");
      assertThat(secret.get("ageSeconds").asLong()).isEqualTo(10);
      assertThat(secret.get("nextRefreshAt").asString()).isEqualTo(ManualClock.DEFAULT_START.plusSeconds(45).toString());
      assertThat(secret.get("leaseRemainingSeconds").isNull()).isTrue();
      assertThat(secret.get("overlap").get("active").asBoolean()).isTrue();
      assertThat(secret.get("overlap").get("previousVersion").asString()).isEqualTo(v1);
      assertThat(secret.get("overlap").get("until").isNull()).isFalse();
      assertThat(root.get("cache").get("loads").asLong()).isEqualTo(1);
      assertThat(root.get("cache").get("rotations").asLong()).isEqualTo(1);
      assertThat(root.get("configuredBackends").size()).isZero();
    });
  }

  @Test
  void healthIsUpWhileFreshOutOfServiceWhenStaleAndDownPastMaxStaleThenUpAgain() {
    Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + Files2.value("pw") + "\"}");
    SwitchableSource source = new SwitchableSource(dir);
    runner(source).run(ctx -> {
      SecretCache cache = ctx.getBean(SecretCache.class);
      SecretsHealthIndicator health = ctx.getBean("secretsHealthIndicator", SecretsHealthIndicator.class);
      cache.get(DB);
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);

      source.down = true;
      cache.refresh(DB).handle((s, e) -> null).join();
      // A failing refresh within the value's lifetime: still UP.
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      assertThat(health.health().getDetails().get("backends").toString()).contains("unavailable");

      clock.advance(Duration.ofSeconds(61));
      assertThat(health.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
      assertThat(health.health().getDetails().get("stale")).isEqualTo(List.of("file://db.json"));

      clock.advance(Duration.ofMinutes(2));
      assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.health().getDetails().get("unavailable")).isEqualTo(List.of("file://db.json"));

      source.down = false;
      cache.refresh(DB).join();
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    });
  }

  @Test
  void theMetersCountGetsTimeBackendCallsAndCountRotationsAndFailedRefreshesByScheme() {
    String password = Files2.value("pw");
    Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + password + "\"}");
    SwitchableSource source = new SwitchableSource(dir);
    runner(source).run(ctx -> {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      ctx.getBean(SecretMetrics.class).bindTo(registry);
      SecretCache cache = ctx.getBean(SecretCache.class);
      cache.get(DB);
      cache.get(DB);
      assertThat(registry.get("secrets.cache.gets").tag("result", "miss").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("secrets.cache.gets").tag("result", "hit").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("secrets.backend.calls").tags("scheme", "file", "operation", "fetch", "outcome", "ok")
          .timer().count()).isEqualTo(1);

      Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + Files2.value("pw2") + "\"}");
      cache.refresh(DB).join();
      org.awaitility.Awaitility.await().until(() -> registry.find("secrets.rotations").counter() != null);
      assertThat(registry.get("secrets.rotations").tag("scheme", "file").counter().count()).isEqualTo(1);

      source.down = true;
      cache.refresh(DB).handle((s, e) -> null).join();
      assertThat(registry.get("secrets.refresh.failures").tag("scheme", "file").counter().count()).isPositive();
      assertThat(registry.get("secrets.backend.calls").tags("scheme", "file", "outcome", "unavailable").timer().count())
          .isPositive();
      for (Meter m : registry.getMeters()) {
        for (Tag t : m.getId().getTags()) {
          assertThat(t.getValue()).doesNotContain(password).doesNotContain("db.json");
        }
      }
    });
  }

  /** An application's own cache, built with the metrics' observer as docs/spring-boot.md shows. */
  @Configuration(proxyBeanMethods = false)
  static class OwnCache {
    @Bean(destroyMethod = "close")
    SecretCache secretCache(SecretSource source, SecretMetrics metrics) {
      return SecretCache.builder(source).observer(metrics.observer()).build();
    }
  }

  @Test
  void anApplicationsOwnCacheBuiltWithTheMetricsObserverIsMeteredAsTheStartersIs() {
    Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + Files2.value("pw") + "\"}");
    runner(new SwitchableSource(dir)).withUserConfiguration(OwnCache.class).run(ctx -> {
      assertThat(ctx).hasNotFailed().hasSingleBean(SecretCache.class);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      ctx.getBean(SecretMetrics.class).bindTo(registry);
      SecretCache cache = ctx.getBean(SecretCache.class);
      cache.get(DB);
      cache.get(DB);
      assertThat(registry.get("secrets.cache.gets").tag("result", "miss").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("secrets.cache.gets").tag("result", "hit").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("secrets.backend.calls").tags("scheme", "file", "operation", "fetch", "outcome", "ok")
          .timer().count()).isEqualTo(1);
    });
  }

  @Test
  void withoutActuatorOrMicrometerOnlyTheCacheIsConfigured() {
    Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + Files2.value("pw") + "\"}");
    runner(new SwitchableSource(dir)).withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
        "org.springframework.boot.health", "io.micrometer")).run(ctx -> {
          assertThat(ctx).hasNotFailed().hasSingleBean(SecretCache.class);
          assertThat(ctx).doesNotHaveBean(SecretsEndpoint.class).doesNotHaveBean("secretsHealthIndicator")
              .doesNotHaveBean(SecretMetrics.class);
        });
  }

  @Test
  void theHealthContributorCanBeSwitchedOff() {
    runner(new SwitchableSource(dir)).withPropertyValues("management.health.secrets.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean("secretsHealthIndicator").hasSingleBean(SecretsEndpoint.class));
  }
}
