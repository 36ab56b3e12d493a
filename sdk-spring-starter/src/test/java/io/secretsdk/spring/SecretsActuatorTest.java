package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.micrometer.SecretMetrics;
import io.secretsdk.spring.internal.SecretsEndpoint;
import io.secretsdk.spring.internal.SecretsHealthIndicator;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private ApplicationContextRunner runner(SwitchableSource source) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SecretsAutoConfiguration.class, SecretsActuatorAutoConfiguration.class))
        .withPropertyValues("secrets.cache.default-ttl=1m", "secrets.cache.max-stale=2m",
            "management.endpoints.web.exposure.include=secrets,health")
        .withBean(SecretSource.class, () -> source);
  }

  /** The application's own cache on manual time (a user's SecretCache wins), so that tests move its clock. */
  private ApplicationContextRunner onManualTime(SwitchableSource source, ResiliencePolicy policy) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SecretsAutoConfiguration.class, SecretsActuatorAutoConfiguration.class))
        .withPropertyValues("management.endpoints.web.exposure.include=secrets,health")
        .withBean("secretCache", SecretCache.class, () -> SecretCache.builder(source).clock(clock).scheduler(scheduler)
            .listenerExecutor(Runnable::run).resilience(policy).refreshJitter(0)
            .defaultTtl(Duration.ofMinutes(1)).maxStale(Duration.ofMinutes(2)).overlap(Duration.ofMinutes(5)).build(),
            bd -> bd.setDestroyMethodName("close"));
  }

  /** A circuit breaker that opens after {@code calls} calls of which half failed, and half-opens a minute later. */
  private static ResiliencePolicy breaker(int calls) {
    return ResiliencePolicy.custom()
        .circuitBreaker(CircuitBreakerConfig.custom().slidingWindowSize(calls).minimumNumberOfCalls(calls)
            .failureRateThreshold(50).waitDurationInOpenState(Duration.ofMinutes(1)).build())
        .build();
  }

  private static String json(Object o) {
    return JsonMapper.builder().build().writeValueAsString(o);
  }

  @Test
  void theEndpointShowsTheCachesOwnViewOfEverySecretAndNeverAValue() throws Exception {
    String password = Files2.value("pw");
    String password2 = Files2.value("pw2");
    String password3 = Files2.value("pw3");
    Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + password + "\"}");
    onManualTime(new SwitchableSource(dir), breaker(100)).run(ctx -> {
      SecretCache cache = ctx.getBean(SecretCache.class);
      String v1 = cache.get(DB).versionId();
      Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + password2 + "\"}");
      cache.refresh(DB).join();
      String v2 = cache.get(DB).versionId();
      clock.advance(Duration.ofSeconds(10));
      Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + password3 + "\"}");
      cache.refresh(DB).join();
      clock.advance(Duration.ofSeconds(10));

      String json = json(ctx.getBean(SecretsEndpoint.class).report());
      assertThat(json).doesNotContain(password).doesNotContain(password2).doesNotContain(password3)
          .doesNotContain("\"username\"");
      JsonNode root = JsonMapper.builder().build().readTree(json);
      Instant start = ManualClock.DEFAULT_START;
      assertThat(root.get("takenAt").asString()).isEqualTo(start.plusSeconds(20).toString());
      JsonNode file = root.get("backends").get("file");
      assertThat(file.get("circuit").asString()).isEqualTo("CLOSED");
      assertThat(file.get("windowCalls").asInt()).isEqualTo(3);
      assertThat(file.get("windowFailures").asInt()).isZero();
      assertThat(file.get("entries").asInt()).isEqualTo(1);
      assertThat(root.get("secrets").size()).isEqualTo(1);
      JsonNode secret = root.get("secrets").get(0);
      assertThat(secret.get("ref").asString()).isEqualTo("file://db.json");
      assertThat(secret.get("backend").asString()).isEqualTo("file");
      assertThat(secret.get("phase").asString()).isEqualTo("FRESH");
      assertThat(secret.get("version").asString()).isEqualTo(cache.get(DB).versionId()).isNotIn(v1, v2);
      assertThat(secret.get("stages").get(0).asString()).isEqualTo("CURRENT");
      assertThat(secret.get("fetchedAt").asString()).isEqualTo(start.plusSeconds(10).toString());
      assertThat(secret.get("ageSeconds").asLong()).isEqualTo(10);
      assertThat(secret.get("lifetimeEndsAt").asString()).isEqualTo(start.plusSeconds(70).toString());
      assertThat(secret.get("servableUntil").asString()).isEqualTo(start.plusSeconds(190).toString());
      assertThat(secret.get("nextStep").asString()).isEqualTo("REFRESH");
      assertThat(secret.get("nextStepAt").asString()).isEqualTo(start.plusSeconds(55).toString());
      assertThat(secret.get("lease").isNull()).isTrue();
      JsonNode overlap = secret.get("overlap");
      assertThat(overlap.get("active").asBoolean()).isTrue();
      assertThat(overlap.get("previousVersion").asString()).isEqualTo(v2);
      assertThat(overlap.get("until").asString()).isEqualTo(start.plusSeconds(310).toString());
      assertThat(overlap.get("retired").get(0).get("version").asString()).isEqualTo(v1);
      assertThat(overlap.get("retired").get(0).get("until").asString()).isEqualTo(start.plusSeconds(300).toString());
      assertThat(secret.get("consecutiveFailures").asInt()).isZero();
      assertThat(secret.get("lastFailure").isNull()).isTrue();
      assertThat(root.get("cache").get("loads").asLong()).isEqualTo(1);
      assertThat(root.get("cache").get("rotations").asLong()).isEqualTo(2);
      assertThat(root.get("configuredBackends").size()).isZero();
    });
  }

  @Test
  void healthIsUpWhileFreshOutOfServiceWhenStaleAndDownPastMaxStaleThenUpAgain() {
    Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + Files2.value("pw") + "\"}");
    SwitchableSource source = new SwitchableSource(dir);
    onManualTime(source, breaker(1000)).run(ctx -> {
      SecretCache cache = ctx.getBean(SecretCache.class);
      SecretsHealthIndicator health = ctx.getBean("secretsHealthIndicator", SecretsHealthIndicator.class);
      cache.get(DB);
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      assertThat(health.health().getDetails()).containsEntry("secrets", 1).doesNotContainKeys("failing", "stale");

      source.down = true;
      cache.refresh(DB).handle((s, e) -> null).join();
      // A failing refresh within the value's lifetime: still UP, and named.
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      assertThat(health.health().getDetails().get("failing")).isEqualTo(List.of("file://db.json"));
      assertThat(json(health.health().getDetails().get("backends")))
          .contains("\"circuit\":\"CLOSED\"").contains("\"failingEntries\":1");

      clock.advance(Duration.ofSeconds(61));
      assertThat(health.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
      assertThat(health.health().getDetails().get("stale")).isEqualTo(List.of("file://db.json"));

      clock.advance(Duration.ofMinutes(2));
      assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.health().getDetails().get("unavailable")).isEqualTo(List.of("file://db.json"));
      assertThat(health.health().getDetails()).containsEntry("secrets", 0);

      source.down = false;
      cache.refresh(DB).join();
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      assertThat(health.health().getDetails()).doesNotContainKeys("failing", "stale", "unavailable");
    });
  }

  @Test
  void anOpenCircuitIsOutOfServiceWhileValuesAreStillServedAndUpOnceTheBackendAnswersAgain() {
    Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + Files2.value("pw") + "\"}");
    SwitchableSource source = new SwitchableSource(dir);
    onManualTime(source, breaker(3)).run(ctx -> {
      SecretCache cache = ctx.getBean(SecretCache.class);
      SecretsHealthIndicator health = ctx.getBean("secretsHealthIndicator", SecretsHealthIndicator.class);
      cache.get(DB);
      source.down = true;
      cache.refresh(DB).handle((s, e) -> null).join();
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      clock.advance(Duration.ofSeconds(2));
      cache.refresh(DB).handle((s, e) -> null).join();

      assertThat(cache.get(DB).versionId()).isNotEmpty();
      assertThat(health.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
      assertThat(json(health.health().getDetails().get("backends"))).contains("\"circuit\":\"OPEN\"")
          .contains("\"windowFailures\":2");

      source.down = false;
      clock.advance(Duration.ofMinutes(1));
      cache.refresh(DB).join();
      assertThat(json(health.health().getDetails().get("backends"))).doesNotContain("\"circuit\":\"OPEN\"");
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    });
  }

  @Test
  void aLeaseWhoseRenewalFailsIsOutOfServiceInItsLastTenthAndDownWhenItEnds() {
    Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + Files2.value("pw") + "\"}");
    SwitchableSource source = new SwitchableSource(dir);
    source.clock = clock;
    source.leaseTtl = Duration.ofSeconds(100);
    onManualTime(source, breaker(1000)).run(ctx -> {
      SecretCache cache = ctx.getBean(SecretCache.class);
      SecretsHealthIndicator health = ctx.getBean("secretsHealthIndicator", SecretsHealthIndicator.class);
      cache.get(DB);
      JsonNode secret = JsonMapper.builder().build().readTree(json(ctx.getBean(SecretsEndpoint.class).report()))
          .get("secrets").get(0);
      assertThat(secret.get("nextStep").asString()).isEqualTo("NEW_CREDENTIALS");
      assertThat(secret.get("lease").get("remainingSeconds").asLong()).isEqualTo(100);
      assertThat(secret.get("lease").get("renewable").asBoolean()).isFalse();
      assertThat(secret.get("servableUntil").asString()).isEqualTo(ManualClock.DEFAULT_START.plusSeconds(100).toString());

      source.down = true;
      clock.advance(Duration.ofSeconds(80));
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      assertThat(health.health().getDetails().get("failing")).isEqualTo(List.of("file://db.json"));

      clock.advance(Duration.ofSeconds(12));
      assertThat(health.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
      assertThat(health.health().getDetails().get("leaseEnding")).isEqualTo(List.of("file://db.json"));

      clock.advance(Duration.ofSeconds(8));
      assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.health().getDetails().get("unavailable")).isEqualTo(List.of("file://db.json"));
    });
  }

  @Test
  void aSecretThatCannotBeReadIsDownButOneThatDoesNotExistIsOnlyMissing() {
    Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + Files2.value("pw") + "\"}");
    SwitchableSource source = new SwitchableSource(dir);
    onManualTime(source, breaker(1000)).run(ctx -> {
      SecretCache cache = ctx.getBean(SecretCache.class);
      SecretsHealthIndicator health = ctx.getBean("secretsHealthIndicator", SecretsHealthIndicator.class);
      cache.get(DB);
      assertThatThrownBy(() -> cache.get(SecretRef.parse("file://nope.json"))).isInstanceOf(SecretNotFoundException.class);
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      assertThat(health.health().getDetails().get("missing")).isEqualTo(List.of("file://nope.json"));

      source.down = true;
      assertThatThrownBy(() -> cache.get(SecretRef.parse("file://other.json")))
          .isInstanceOf(SecretUnavailableException.class);
      assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.health().getDetails().get("unavailable")).isEqualTo(List.of("file://other.json"));
      assertThat(health.health().getDetails()).containsEntry("secrets", 1);
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
