package io.secretsdk.spring;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import io.secretsdk.observe.BackendCall;
import io.secretsdk.observe.Outcome;
import io.secretsdk.observe.SecretObserver;
import io.secretsdk.spring.internal.Backends;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

class SecretsAutoConfigurationTest {
  private static WireMockServer aws;

  @TempDir Path dir;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SecretsAutoConfiguration.class));

  @BeforeAll
  static void fakeAws() {
    aws = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    aws.start();
    // The SDK's default credentials chain reads these first; the fake does not check signatures.
    System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
    System.setProperty("aws.secretAccessKey", "fake-secret-key-for-tests");
  }

  @AfterAll
  static void stopAws() {
    aws.stop();
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  @Test
  void aFileRootGivesOneCacheThatReadsThatDirectory() {
    String value = Files2.value("api");
    Files2.write(dir.resolve("api.json"), "{\"key\":\"" + value + "\"}");
    runner.withPropertyValues("secrets.file.root=" + dir).run(ctx -> {
      assertThat(ctx).hasSingleBean(SecretCache.class).hasSingleBean(SecretSource.class);
      SecretCache cache = ctx.getBean(SecretCache.class);
      assertThat(cache.value("file://api.json#key").contentEquals(value.toCharArray())).isTrue();
      // One backend configured: a reference without a scheme goes to it.
      assertThat(cache.get("api.json").versionId()).isEqualTo(cache.get("file://api.json").versionId());
    });
  }

  @Test
  void anApplicationsSecretObserverBeanIsToldOfEveryBackendCallOfTheStartersCache() {
    Files2.write(dir.resolve("api.json"), "{\"key\":\"" + Files2.value("api") + "\"}");
    List<BackendCall> calls = new CopyOnWriteArrayList<>();
    runner.withPropertyValues("secrets.file.root=" + dir)
        .withBean("auditObserver", SecretObserver.class, () -> new SecretObserver() {
          @Override
          public void onBackendCall(BackendCall call) {
            calls.add(call);
          }
        })
        .run(ctx -> {
          SecretCache cache = ctx.getBean(SecretCache.class);
          cache.get("file://api.json");
          cache.get("file://api.json");
          assertThat(calls).singleElement().satisfies(c -> {
            assertThat(c.scheme()).isEqualTo("file");
            assertThat(c.operation()).isEqualTo(BackendCall.Operation.FETCH);
            assertThat(c.outcome()).isEqualTo(Outcome.OK);
          });
        });
  }

  @Test
  void theCacheIsClosedWithTheContext() {
    Files2.write(dir.resolve("a.json"), "{\"k\":\"v1234\"}");
    SecretCache[] held = new SecretCache[1];
    runner.withPropertyValues("secrets.file.root=" + dir).run(ctx -> {
      held[0] = ctx.getBean(SecretCache.class);
      held[0].get("file://a.json");
    });
    assertThatThrownBy(() -> held[0].get("file://a.json")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void theAwsBackendIsWiredFromItsPropertiesWhenItsModuleIsPresent() {
    String value = Files2.value("aws");
    aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
            .withBody("{\"ARN\":\"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-AbCdEf\","
                + "\"Name\":\"prod/api\",\"VersionId\":\"11111111-2222-3333-4444-555555555555\","
                + "\"SecretString\":\"" + value + "\",\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1.7E9}")));
    runner.withPropertyValues("secrets.aws.region=eu-west-1", "secrets.aws.endpoint=" + aws.baseUrl()).run(ctx -> {
      assertThat(ctx).hasNotFailed();
      SecretCache cache = ctx.getBean(SecretCache.class);
      assertThat(cache.get("aws-sm://prod/api").versionId()).isEqualTo("11111111-2222-3333-4444-555555555555");
      assertThat(cache.value("aws-sm://prod/api").contentEquals(value.toCharArray())).isTrue();
    });
  }

  @Test
  void aBackendWhoseModuleIsMissingStopsStartupNamingThePropertyAndTheDependency() {
    runner.withClassLoader(new FilteredClassLoader("io.secretsdk.aws"))
        .withPropertyValues("secrets.aws.region=eu-west-1").run(ctx -> {
          assertThat(ctx).hasFailed();
          assertThat(rootMessage(ctx.getStartupFailure()))
              .contains("secrets.aws.region").contains("io.secretsdk:sdk-aws");
        });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "secrets.gcp.project=my-project                         | io.secretsdk.gcp     | secrets.gcp.project     | io.secretsdk:sdk-gcp",
      "secrets.azure.vault-url=https://kv1.vault.azure.net     | io.secretsdk.azure   | secrets.azure.vault-url | io.secretsdk:sdk-azure",
  })
  void theGcpAndAzureBackendsNeedTheirModules(String property, String hidden, String named, String artifact) {
    runner.withClassLoader(new FilteredClassLoader(hidden)).withPropertyValues(property).run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(rootMessage(ctx.getStartupFailure())).contains(named).contains(artifact);
    });
  }

  @Test
  void aBackendModuleWithoutPropertiesIsNotConfigured() {
    runner.withPropertyValues("secrets.file.root=" + dir).run(ctx -> {
      SecretsProperties p = ctx.getBean(SecretsProperties.class);
      assertThat(Backends.configured(p, getClass().getClassLoader())).extracting(Backends.Backend::name)
          .containsExactly("file");
    });
    // Hidden and unconfigured: no complaint.
    runner.withClassLoader(new FilteredClassLoader("io.secretsdk.vault", "io.secretsdk.aws"))
        .withPropertyValues("secrets.file.root=" + dir).run(ctx -> assertThat(ctx).hasNotFailed());
  }

  @Test
  void theVaultBackendIsConfiguredFromItsPropertiesWhenItsModuleIsPresent() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), Files2.value("hvs"), StandardCharsets.UTF_8);
    runner.withPropertyValues("secrets.vault.address=http://127.0.0.1:8200", "secrets.vault.auth.method=token",
        "secrets.vault.auth.token-file=" + token, "secrets.file.root=" + dir).run(ctx -> {
          assertThat(ctx).hasNotFailed();
          SecretsProperties p = ctx.getBean(SecretsProperties.class);
          assertThat(Backends.configured(p, getClass().getClassLoader())).extracting(Backends.Backend::name)
              .containsExactly("vault", "file");
        });
    runner.withClassLoader(new FilteredClassLoader("io.secretsdk.vault"))
        .withPropertyValues("secrets.vault.address=http://127.0.0.1:8200", "secrets.vault.auth.method=token",
            "secrets.vault.auth.token-file=" + token).run(ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(rootMessage(ctx.getStartupFailure())).contains("secrets.vault.address")
                  .contains("io.secretsdk:sdk-vault");
            });
  }

  @Test
  void aUsersOwnSecretSourceWins() {
    Path other = dir.resolve("other");
    Files2.write(other.resolve("mine.json"), "{\"k\":\"v-mine\"}");
    runner.withPropertyValues("secrets.file.root=" + dir)
        .withBean("mySource", SecretSource.class, () -> FileSecretSource.of(other)).run(ctx -> {
          assertThat(ctx).hasSingleBean(SecretSource.class);
          assertThat(ctx).hasBean("mySource").doesNotHaveBean("secretSource");
          assertThat(ctx.getBean(SecretCache.class).get("file://mine.json").name()).isEqualTo("mine.json");
        });
  }

  @Test
  void aUsersOwnSecretCacheWins() {
    Files2.write(dir.resolve("a.json"), "{\"k\":\"v1234\"}");
    SecretCache mine = SecretCache.builder(FileSecretSource.of(dir)).build();
    try {
      runner.withBean("myCache", SecretCache.class, () -> mine).run(ctx -> {
        assertThat(ctx).hasSingleBean(SecretCache.class);
        assertThat(ctx.getBean(SecretCache.class)).isSameAs(mine);
      });
    } finally {
      mine.close();
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "secrets.cache.refresh-ahead=1.5      | secrets.cache.refresh-ahead",
      "secrets.cache.refresh-jitter=-0.1    | secrets.cache.refresh-jitter",
      "secrets.cache.default-ttl=0s         | secrets.cache.default-ttl",
      "secrets.cache.max-stale=-5s          | secrets.cache.max-stale",
      "secrets.cache.maximum-size=0         | secrets.cache.maximum-size",
      "secrets.cache.overlap=banana         | secrets.cache.overlap",
      "secrets.file.root=/no/such/directory | secrets.file.root",
      "secrets.datasource.secret=file://db?stage=later | secrets.datasource.secret",
      "secrets.vault.auth.method=kerberos   | secrets.vault.auth.method",
      "secrets.vault.namespace=team-a       | secrets.vault.address",
  })
  void aBadValueStopsStartupNamingTheProperty(String property, String named) {
    runner.withPropertyValues(property).run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(allMessages(ctx.getStartupFailure())).contains(named);
    });
  }

  @Test
  void eachRotationIsPublishedToTheContext() {
    Path file = Files2.write(dir.resolve("rot.json"), "{\"k\":\"" + Files2.value("one") + "\"}");
    runner.withPropertyValues("secrets.file.root=" + dir).withUserConfiguration(Listener.class).run(ctx -> {
      SecretCache cache = ctx.getBean(SecretCache.class);
      String first = cache.get("file://rot.json").versionId();
      Files2.write(file, "{\"k\":\"" + Files2.value("two") + "\"}");
      cache.refresh(SecretRef.parse("file://rot.json")).join();
      Listener l = ctx.getBean(Listener.class);
      await().atMost(Duration.ofSeconds(10)).until(() -> !l.events.isEmpty());
      RotationEvent e = l.events.get(0);
      assertThat(e.ref().name()).isEqualTo("rot.json");
      assertThat(e.previous()).hasValueSatisfying(p -> assertThat(p.versionId()).isEqualTo(first));
      assertThat(e.current().versionId()).isNotEqualTo(first);
    });
  }

  @Test
  void theConfigurationMetadataDocumentsEveryProperty() throws Exception {
    // Other jars (Boot's) ship the same resource: take this module's, the one that describes "secrets".
    String json = "";
    var all = getClass().getClassLoader().getResources("META-INF/spring-configuration-metadata.json");
    while (all.hasMoreElements()) {
      try (var in = all.nextElement().openStream()) {
        String one = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (one.contains("\"sourceType\": \"io.secretsdk.spring.SecretsProperties\"")) {
          json = one;
        }
      }
    }
    for (String name : List.of("secrets.cache.default-ttl", "secrets.cache.refresh-ahead", "secrets.cache.max-stale",
        "secrets.cache.overlap", "secrets.aws.region", "secrets.aws.endpoint", "secrets.gcp.project",
        "secrets.azure.vault-url", "secrets.vault.address", "secrets.vault.namespace", "secrets.vault.auth.method",
        "secrets.vault.auth.token-file", "secrets.file.root", "secrets.datasource.secret")) {
      assertThat(json).as(name).contains("\"name\": \"" + name + "\"");
    }
    // Descriptions come from the field documentation.
    assertThat(json).contains("At which fraction of a value's lifetime it is refreshed");
  }

  /** Collects the rotation events the context publishes. */
  @Configuration(proxyBeanMethods = false)
  static class Listener {
    final List<RotationEvent> events = new CopyOnWriteArrayList<>();

    @EventListener
    void on(RotationEvent e) {
      events.add(e);
    }

    @Bean
    String marker() {
      return "listener";
    }
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return String.valueOf(c.getMessage());
  }

  static String allMessages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getMessage()).append('\n');
    }
    return b.toString();
  }
}
