package io.secretsdk.samples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sample end to end: the real application on Tomcat, a real PostgreSQL, the real pool. Eight
 * HTTP clients call {@code GET /db} without pause while the database password rotates five times,
 * alternately database first and secret first; not one request may fail. Then the actuator
 * endpoints over HTTP, and health through an outage of the secret store. Everything runs at DEBUG
 * and LeakGuard searches every log line of startup, load and shutdown for the passwords.
 */
class SpringBootAppTest {
  private static final int CLIENTS = 8;
  private static final int ROTATIONS = 5;
  private static final SecretRef REF = SecretRef.parse("file://db.json");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The file backend with an outage switch: the application's own SecretSource, which the starter uses. */
  static final class StoreWithOutage implements SecretSource {
    static volatile FileSecretSource files;
    static final AtomicBoolean DOWN = new AtomicBoolean();

    @Override
    public String scheme() {
      return "file";
    }

    @Override
    public Secret fetch(SecretRef ref) {
      if (DOWN.get()) {
        throw new SecretUnavailableException("secret store unreachable (test outage)", ref);
      }
      return files.fetch(ref);
    }

    @Override
    public SecretRef canonical(SecretRef ref) {
      return files.canonical(ref);
    }
  }

  /**
   * What the test adds to the application: the store above, a quick circuit breaker, a rotation
   * log. Not a {@code @Configuration}, so that the application's component scan (which sees the
   * test classes) does not pick it up in other runs; it is given to Spring as a source.
   */
  static class TestSetup {
    final BlockingQueue<RotationEvent> rotations = new LinkedBlockingQueue<>();

    @Bean
    SecretSource secretSource() {
      return new StoreWithOutage();
    }

    @Bean
    ResiliencePolicy resiliencePolicy() {
      return ResiliencePolicy.custom()
          .retry(RetryConfig.custom().maxAttempts(2).waitDuration(Duration.ofMillis(50)).build())
          .circuitBreaker(CircuitBreakerConfig.custom().slidingWindowSize(20).minimumNumberOfCalls(10)
              .waitDurationInOpenState(Duration.ofMillis(500)).build())
          .timeout(Duration.ofSeconds(5)).build();
    }

    @EventListener
    void on(RotationEvent e) {
      rotations.add(e);
    }
  }

  @Test
  void rotationsUnderLoadFailNoRequestAndHealthFollowsTheStore() throws Exception {
    LocalDatabase db = LocalDatabase.start();
    StoreWithOutage.files = FileSecretSource.of(db.secretDirectory());
    // The first password was written by start(); read it back only to register it with the guard.
    LeakGuard.watch(readPassword(db));
    long started = System.nanoTime();
    ConfigurableApplicationContext app = new SpringApplicationBuilder(SpringBootApp.class, TestSetup.class)
        .run("--server.port=0", "--secrets.file.root=" + db.secretDirectory(),
            "--secrets.cache.default-ttl=2s", "--secrets.cache.max-stale=2s", "--secrets.cache.overlap=3s");
    long startupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    try {
      int port = ((WebServerApplicationContext) app).getWebServer().getPort();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      URI dbUri = URI.create("http://127.0.0.1:" + port + "/db");
      TestSetup setup = app.getBean(TestSetup.class);
      SecretCache cache = app.getBean(SecretCache.class);

      JsonNode first = JSON.readTree(get(http, dbUri).body());
      assertThat(first.get("dbUser").asString()).isEqualTo(LocalDatabase.ROLE);

      // Load: 8 clients without pause; every non-200 answer or error is a failure.
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong ok = new AtomicLong();
      Queue<String> failures = new ConcurrentLinkedQueue<>();
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Thread t = new Thread(() -> {
          while (running.get()) {
            try {
              HttpResponse<String> r = get(http, dbUri);
              if (r.statusCode() == 200) {
                ok.incrementAndGet();
              } else {
                failures.add("HTTP " + r.statusCode());
              }
            } catch (Exception e) {
              failures.add(e.getClass().getSimpleName());
            }
          }
        }, "client-" + i);
        t.start();
        clients.add(t);
      }
      List<String> versions = new ArrayList<>();
      try {
        Thread.sleep(500);
        for (int i = 0; i < ROTATIONS; i++) {
          String next = LocalDatabase.newPassword();
          LeakGuard.watch(next);
          if (i % 2 == 0) {
            // Database first: between the two steps, new logins with the held password fail.
            db.alterPassword(next);
            Thread.sleep(150);
            db.writeSecret(next);
          } else {
            // Secret first: between the two steps, new logins with the new password fail.
            db.writeSecret(next);
            cache.refresh(REF).join();
            Thread.sleep(150);
            db.alterPassword(next);
          }
          RotationEvent e = setup.rotations.poll(20, TimeUnit.SECONDS);
          assertThat(e).as("rotation %d published", i + 1).isNotNull();
          versions.add(e.current().versionId());
          // Let the pool roll its connections over before the next rotation.
          Thread.sleep(3500);
        }
      } finally {
        running.set(false);
        for (Thread t : clients) {
          t.join(30_000);
        }
      }
      System.out.printf("spring-boot-app: startup %d ms; %d requests under %d rotations, %d failed%n",
          startupMillis, ok.get(), ROTATIONS, failures.size());
      assertThat(failures).as("failed requests").isEmpty();
      assertThat(ok.get()).isPositive();
      assertThat(versions).doesNotHaveDuplicates().hasSize(ROTATIONS);

      // The actuator endpoint over HTTP: the secret's metadata, never its value.
      HttpResponse<String> secrets = get(http, URI.create("http://127.0.0.1:" + port + "/actuator/secrets"));
      assertThat(secrets.statusCode()).isEqualTo(200);
      JsonNode report = JSON.readTree(secrets.body());
      JsonNode entry = report.get("secrets").get(0);
      assertThat(entry.get("ref").asString()).isEqualTo("file://db.json");
      assertThat(entry.get("version").asString()).isEqualTo(versions.get(versions.size() - 1));
      assertThat(entry.get("phase").asString()).isIn("FRESH", "REFRESHING");
      assertThat(report.get("cache").get("rotations").asLong()).isGreaterThanOrEqualTo(ROTATIONS);
      assertThat(report.get("backends").get("file").get("circuit").asString()).isEqualTo("CLOSED");
      assertThat(secrets.body()).doesNotContain("pw-");

      URI health = URI.create("http://127.0.0.1:" + port + "/actuator/health");
      assertThat(secretsStatus(http, health)).isEqualTo("UP");

      // The store fails: stale after the lifetime (2 s), down past max-stale (2 s more).
      StoreWithOutage.DOWN.set(true);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .until(() -> "DOWN".equals(secretsStatus(http, health)));
      assertThat(get(http, health).statusCode()).isEqualTo(503);
      // ... and returns: the next read fetches again, and health is UP.
      StoreWithOutage.DOWN.set(false);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
        get(http, dbUri);
        return "UP".equals(secretsStatus(http, health));
      });
    } finally {
      app.close();
    }
  }

  private static String secretsStatus(HttpClient http, URI health) throws Exception {
    JsonNode h = JSON.readTree(get(http, health).body());
    return h.get("components").get("secrets").get("status").asString();
  }

  private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String readPassword(LocalDatabase db) throws Exception {
    String json = java.nio.file.Files.readString(db.secretDirectory().resolve("db.json"));
    int at = json.indexOf("\"password\":\"") + "\"password\":\"".length();
    return json.substring(at, json.indexOf('"', at));
  }
}
