package io.secretsdk.aws;

import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.secretsdk.aws.AwsFake.error;
import static io.secretsdk.aws.AwsFake.json;
import static io.secretsdk.aws.AwsFake.sm;
import static io.secretsdk.aws.AwsFake.smText;
import static io.secretsdk.aws.AwsFake.ssmCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.testing.LeakGuard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Throttling storms, and who retries: the sources make one request per call with a client built
 * without SDK retries (the builder's own, or the user's), and a user's retrying client multiplies
 * the requests exactly as its javadoc says.
 */
class ThrottlingAndRetriesTest {
  private static final int THREADS = 8;
  private static final int CALLS_PER_THREAD = 25;

  @RegisterExtension static final AwsFake fake = new AwsFake();

  @BeforeEach
  void reset() {
  }

  @Test
  void aThrottlingStormFromManyThreadsMakesExactlyOneRequestPerCall() throws Exception {
    fake.server.stubFor(sm("GetSecretValue").willReturn(error(400, "ThrottlingException", "Rate exceeded")));
    try (SecretsManagerClient client = fake.secretsManager();
        AwsSecretsManagerSource source = AwsSecretsManagerSource.builder().client(client).rotationSchedule(false).build()) {
      List<Throwable> errors = hammer(() -> source.fetch(SecretRef.of("hot")));

      assertThat(errors).hasSize(THREADS * CALLS_PER_THREAD)
          .allSatisfy(e -> assertThat(e).isInstanceOf(SecretThrottledException.class));
      assertThat(fake.smCount("GetSecretValue")).isEqualTo(THREADS * CALLS_PER_THREAD);
    }
  }

  @Test
  void aStormThatEndsLetsTheNextCallThrough() {
    String scenario = "storm";
    fake.server.stubFor(sm("GetSecretValue").inScenario(scenario).whenScenarioStateIs(STARTED)
        .willReturn(error(400, "ThrottlingException", "Rate exceeded")));
    fake.server.stubFor(sm("GetSecretValue").inScenario(scenario).whenScenarioStateIs("calm")
        .willReturn(json(smText("hot", "v1", "after-the-storm", "AWSCURRENT"))));
    LeakGuard.watch("after-the-storm");
    try (SecretsManagerClient client = fake.secretsManager();
        AwsSecretsManagerSource source = AwsSecretsManagerSource.builder().client(client).rotationSchedule(false).build()) {
      for (int i = 0; i < 20; i++) {
        assertThatThrownBy(() -> source.fetch(SecretRef.of("hot"))).isInstanceOf(SecretThrottledException.class);
      }
      fake.server.setScenarioState(scenario, "calm");
      Secret secret = source.fetch(SecretRef.of("hot"));
      assertThat(secret.value().contentEquals("after-the-storm".toCharArray())).isTrue();
      assertThat(fake.smCount("GetSecretValue")).isEqualTo(21);
    }
  }

  @Test
  void theClientTheBuilderMakesDoesNotRetry() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(error(500, "InternalServiceError", "down")));
    fake.server.stubFor(ssmCall("GetParameter").willReturn(error(400, "ThrottlingException", "Rate exceeded")));
    try (AwsSecretsManagerSource sm = AwsSecretsManagerSource.builder()
            .endpoint(fake.endpoint()).region(Region.EU_WEST_1).credentials(AwsFake.fakeCredentials())
            .rotationSchedule(false).build();
        SsmParameterSource ssm = SsmParameterSource.builder()
            .endpoint(fake.endpoint()).region(Region.EU_WEST_1).credentials(AwsFake.fakeCredentials()).build()) {
      assertThatThrownBy(() -> sm.fetch(SecretRef.of("db"))).isInstanceOf(SecretUnavailableException.class);
      assertThatThrownBy(() -> ssm.fetch(SecretRef.of("/db"))).isInstanceOf(SecretThrottledException.class);
    }
    assertThat(fake.smCount("GetSecretValue")).isEqualTo(1);
    assertThat(fake.ssmCount("GetParameter")).isEqualTo(1);
  }

  @Test
  void theClientTheBuilderMakesGivesUpAtItsTimeout() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smText("db", "v1", "too-slow-value")).withFixedDelay(5_000)));
    LeakGuard.watch("too-slow-value");
    try (AwsSecretsManagerSource sm = AwsSecretsManagerSource.builder()
        .endpoint(fake.endpoint()).region(Region.EU_WEST_1).credentials(AwsFake.fakeCredentials())
        .timeout(Duration.ofMillis(200)).rotationSchedule(false).build()) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> sm.fetch(SecretRef.of("db")))
          .isInstanceOf(SecretUnavailableException.class).hasMessageContaining("did not answer in time");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(4_000));
    }
  }

  @Test
  void aUsersRetryingClientIsUsedAsItIsSoItsRetriesMultiplyTheRequests() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(error(500, "InternalServiceError", "down")));
    try (SecretsManagerClient retrying = fake.secretsManager(
            AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(3)
                .backoffStrategy(attempt -> Duration.ZERO).throttlingBackoffStrategy(attempt -> Duration.ZERO).build(),
            Duration.ofSeconds(2));
        AwsSecretsManagerSource source = AwsSecretsManagerSource.builder().client(retrying).rotationSchedule(false).build()) {
      assertThatThrownBy(() -> source.fetch(SecretRef.of("db"))).isInstanceOf(SecretUnavailableException.class);
    }
    assertThat(fake.smCount("GetSecretValue")).isEqualTo(3);
  }

  private static List<Throwable> hammer(Callable<?> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<List<Throwable>>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        futures.add(pool.submit(() -> {
          start.await();
          List<Throwable> seen = new ArrayList<>();
          for (int i = 0; i < CALLS_PER_THREAD; i++) {
            try {
              call.call();
            } catch (Exception e) {
              seen.add(e);
            }
          }
          return seen;
        }));
      }
      start.countDown();
      List<Throwable> all = new ArrayList<>();
      for (Future<List<Throwable>> f : futures) {
        all.addAll(f.get(30, TimeUnit.SECONDS));
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }
}
