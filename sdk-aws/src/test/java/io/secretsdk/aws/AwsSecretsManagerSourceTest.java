package io.secretsdk.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static io.secretsdk.aws.AwsFake.error;
import static io.secretsdk.aws.AwsFake.json;
import static io.secretsdk.aws.AwsFake.sm;
import static io.secretsdk.aws.AwsFake.smBinary;
import static io.secretsdk.aws.AwsFake.smText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.BatchResult;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.VersionStage;
import io.secretsdk.testing.LeakGuard;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

class AwsSecretsManagerSourceTest {
  @RegisterExtension static final AwsFake fake = new AwsFake();
  private SecretsManagerClient client;
  private AwsSecretsManagerSource source;

  @BeforeEach
  void resetServer() {
    client = fake.secretsManager();
    source = AwsSecretsManagerSource.builder().client(client).rotationSchedule(false).build();
  }

  @AfterEach
  void closeClient() {
    source.close();
    client.close();
  }

  @Test
  void currentSecretStringArrivesAsTextWithStagesLabelsAndCreationTime() {
    String value = "{\"username\":\"app\",\"password\":\"s3cr3t-current-pw\"}";
    LeakGuard.watch("s3cr3t-current-pw");
    fake.server.stubFor(sm("GetSecretValue")
        .withRequestBody(matchingJsonPath("$.SecretId", equalTo("db")))
        .withRequestBody(matchingJsonPath("$.VersionStage", equalTo("AWSCURRENT")))
        .willReturn(json(smText("db", "v-1", value, "AWSCURRENT", "blue"))));

    Secret secret = source.fetch(SecretRef.parse("aws-sm://db"));

    assertThat(secret.name()).isEqualTo("db");
    assertThat(secret.versionId()).isEqualTo("v-1");
    assertThat(secret.stages()).containsExactly(VersionStage.CURRENT);
    assertThat(secret.labels()).containsExactlyInAnyOrder("AWSCURRENT", "blue");
    assertThat(secret.createdAt()).contains(Instant.ofEpochMilli(1_700_000_000_100L));
    assertThat(secret.metadata()).containsEntry("arn", AwsFake.arn("db"));
    assertThat(secret.value().isBinary()).isFalse();
    assertThat(secret.field("password").contentEquals("s3cr3t-current-pw".toCharArray())).isTrue();
    assertThat(secret.nextRotationAt()).isEmpty();
    assertThat(secret.toString()).doesNotContain("s3cr3t");
    secret.value().destroy();
  }

