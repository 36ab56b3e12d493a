package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsdk.SecretRef;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.micrometer.SecretMetrics;
import io.secretsdk.spring.internal.ImportedSecrets;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

class ConfigImportTest {
  @TempDir Path dir;

  private ConfigurableApplicationContext start(String... args) {
    return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).logStartupInfo(false)
        .run(args);
  }

  @Test
  void aJsonSecretsFieldsBecomePropertiesUnderThePrefix() {
    String key = Files2.value("key");
    Files2.write(dir.resolve("app.json"), "{\"api-key\":\"" + key + "\",\"user\":\"svc\"}");
    try (ConfigurableApplicationContext ctx = start("--secrets.file.root=" + dir,
        "--spring.config.import=secrets:file://app.json?prefix=app")) {
      assertThat(ctx.getEnvironment().getProperty("app.api-key")).isEqualTo(key);
      assertThat(ctx.getEnvironment().getProperty("app.user")).isEqualTo("svc");
      assertThat(ctx.getBean(AppProperties.class).getApiKey()).isEqualTo(key);
    }
  }

  @Test
  void aFieldReferenceBecomesOnePropertyNamedByThePrefixOrTheField() {
    String pw = Files2.value("pw");
    Files2.write(dir.resolve("db.json"), "{\"username\":\"app\",\"password\":\"" + pw + "\"}");
    try (ConfigurableApplicationContext ctx = start("--secrets.file.root=" + dir,
        "--spring.config.import=secrets:file://db.json#password?prefix=app.db-password;file://db.json#username")) {
      assertThat(ctx.getEnvironment().getProperty("app.db-password")).isEqualTo(pw);
      assertThat(ctx.getEnvironment().getProperty("username")).isEqualTo("app");
      assertThat(ctx.getEnvironment().getProperty("password")).isNull();
    }
  }

  @Test
  void anOptionalSecretThatDoesNotExistIsSkipped() {
    try (ConfigurableApplicationContext ctx = start("--secrets.file.root=" + dir,
        "--spring.config.import=optional:secrets:file://missing.json?prefix=app")) {
      assertThat(ctx.getEnvironment().getProperty("app.api-key")).isNull();
    }
  }

  @Test
  void aSecretThatDoesNotExistStopsStartupNamingIt() {
    assertThatThrownBy(() -> start("--secrets.file.root=" + dir,
        "--spring.config.import=secrets:file://missing.json?prefix=app"))
        .hasMessageContaining("file://missing.json");
  }

  @Test
  void aBackendThatIsDownStopsStartupNamingTheSecretAndTheBackendUnlessOptional() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), Files2.value("hvs"), StandardCharsets.UTF_8);
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    String[] vault = {"--secrets.vault.address=http://127.0.0.1:" + closed, "--secrets.vault.auth.method=token",
        "--secrets.vault.auth.token-file=" + token};
    assertThatThrownBy(() -> start(concat(vault, "--spring.config.import=secrets:vault://secret/app?prefix=app")))
        .satisfies(e -> assertThat(SecretsAutoConfigurationTest.allMessages(e))
            .contains("vault://secret/app").contains("backend 'vault'").contains("optional:secrets:"));
    try (ConfigurableApplicationContext ctx = start(concat(vault,
        "--spring.config.import=optional:secrets:vault://secret/app?prefix=app"))) {
      assertThat(ctx.getEnvironment().getProperty("app.api-key")).isNull();
    }
  }

  @Test
  void aStartThatFailsAtImportClosesTheImportsCacheAndSourceAndLeavesNoThreadOfTheirs() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), Files2.value("hvs"), StandardCharsets.UTF_8);
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    assertFailedStartClosesTheImport("--secrets.vault.address=http://127.0.0.1:" + closed,
        "--secrets.vault.auth.method=token", "--secrets.vault.auth.token-file=" + token,
        "--spring.config.import=secrets:vault://secret/app?prefix=app");
    assertFailedStartClosesTheImport("--secrets.file.root=" + dir,
        "--spring.config.import=secrets:file://missing.json?prefix=app");
  }

  private static void assertFailedStartClosesTheImport(String... args) {
    Set<Thread> before = sdkThreads();
    AtomicReference<ConfigurableBootstrapContext> bootstrap = new AtomicReference<>();
    SpringApplicationBuilder app = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .logStartupInfo(false).addBootstrapRegistryInitializer(r -> bootstrap.set((ConfigurableBootstrapContext) r));
    assertThatThrownBy(() -> app.run(args)).satisfies(e -> assertThat(SecretsAutoConfigurationTest.allMessages(e))
        .contains("secret"));
    SecretCache cache = bootstrap.get().get(ImportedSecrets.class).cache();
    assertThatThrownBy(cache::snapshot).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Set<Thread> left = sdkThreads();
      left.removeAll(before);
      assertThat(left).extracting(Thread::getName).isEmpty();
    });
  }

  /** The live threads the SDK names (cache timer and loads, listeners, call timeouts, backend clients). */
  private static Set<Thread> sdkThreads() {
    Set<Thread> out = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith("secretsdk-")) {
        out.add(t);
      }
    }
    return out;
  }

  @Test
  void aValueThatIsNotJsonNeedsAPrefix() {
    Files2.write(dir.resolve("token.txt"), Files2.value("tok"));
    assertThatThrownBy(() -> start("--secrets.file.root=" + dir, "--spring.config.import=secrets:file://token.txt"))
        .satisfies(e -> assertThat(SecretsAutoConfigurationTest.allMessages(e)).contains("?prefix="));
    try (ConfigurableApplicationContext ctx = start("--secrets.file.root=" + dir,
        "--spring.config.import=secrets:file://token.txt?prefix=app.token")) {
      assertThat(ctx.getEnvironment().getProperty("app.token")).startsWith("tok-");
    }
  }

  @Test
  void whenAnImportedSecretRotatesThePropertyAndTheBoundBeanFollowButAValueFieldDoesNot() {
    String first = Files2.value("first");
    Path file = Files2.write(dir.resolve("app.json"), "{\"api-key\":\"" + first + "\"}");
    try (ConfigurableApplicationContext ctx = start("--secrets.file.root=" + dir,
        "--spring.config.import=secrets:file://app.json?prefix=app")) {
      SecretCache cache = ctx.getBean(SecretCache.class);
      AppProperties bound = ctx.getBean(AppProperties.class);
      ValueHolder injected = ctx.getBean(ValueHolder.class);
      assertThat(injected.apiKey).isEqualTo(first);

      String second = Files2.value("second");
      Files2.write(file, "{\"api-key\":\"" + second + "\"}");
      cache.refresh(SecretRef.parse("file://app.json")).join();
      await().atMost(Duration.ofSeconds(10)).until(() -> second.equals(bound.getApiKey()));
      assertThat(ctx.getBean(AppProperties.class)).isSameAs(bound);
      assertThat(ctx.getEnvironment().getProperty("app.api-key")).isEqualTo(second);
      // The documented limit: a @Value field keeps what it was injected with.
      assertThat(injected.apiKey).isEqualTo(first);
    }
  }

  @Test
  void theImportsCacheIsTheContextsOnlyCacheAndClosesWithIt() {
    Files2.write(dir.resolve("app.json"), "{\"api-key\":\"" + Files2.value("k") + "\"}");
    SecretCache cache;
    try (ConfigurableApplicationContext ctx = start("--secrets.file.root=" + dir,
        "--spring.config.import=secrets:file://app.json?prefix=app")) {
      assertThat(ctx.getBeansOfType(SecretCache.class)).hasSize(1);
      cache = ctx.getBean(SecretCache.class);
      assertThat(cache.stats().loads()).isEqualTo(1);
    }
    assertThatThrownBy(() -> cache.get("file://app.json")).hasMessageContaining("closed");
  }

  @Test
  void theImportsCacheFeedsTheMetersFromTheRefreshOfTheContextOn() {
    Files2.write(dir.resolve("app.json"), "{\"api-key\":\"" + Files2.value("k") + "\"}");
    try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(MeteredApp.class)
        .web(WebApplicationType.NONE).logStartupInfo(false)
        .run("--secrets.file.root=" + dir, "--spring.config.import=secrets:file://app.json?prefix=app")) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      ctx.getBean(SecretMetrics.class).bindTo(registry);
      SecretCache cache = ctx.getBean(SecretCache.class);
      cache.get("file://app.json");
      cache.refresh(SecretRef.parse("file://app.json")).join();

      // The import's own load came before the context; the refresh is the first call the meters see.
      assertThat(registry.get("secrets.backend.calls").tags("scheme", "file", "operation", "fetch", "outcome", "ok")
          .timer().count()).isEqualTo(1);
      assertThat(registry.get("secrets.cache.gets").tag("result", "miss").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("secrets.cache.gets").tag("result", "hit").functionCounter().count()).isPositive();
    }
  }

  private static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }

  /** A minimal application: the starter's core and two beans that read imported properties. */
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(SecretsAutoConfiguration.class)
  @EnableConfigurationProperties(AppProperties.class)
  @org.springframework.context.annotation.Import(ValueHolder.class)
  static class App {}

  /** The same application with Actuator's and Micrometer's part of the starter. */
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration({SecretsAutoConfiguration.class, SecretsActuatorAutoConfiguration.class})
  @EnableConfigurationProperties(AppProperties.class)
  @org.springframework.context.annotation.Import(ValueHolder.class)
  static class MeteredApp {}

  /** Bound from the imported secret. */
  @ConfigurationProperties("app")
  public static class AppProperties {
    private String apiKey = "";

    /** @return the key */
    public String getApiKey() {
      return apiKey;
    }

    /** @param apiKey the key */
    public void setApiKey(String apiKey) {
      this.apiKey = apiKey;
    }
  }

  /** Injected once from the imported secret. */
  @Component
  static class ValueHolder {
    final String apiKey;

    ValueHolder(@Value("${app.api-key:}") String apiKey) {
      this.apiKey = apiKey;
    }
  }
}
