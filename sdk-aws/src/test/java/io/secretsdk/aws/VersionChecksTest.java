package io.secretsdk.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static io.secretsdk.aws.AwsFake.error;
import static io.secretsdk.aws.AwsFake.esc;
import static io.secretsdk.aws.AwsFake.json;
import static io.secretsdk.aws.AwsFake.sm;
import static io.secretsdk.aws.AwsFake.smText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.BatchResult;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.VersionCheck;
import io.secretsdk.VersionChecks;
import io.secretsdk.VersionStage;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Cheap version checks against the real SDK client and a WireMock fake: {@code DescribeSecret}
 * for one reference, {@code ListSecrets} for many, and the rotation schedules of a warm-up taken
 * from ListSecrets pages instead of one DescribeSecret each. Every test counts the calls.
 */
class VersionChecksTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final Instant NEXT = Instant.parse("2026-11-08T00:00:00Z");

  @RegisterExtension static final AwsFake fake = new AwsFake();
  private SecretsManagerClient client;
  private ManualClock clock;
  private AwsSecretsManagerSource source;

  @BeforeEach
  void setUp() {
    client = fake.secretsManager();
    clock = new ManualClock(T0);
    source = AwsSecretsManagerSource.builder().client(client).clock(clock).build();
  }

  @AfterEach
  void tearDown() {
    source.close();
    client.close();
  }

  @Test
  void oneCheckDescribesTheSecretAndReadsNoValue() {
    fake.server.stubFor(sm("DescribeSecret").withRequestBody(matchingJsonPath("$.SecretId", equalTo("prod/db")))
        .willReturn(json(describe("prod/db", true, NEXT, "\"v-2\":[\"AWSCURRENT\"],\"v-1\":[\"AWSPREVIOUS\"]"))));

    VersionCheck current = source.checkVersion(SecretRef.parse("aws-sm://prod/db")).orElseThrow();
    VersionCheck previous = source.checkVersion(SecretRef.parse("aws-sm://prod/db?stage=previous")).orElseThrow();
    VersionCheck pinned = source.checkVersion(SecretRef.parse("aws-sm://prod/db?version=v-0")).orElseThrow();

    assertThat(current).isEqualTo(new VersionCheck("v-2", Optional.empty(), Optional.of(NEXT)));
    assertThat(previous).isEqualTo(VersionCheck.of("v-1"));
    assertThat(pinned).as("a version id names the same version for as long as the secret exists")
        .isEqualTo(VersionCheck.of("v-0"));
    assertThat(fake.smCount("DescribeSecret")).isEqualTo(3);
    assertThat(fake.smCount("GetSecretValue")).isZero();
  }

  @Test
  void aCheckLeavesOutWhatOnlyAFetchCanExplain() {
    fake.server.stubFor(sm("DescribeSecret").withRequestBody(matchingJsonPath("$.SecretId", equalTo("gone")))
        .willReturn(json("{\"Name\":\"gone\",\"DeletedDate\":1.7E9,\"VersionIdsToStages\":{\"v-1\":[\"AWSCURRENT\"]}}")));
    fake.server.stubFor(sm("DescribeSecret").withRequestBody(matchingJsonPath("$.SecretId", equalTo("plain")))
        .willReturn(json(describe("plain", false, null, "\"v-1\":[\"AWSCURRENT\"]"))));
    fake.server.stubFor(sm("DescribeSecret").withRequestBody(matchingJsonPath("$.SecretId", equalTo("missing")))
        .willReturn(error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")));

    assertThat(source.checkVersion(SecretRef.of("gone"))).as("scheduled for deletion").isEmpty();
    assertThat(source.checkVersion(SecretRef.of("plain").withStage(VersionStage.PENDING)))
        .as("no version carries AWSPENDING").isEmpty();
    assertThat(source.checkVersion(SecretRef.of("plain"))).contains(VersionCheck.of("v-1"));
    assertThatThrownBy(() -> source.checkVersion(SecretRef.of("missing")))
        .isInstanceOf(SecretNotFoundException.class)
        .hasMessageContaining("missing")
        .hasMessageNotContaining("can't find");
  }

  @Test
  void aRefusedDescribeIsLoggedOnceAndLeavesChecksToAFetchAsDoesRotationScheduleOff() {
    fake.server.stubFor(sm("DescribeSecret").willReturn(error(400, "AccessDeniedException", "not allowed")));

    assertThat(source.checkVersion(SecretRef.of("x"))).isEmpty();
    assertThat(source.checkVersion(SecretRef.of("y"))).isEmpty();
    try (AwsSecretsManagerSource off = AwsSecretsManagerSource.builder().client(client).rotationSchedule(false).build()) {
      assertThat(off.checkVersion(SecretRef.of("z"))).isEmpty();
    }

    assertThat(fake.smCount("DescribeSecret")).isEqualTo(1);
    assertThat(LeakGuard.captured().stream().filter(line -> line.contains("refused DescribeSecret"))).hasSize(1);
  }

  @Test
  void aHundredSecretsInOneFolderAreCheckedWithOneListSecretsCall() {
    List<SecretRef> refs = refs("app/secret-", 100);
    fake.server.stubFor(sm("ListSecrets")
        .withRequestBody(equalToJson("{\"MaxResults\":100,\"Filters\":[{\"Key\":\"name\",\"Values\":[\"app/\"]}]}"))
        .willReturn(json(page(IntStream.range(0, 100).mapToObj(i -> entry("app/secret-" + i, "v-" + i, NEXT))
            .collect(Collectors.toList()), null))));

    VersionChecks checks = source.checkVersions(refs);

    assertThat(fake.smCount("ListSecrets")).isEqualTo(1);
    assertThat(fake.smCount("DescribeSecret") + fake.smCount("GetSecretValue")).isZero();
    assertThat(checks.failed()).isEmpty();
    assertThat(checks.found()).hasSize(100);
    assertThat(checks.found().get(refs.get(42)))
        .isEqualTo(new VersionCheck("v-42", Optional.empty(), Optional.of(NEXT)));
  }

  @Test
  void pagesAreFollowedAndOnlyExactNamesCountWhileAMissingSecretIsLeftForAFetch() {
    List<SecretRef> refs = List.of(SecretRef.of("svc/db"), SecretRef.of("svc/api"), SecretRef.of("svc/gone"));
    fake.server.stubFor(sm("ListSecrets").withRequestBody(matchingJsonPath("$.NextToken", absent()))
        .willReturn(json(page(List.of(entry("svc/db", "v-1", null), entry("svc/db-old", "v-9", null)), "page-2"))));
    fake.server.stubFor(sm("ListSecrets").withRequestBody(matchingJsonPath("$.NextToken", equalTo("page-2")))
        .willReturn(json(page(List.of(entry("svc/api", "v-3", null)), null))));

    VersionChecks checks = source.checkVersions(refs);

    assertThat(fake.smCount("ListSecrets")).isEqualTo(2);
    assertThat(checks.found()).containsOnlyKeys(refs.get(0), refs.get(1));
    assertThat(checks.found().get(refs.get(0)).versionId()).isEqualTo("v-1");
    assertThat(checks.failed()).isEmpty();
    assertThat(fake.smCount("DescribeSecret")).as("a secret not listed is fetched by the caller").isZero();
  }

  @Test
  void aChangedVersionSeenInTheListingIsFetchedWithoutADescribe() {
    LeakGuard.watch("changed-value-2");
    fake.server.stubFor(sm("ListSecrets").willReturn(json(page(
        List.of(entry("c/one", "v-2", NEXT), entry("c/two", "v-1", NEXT)), null))));
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smText("c/one", "v-2", "changed-value-2", "AWSCURRENT"))));

    VersionChecks checks = source.checkVersions(List.of(SecretRef.of("c/one"), SecretRef.of("c/two")));
    var secret = source.fetch(SecretRef.of("c/one"));

    assertThat(checks.found().get(SecretRef.of("c/one")).versionId()).isEqualTo("v-2");
    assertThat(secret.nextRotationAt()).contains(NEXT);
    assertThat(fake.smCount("DescribeSecret")).isZero();
    secret.value().destroy();
  }

  @Test
  void namesWithoutAFolderGoTenToACall() {
    List<SecretRef> refs = refs("flat-", 25);
    fake.server.stubFor(sm("ListSecrets").willReturn(json(page(
        IntStream.range(0, 25).mapToObj(i -> entry("flat-" + i, "v-" + i, null)).collect(Collectors.toList()), null))));

    VersionChecks checks = source.checkVersions(refs);

    assertThat(fake.smCount("ListSecrets")).isEqualTo(3);
    assertThat(checks.found()).hasSize(25);
    assertThat(fake.bodies("secretsmanager.ListSecrets"))
        .allSatisfy(body -> assertThat(body).contains("\"Key\":\"name\""));
  }

  @Test
  void arnsAndARefusedListingFallBackToOneDescribeEachAndTheRefusalIsLoggedOnce() {
    String arn = AwsFake.arn("other/key");
    fake.server.stubFor(sm("ListSecrets").willReturn(error(400, "AccessDeniedException", "not authorized")));
    fake.server.stubFor(sm("DescribeSecret").willReturn(json(describe("x", false, null, "\"v-7\":[\"AWSCURRENT\"]"))));
    List<SecretRef> refs = List.of(SecretRef.of("a/one"), SecretRef.of("a/two"), SecretRef.of(arn));

    VersionChecks first = source.checkVersions(refs);
    VersionChecks second = source.checkVersions(refs);

    assertThat(first.found()).hasSize(3);
    assertThat(second.found()).hasSize(3);
    assertThat(fake.smCount("ListSecrets")).as("asked once, then no more").isEqualTo(1);
    assertThat(fake.smCount("DescribeSecret")).isEqualTo(6);
    assertThat(LeakGuard.captured().stream().filter(line -> line.contains("refused ListSecrets")).count())
        .isEqualTo(1);
  }

  @Test
  void aFailedListingFailsItsReferencesWithoutAFetchStorm() {
    fake.server.stubFor(sm("ListSecrets").willReturn(error(500, "InternalServiceError", "try later")));

    VersionChecks checks = source.checkVersions(refs("b/s-", 3));

    assertThat(checks.found()).isEmpty();
    assertThat(checks.failed()).hasSize(3)
        .allSatisfy((ref, e) -> assertThat(e).isInstanceOf(SecretUnavailableException.class)
            .hasMessageContaining(ref.name()));
    assertThat(fake.smCount("DescribeSecret") + fake.smCount("GetSecretValue")).isZero();
  }

  @Test
  void aListingTakenJustAfterAPublishedRotationTimeIsNotTrustedForThatSecret() {
    Instant due = T0.plusSeconds(60);
    fake.server.stubFor(sm("ListSecrets").willReturn(json(page(
        List.of(entry("r/rotating", "v-old", due), entry("r/steady", "v-1", NEXT)), null))));
    List<SecretRef> refs = List.of(SecretRef.of("r/rotating"), SecretRef.of("r/steady"));

    clock.advanceTo(due.plusSeconds(30));
    VersionChecks during = source.checkVersions(refs);
    clock.advanceTo(due.plus(Duration.ofMinutes(6)));
    VersionChecks after = source.checkVersions(refs);

    assertThat(during.found()).as("within five minutes of the rotation: the caller fetches")
        .containsOnlyKeys(refs.get(1));
    assertThat(after.found()).containsOnlyKeys(refs);
  }

  @Test
  void warmingAHundredRotatingSecretsTakesFiveBatchesAndOneListing() {
    List<SecretRef> refs = refs("fleet/s-", 100);
    for (int chunk = 0; chunk < 5; chunk++) {
      List<String> values = new ArrayList<>();
      for (int i = chunk * 20; i < chunk * 20 + 20; i++) {
        LeakGuard.watch("value-of-" + i + "-x");
        values.add(smText("fleet/s-" + i, "v-" + i, "value-of-" + i + "-x", "AWSCURRENT"));
      }
      fake.server.stubFor(sm("BatchGetSecretValue")
          .withRequestBody(matchingJsonPath("$.SecretIdList[0]", equalTo("fleet/s-" + chunk * 20)))
          .willReturn(json("{\"SecretValues\":[" + String.join(",", values) + "],\"Errors\":[]}")));
    }
    fake.server.stubFor(sm("ListSecrets").willReturn(json(page(
        IntStream.range(0, 100).mapToObj(i -> entry("fleet/s-" + i, "v-" + i, NEXT)).collect(Collectors.toList()),
        null))));

    BatchResult result = source.fetchAll(refs);

    assertThat(result.failed()).isEmpty();
    assertThat(result.found()).hasSize(100);
    assertThat(result.found().get(refs.get(7)).nextRotationAt()).contains(NEXT);
    int calls = fake.smCount("BatchGetSecretValue") + fake.smCount("ListSecrets") + fake.smCount("DescribeSecret")
        + fake.smCount("GetSecretValue");
    assertThat(calls).isEqualTo(6).isLessThanOrEqualTo(7);
    assertThat(fake.smCount("DescribeSecret")).isZero();
    result.found().values().forEach(s -> s.value().destroy());
  }

  @Test
  void aVersionTheListingDidNotSeeYetIsDescribedOnItsOwn() {
    LeakGuard.watch("fresh-value-1");
    LeakGuard.watch("fresh-value-2");
    fake.server.stubFor(sm("BatchGetSecretValue").willReturn(json("{\"SecretValues\":["
        + smText("w/one", "v-new", "fresh-value-1", "AWSCURRENT") + ","
        + smText("w/two", "v-2", "fresh-value-2", "AWSCURRENT") + "]}")));
    fake.server.stubFor(sm("ListSecrets").willReturn(json(page(
        List.of(entry("w/one", "v-lagging", NEXT), entry("w/two", "v-2", NEXT)), null))));
    fake.server.stubFor(sm("DescribeSecret").willReturn(json(describe("w/one", true, NEXT, "\"v-new\":[\"AWSCURRENT\"]"))));

    BatchResult result = source.fetchAll(List.of(SecretRef.of("w/one"), SecretRef.of("w/two")));

    assertThat(fake.smCount("DescribeSecret")).isEqualTo(1);
    assertThat(fake.bodies("secretsmanager.DescribeSecret").get(0)).contains("w/one");
    assertThat(result.found().values()).allSatisfy(s -> assertThat(s.nextRotationAt()).contains(NEXT));
    result.found().values().forEach(s -> s.value().destroy());
  }

  @Test
  void theSuggestedLifetimeIsTenMinutesForAStageAndAnHourForAPinnedVersion() {
    assertThat(source.suggestedTtl(SecretRef.of("db"))).contains(Duration.ofMinutes(10));
    assertThat(source.suggestedTtl(SecretRef.parse("aws-sm://db?stage=previous"))).contains(Duration.ofMinutes(10));
    assertThat(source.suggestedTtl(SecretRef.parse("aws-sm://db?version=v-1"))).contains(Duration.ofHours(1));
  }

  private static List<SecretRef> refs(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> SecretRef.of(prefix + i)).collect(Collectors.toList());
  }

  static String describe(String name, boolean rotation, Instant next, String versions) {
    return "{\"ARN\":\"" + AwsFake.arn(name) + "\",\"Name\":\"" + esc(name) + "\",\"RotationEnabled\":" + rotation
        + (next == null ? "" : ",\"NextRotationDate\":" + next.getEpochSecond())
        + ",\"VersionIdsToStages\":{" + versions + "}}";
  }

  static String entry(String name, String currentVersion, Instant next) {
    return "{\"ARN\":\"" + AwsFake.arn(name) + "\",\"Name\":\"" + esc(name) + "\",\"RotationEnabled\":" + (next != null)
        + (next == null ? "" : ",\"NextRotationDate\":" + next.getEpochSecond())
        + ",\"SecretVersionsToStages\":{\"" + currentVersion + "\":[\"AWSCURRENT\"],\"" + currentVersion
        + "-prev\":[\"AWSPREVIOUS\"]}}";
  }

  static String page(List<String> entries, String nextToken) {
    return "{\"SecretList\":[" + String.join(",", entries) + "]"
        + (nextToken == null ? "" : ",\"NextToken\":\"" + nextToken + "\"") + "}";
  }
}