  @Test
  void secretBinaryArrivesAsBinaryBytes() {
    byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0xfe, 'k', 'e', 'y', '!'};
    LeakGuard.watch("key!");
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smBinary("tls-key", "v-9", bytes, "AWSCURRENT"))));

    Secret secret = source.fetch(SecretRef.of("tls-key"));

    assertThat(secret.value().isBinary()).isTrue();
    byte[] read = secret.value().withBytes(b -> b.clone());
    assertThat(read).isEqualTo(bytes);
    assertThat(secret.createdAt()).contains(Instant.ofEpochSecond(1_700_000_000L));
    secret.value().destroy();
  }

  @Test
  void stagesAreAskedForByTheirAwsLabels() {
    LeakGuard.watch("previous-value-1");
    LeakGuard.watch("pending-value-2");
    fake.server.stubFor(sm("GetSecretValue").withRequestBody(containing("\"AWSPREVIOUS\""))
        .willReturn(json(smText("db", "v-0", "previous-value-1", "AWSPREVIOUS"))));
    fake.server.stubFor(sm("GetSecretValue").withRequestBody(containing("\"AWSPENDING\""))
        .willReturn(json(smText("db", "v-2", "pending-value-2", "AWSPENDING"))));

    Secret previous = source.fetch(SecretRef.parse("aws-sm://db?stage=previous"));
    Secret pending = source.fetch(SecretRef.parse("aws-sm://db?stage=pending"));

    assertThat(previous.versionId()).isEqualTo("v-0");
    assertThat(previous.stages()).containsExactly(VersionStage.PREVIOUS);
    assertThat(previous.value().contentEquals("previous-value-1".toCharArray())).isTrue();
    assertThat(pending.stages()).containsExactly(VersionStage.PENDING);
    assertThat(pending.value().contentEquals("pending-value-2".toCharArray())).isTrue();
  }

  @Test
  void aVersionIsAskedForByVersionIdAlone() {
    LeakGuard.watch("versioned-value");
    fake.server.stubFor(sm("GetSecretValue")
        .withRequestBody(containing("\"VersionId\":\"1f2e3d4c\""))
        .withRequestBody(notContaining("VersionStage"))
        .willReturn(json(smText("db", "1f2e3d4c", "versioned-value"))));

    Secret secret = source.fetch(SecretRef.parse("aws-sm://db?version=1f2e3d4c"));

    assertThat(secret.versionId()).isEqualTo("1f2e3d4c");
    assertThat(secret.stages()).isEmpty();
  }

  @Test
  void anArnIsPassedAsTheSecretIdAndTheFriendlyNameComesBack() {
    String arn = AwsFake.arn("prod/db");
    LeakGuard.watch("arn-read-value");
    fake.server.stubFor(sm("GetSecretValue").withRequestBody(containing(arn))
        .willReturn(json(smText("prod/db", "v-3", "arn-read-value", "AWSCURRENT"))));

    Secret secret = source.fetch(SecretRef.of(arn));

    assertThat(secret.name()).isEqualTo("prod/db");
    assertThat(secret.metadata()).containsEntry("arn", arn);
  }

  @Test
  void fetchPreviousReadsAwsPreviousAndIsEmptyWhenThereIsNone() {
    LeakGuard.watch("the-old-password");
    fake.server.stubFor(sm("GetSecretValue").withRequestBody(containing("\"SecretId\":\"rotated\""))
        .withRequestBody(containing("AWSPREVIOUS"))
        .willReturn(json(smText("rotated", "v-1", "the-old-password", "AWSPREVIOUS"))));
    fake.server.stubFor(sm("GetSecretValue").withRequestBody(containing("\"SecretId\":\"fresh\""))
        .withRequestBody(containing("AWSPREVIOUS"))
        .willReturn(error(400, "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS")));

    assertThat(source.fetchPrevious(SecretRef.of("rotated")))
        .hasValueSatisfying(s -> assertThat(s.value().contentEquals("the-old-password".toCharArray())).isTrue());
    assertThat(source.fetchPrevious(SecretRef.of("fresh"))).isEmpty();
  }

  @Test
  void fetchAllAsksBatchGetSecretValueTwentyIdsAtATime() {
    Pattern id = Pattern.compile("\"(s-\\d+)\"");
    // One stub per expected request, told apart by the first id each one asks for.
    List<SecretRef> refs = new ArrayList<>();
    for (int i = 0; i < 45; i++) {
      refs.add(SecretRef.of("s-" + i));
    }
    for (int from = 0; from < 45; from += 20) {
      StringBuilder values = new StringBuilder();
      int to = Math.min(45, from + 20);
      for (int i = from; i < to; i++) {
        values.append(i == from ? "" : ",").append(smText("s-" + i, "v" + i, "batch-value-" + i, "AWSCURRENT"));
      }
      fake.server.stubFor(sm("BatchGetSecretValue").withRequestBody(containing("\"s-" + from + "\""))
          .willReturn(json("{\"SecretValues\":[" + values + "],\"Errors\":[]}")));
    }
    LeakGuard.watch("batch-value-");

    BatchResult result = source.fetchAll(refs);

    assertThat(result.failed()).isEmpty();
    assertThat(result.found()).hasSize(45);
    assertThat(result.found().get(SecretRef.of("s-44")).value().contentEquals("batch-value-44".toCharArray())).isTrue();
    List<String> bodies = fake.bodies("secretsmanager.BatchGetSecretValue");
    assertThat(bodies).hasSize(3);
    List<Integer> sizes = new ArrayList<>();
    for (String body : bodies) {
      Matcher m = id.matcher(body);
      int n = 0;
      while (m.find()) {
        n++;
      }
      sizes.add(n);
    }
    assertThat(sizes).containsExactlyInAnyOrder(20, 20, 5);
    assertThat(fake.smCount("GetSecretValue")).isZero();
    result.found().values().forEach(s -> s.value().destroy());
  }

  @Test
  void fetchAllMapsEachSecretsErrorOnItsOwn() {
    fake.server.stubFor(sm("BatchGetSecretValue").willReturn(json("{\"SecretValues\":["
        + smText("ok", "v1", "batch-ok-value", "AWSCURRENT")
        + "],\"Errors\":["
        + "{\"SecretId\":\"gone\",\"ErrorCode\":\"ResourceNotFoundException\",\"Message\":\"not here\"},"
        + "{\"SecretId\":\"locked\",\"ErrorCode\":\"AccessDeniedException\",\"Message\":\"no\"},"
        + "{\"SecretId\":\"kms\",\"ErrorCode\":\"DecryptionFailure\",\"Message\":\"no key\"},"
        + "{\"SecretId\":\"dying\",\"ErrorCode\":\"InvalidRequestException\","
        + "\"Message\":\"You can't perform this operation on the secret because it was marked for deletion.\"}"
        + "]}")));
    LeakGuard.watch("batch-ok-value");

    BatchResult result = source.fetchAll(List.of(
        SecretRef.of("ok"), SecretRef.of("gone"), SecretRef.of("locked"), SecretRef.of("kms"), SecretRef.of("dying")));

    assertThat(result.found()).containsOnlyKeys(SecretRef.of("ok"));
    assertThat(result.failed().get(SecretRef.of("gone"))).isInstanceOf(SecretNotFoundException.class);
    assertThat(result.failed().get(SecretRef.of("locked"))).isInstanceOf(SecretAccessDeniedException.class)
        .hasMessageContaining("secretsmanager:GetSecretValue");
    assertThat(result.failed().get(SecretRef.of("kms"))).isInstanceOf(SecretAccessDeniedException.class)
        .hasMessageContaining("KMS");
    assertThat(result.failed().get(SecretRef.of("dying"))).isInstanceOf(SecretNotFoundException.class)
        .hasMessageContaining("scheduled for deletion");
    assertThat(result.failed().get(SecretRef.of("gone")).ref()).contains(SecretRef.of("gone"));
    assertThat(fake.smCount("GetSecretValue")).isZero();
  }

  @Test
  void fetchAllReadsVersionAndStageReferencesOneByOne() {
    fake.server.stubFor(sm("BatchGetSecretValue")
        .willReturn(json("{\"SecretValues\":[" + smText("a", "va", "value-of-a", "AWSCURRENT") + "]}")));
    fake.server.stubFor(sm("GetSecretValue").withRequestBody(containing("AWSPREVIOUS"))
        .willReturn(json(smText("a", "va0", "old-value-of-a", "AWSPREVIOUS"))));
    LeakGuard.watch("value-of-a");

    BatchResult result = source.fetchAll(List.of(SecretRef.of("a"), SecretRef.of("a").withStage(VersionStage.PREVIOUS)));

    assertThat(result.found().get(SecretRef.of("a")).versionId()).isEqualTo("va");
    assertThat(result.found().get(SecretRef.of("a").withStage(VersionStage.PREVIOUS)).versionId()).isEqualTo("va0");
    assertThat(fake.smCount("BatchGetSecretValue")).isEqualTo(1);
    assertThat(fake.smCount("GetSecretValue")).isEqualTo(1);
  }

  @Test
  void referencesNamingOneSecretGetSeparateCopiesThatCloseIndependently() {
    fake.server.stubFor(sm("BatchGetSecretValue")
        .willReturn(json("{\"SecretValues\":[" + smText("db", "v1", "{\"password\":\"shared-pw-1\"}", "AWSCURRENT") + "]}")));
    LeakGuard.watch("shared-pw-1");
    SecretRef whole = SecretRef.of("db");
    SecretRef field = SecretRef.of("db").withField("password");

    BatchResult result = source.fetchAll(List.of(whole, field));

    assertThat(result.found()).containsOnlyKeys(whole, field);
    assertThat(fake.bodies("secretsmanager.BatchGetSecretValue").get(0)).containsOnlyOnce("\"db\"");
    result.found().get(whole).value().destroy();
    assertThat(result.found().get(field).value().isDestroyed()).isFalse();
    assertThat(result.found().get(field).field("password").contentEquals("shared-pw-1".toCharArray())).isTrue();
  }

  @Test
  void anIdTheBatchAnswerLeavesOutIsReadOnItsOwn() {
    fake.server.stubFor(sm("BatchGetSecretValue")
        .willReturn(json("{\"SecretValues\":[" + smText("a", "va", "value-a-1", "AWSCURRENT") + "]}")));
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smText("b", "vb", "value-b-1", "AWSCURRENT"))));
    LeakGuard.watch("value-a-1");
    LeakGuard.watch("value-b-1");

    BatchResult result = source.fetchAll(List.of(SecretRef.of("a"), SecretRef.of("b")));

    assertThat(result.found()).containsOnlyKeys(SecretRef.of("a"), SecretRef.of("b"));
    assertThat(fake.smCount("GetSecretValue")).isEqualTo(1);
  }

  @Test
  void aRefusedBatchCallFallsBackToSingleReadsAndIsNotAskedAgain() {
    fake.server.stubFor(sm("BatchGetSecretValue").willReturn(error(400, "AccessDeniedException",
        "User is not authorized to perform: secretsmanager:BatchGetSecretValue")));
    fake.server.stubFor(sm("GetSecretValue").withRequestBody(containing("\"x\""))
        .willReturn(json(smText("x", "vx", "value-x-1", "AWSCURRENT"))));
    fake.server.stubFor(sm("GetSecretValue").withRequestBody(containing("\"y\""))
        .willReturn(json(smText("y", "vy", "value-y-1", "AWSCURRENT"))));
    LeakGuard.watch("value-x-1");
    LeakGuard.watch("value-y-1");

    BatchResult first = source.fetchAll(List.of(SecretRef.of("x"), SecretRef.of("y")));
    BatchResult second = source.fetchAll(List.of(SecretRef.of("x"), SecretRef.of("y")));

    assertThat(first.found()).hasSize(2);
    assertThat(second.found()).hasSize(2);
    assertThat(fake.smCount("BatchGetSecretValue")).isEqualTo(1);
    assertThat(fake.smCount("GetSecretValue")).isEqualTo(4);
  }

  @Test
  void aBatchCallThatFailsTransientlyFailsEachReferenceWithItsOwnError() {
    fake.server.stubFor(sm("BatchGetSecretValue").willReturn(error(500, "InternalServiceError", "oops")));

    BatchResult result = source.fetchAll(List.of(SecretRef.of("p"), SecretRef.of("q")));

    assertThat(result.found()).isEmpty();
    assertThat(result.failed()).containsOnlyKeys(SecretRef.of("p"), SecretRef.of("q"));
    assertThat(result.failed().values()).allSatisfy(e -> assertThat(e).isInstanceOf(SecretUnavailableException.class));
    assertThat(result.failed().get(SecretRef.of("q")).ref()).contains(SecretRef.of("q"));
    assertThat(fake.smCount("GetSecretValue")).isZero();
  }

  @Test
  void aBatchRejectedAsMalformedIsReadOneByOneSoOnlyTheBadIdFails() {
    fake.server.stubFor(sm("BatchGetSecretValue").willReturn(error(400, "InvalidParameterException", "bad id")));
    fake.server.stubFor(sm("GetSecretValue").withRequestBody(containing("\"good\""))
        .willReturn(json(smText("good", "v1", "good-value-1", "AWSCURRENT"))));
    fake.server.stubFor(sm("GetSecretValue").withRequestBody(containing("\"bad id!\""))
        .willReturn(error(400, "InvalidParameterException", "bad id")));
    LeakGuard.watch("good-value-1");

    BatchResult result = source.fetchAll(List.of(SecretRef.of("good"), SecretRef.of("bad id!")));

    assertThat(result.found()).containsOnlyKeys(SecretRef.of("good"));
    assertThat(result.failed().get(SecretRef.of("bad id!"))).isInstanceOf(io.secretsdk.InvalidSecretRefException.class);
  }

  @Test
  void aPagedBatchAnswerIsFollowedToTheEnd() {
    fake.server.stubFor(sm("BatchGetSecretValue").withRequestBody(notContaining("NextToken"))
        .willReturn(json("{\"SecretValues\":[" + smText("a", "va", "paged-a-1", "AWSCURRENT") + "],\"NextToken\":\"t2\"}")));
    fake.server.stubFor(sm("BatchGetSecretValue").withRequestBody(containing("\"NextToken\":\"t2\""))
        .willReturn(json("{\"SecretValues\":[" + smText("b", "vb", "paged-b-1", "AWSCURRENT") + "]}")));
    LeakGuard.watch("paged-a-1");
    LeakGuard.watch("paged-b-1");

    BatchResult result = source.fetchAll(List.of(SecretRef.of("a"), SecretRef.of("b")));

    assertThat(result.found()).containsOnlyKeys(SecretRef.of("a"), SecretRef.of("b"));
    assertThat(fake.smCount("BatchGetSecretValue")).isEqualTo(2);
    assertThat(fake.smCount("GetSecretValue")).isZero();
  }

  @Test
  void aPartialArnInTheBatchIsMatchedToTheFullArnAnswered() {
    String partial = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/api";
    fake.server.stubFor(sm("BatchGetSecretValue")
        .willReturn(json("{\"SecretValues\":[" + smText("team/api", "v1", "partial-arn-value", "AWSCURRENT") + "]}")));
    LeakGuard.watch("partial-arn-value");

    BatchResult result = source.fetchAll(List.of(SecretRef.of(partial)));

    assertThat(result.found()).containsOnlyKeys(SecretRef.of(partial));
    assertThat(fake.smCount("GetSecretValue")).isZero();
  }

  @Test
  void aClientPassedInIsLeftOpenAndOneTheSourceMadeIsClosed() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smText("db", "v1", "still-usable-1", "AWSCURRENT"))));
    LeakGuard.watch("still-usable-1");
    source.close();
    assertThatThrownBy(() -> source.fetch(SecretRef.of("db"))).isInstanceOf(IllegalStateException.class);
    // The client given to the closed source still works.
    assertThat(client.getSecretValue(b -> b.secretId("db")).versionId()).isEqualTo("v1");
  }

  @Test
  void aClientAndSettingsForMakingOneAreNotAcceptedTogether() {
    assertThatThrownBy(() -> AwsSecretsManagerSource.builder().client(client)
            .region(software.amazon.awssdk.regions.Region.US_EAST_1).build())
        .isInstanceOf(io.secretsdk.SecretConfigurationException.class)
        .hasMessageContaining("your own client");
  }

  @Test
  void everyValueTheSourceReturnsIsOwnedByTheCaller() {
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smText("db", "v1", "owned-value-1", "AWSCURRENT"))));
    LeakGuard.watch("owned-value-1");
    Secret secret = source.fetch(SecretRef.of("db"));
    assertThat(secret.value().isBorrowed()).isFalse();
    secret.value().close();
    assertThat(secret.value().isDestroyed()).isTrue();
  }
}
