package io.secretsdk.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static io.secretsdk.aws.AwsFake.error;
import static io.secretsdk.aws.AwsFake.esc;
import static io.secretsdk.aws.AwsFake.json;
import static io.secretsdk.aws.AwsFake.ssmCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.BatchResult;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionCheck;
import io.secretsdk.VersionChecks;
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
import software.amazon.awssdk.services.ssm.SsmClient;

class SsmParameterSourceTest {
  @RegisterExtension static final AwsFake fake = new AwsFake();
  private SsmClient client;
  private SsmParameterSource source;

  @BeforeEach
  void setUp() {
    client = fake.ssm();
    source = SsmParameterSource.builder().client(client).build();
  }

  @AfterEach
  void tearDown() {
    source.close();
    client.close();
  }

  static String parameter(String name, long version, String type, String value, String selector) {
    return "{\"Name\":\"" + esc(name) + "\",\"Type\":\"" + type + "\",\"Value\":\"" + esc(value) + "\",\"Version\":"
        + version + ",\"LastModifiedDate\":1.7000000005E9,\"ARN\":\"arn:aws:ssm:eu-west-1:123456789012:parameter"
        + (name.startsWith("/") ? "" : "/") + esc(name) + "\",\"DataType\":\"text\""
        + (selector == null ? "" : ",\"Selector\":\"" + selector + "\"") + "}";
  }

  static String getParameter(String name, long version, String type, String value) {
    return "{\"Parameter\":" + parameter(name, version, type, value, null) + "}";
  }

  @Test
  void aSecureStringIsReadWithDecryptionAsTheCurrentVersion() {
    LeakGuard.watch("decrypted-ssm-pw");
    fake.server.stubFor(ssmCall("GetParameter")
        .withRequestBody(containing("\"Name\":\"/app/db/password\""))
        .withRequestBody(containing("\"WithDecryption\":true"))
        .willReturn(json(getParameter("/app/db/password", 7, "SecureString", "decrypted-ssm-pw"))));

    Secret secret = source.fetch(SecretRef.parse("aws-ssm:///app/db/password"));

    assertThat(secret.name()).isEqualTo("/app/db/password");
    assertThat(secret.versionId()).isEqualTo("7");
    assertThat(secret.stages()).containsExactly(VersionStage.CURRENT);
    assertThat(secret.createdAt()).contains(Instant.ofEpochMilli(1_700_000_000_500L));
    assertThat(secret.metadata()).containsEntry("type", "SecureString").containsEntry("dataType", "text")
        .containsEntry("arn", "arn:aws:ssm:eu-west-1:123456789012:parameter/app/db/password");
    assertThat(secret.value().contentEquals("decrypted-ssm-pw".toCharArray())).isTrue();
    secret.value().destroy();
  }

  @Test
  void aVersionSelectorAndAVersionParameterAskForTheSameName() {
    LeakGuard.watch("version-three");
    fake.server.stubFor(ssmCall("GetParameter").withRequestBody(containing("\"Name\":\"/app/key:3\""))
        .willReturn(json("{\"Parameter\":" + parameter("/app/key", 3, "SecureString", "version-three", ":3") + "}")));

    Secret bySelector = source.fetch(SecretRef.of("/app/key:3"));
    Secret byParameter = source.fetch(SecretRef.of("/app/key").withVersion("3"));

    assertThat(bySelector.versionId()).isEqualTo("3");
    assertThat(byParameter.versionId()).isEqualTo("3");
    assertThat(bySelector.stages()).isEmpty();
    assertThat(bySelector.labels()).isEmpty();
    assertThat(fake.ssmCount("GetParameter")).isEqualTo(2);
  }

  @Test
  void aLabelSelectorIsSentAsIsAndBecomesALabel() {
    LeakGuard.watch("blue-value");
    fake.server.stubFor(ssmCall("GetParameter").withRequestBody(containing("\"Name\":\"/app/key:blue\""))
        .willReturn(json("{\"Parameter\":" + parameter("/app/key", 5, "String", "blue-value", ":blue") + "}")));

    Secret secret = source.fetch(SecretRef.of("/app/key:blue"));

    assertThat(secret.versionId()).isEqualTo("5");
    assertThat(secret.labels()).containsExactly("blue");
  }

  @Test
  void anArnWithASelectorKeepsTheArnsColons() {
    String arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/app/key";
    LeakGuard.watch("arn-ssm-value");
    fake.server.stubFor(ssmCall("GetParameter").withRequestBody(containing("\"Name\":\"" + arn + ":2\""))
        .willReturn(json("{\"Parameter\":" + parameter("/app/key", 2, "String", "arn-ssm-value", ":2") + "}")));

    assertThat(source.fetch(SecretRef.of(arn + ":2")).versionId()).isEqualTo("2");
  }

  @Test
  void aStringListIsKeptAsStoredAndSplitOnRequest() {
    LeakGuard.watch("db-1.internal,db-2.internal,db-3.internal");
    fake.server.stubFor(ssmCall("GetParameter")
        .willReturn(json(getParameter("/app/hosts", 1, "StringList", "db-1.internal,db-2.internal,db-3.internal"))));

    Secret secret = source.fetch(SecretRef.of("/app/hosts"));
    List<SecretValue> items = SsmParameterSource.stringListItems(secret);

    assertThat(secret.metadata()).containsEntry("type", "StringList");
    assertThat(secret.value().contentEquals("db-1.internal,db-2.internal,db-3.internal".toCharArray())).isTrue();
    assertThat(items).hasSize(3);
    assertThat(items.get(1).contentEquals("db-2.internal".toCharArray())).isTrue();
    items.forEach(SecretValue::destroy);
    assertThat(secret.value().isDestroyed()).isFalse();
  }

  @Test
  void thePreviousVersionComesFromTheHistoryAcrossPages() {
    LeakGuard.watch("history-v1");
    LeakGuard.watch("history-v2");
    LeakGuard.watch("history-v3");
    fake.server.stubFor(ssmCall("GetParameterHistory").withRequestBody(notContaining("NextToken"))
        .withRequestBody(containing("\"WithDecryption\":true"))
        .willReturn(json("{\"Parameters\":["
            + history("/app/db", 1, "history-v1", "old") + "," + history("/app/db", 2, "history-v2", "prev")
            + "],\"NextToken\":\"page-2\"}")));
    fake.server.stubFor(ssmCall("GetParameterHistory").withRequestBody(containing("\"NextToken\":\"page-2\""))
        .willReturn(json("{\"Parameters\":[" + history("/app/db", 3, "history-v3", "live") + "]}")));

    Secret previous = source.fetchPrevious(SecretRef.of("/app/db")).orElseThrow();
    Secret viaStage = source.fetch(SecretRef.of("/app/db").withStage(VersionStage.PREVIOUS));

    assertThat(previous.versionId()).isEqualTo("2");
    assertThat(previous.stages()).containsExactly(VersionStage.PREVIOUS);
    assertThat(previous.labels()).containsExactly("prev");
    assertThat(previous.value().contentEquals("history-v2".toCharArray())).isTrue();
    assertThat(viaStage.versionId()).isEqualTo("2");
    assertThat(fake.ssmCount("GetParameterHistory")).isEqualTo(4);
  }

  static String history(String name, long version, String value, String label) {
    return "{\"Name\":\"" + name + "\",\"Type\":\"SecureString\",\"Value\":\"" + value + "\",\"Version\":" + version
        + ",\"LastModifiedDate\":1700000000,\"Labels\":[\"" + label + "\"]}";
  }

  @Test
  void aParameterWithOneVersionHasNoPrevious() {
    LeakGuard.watch("only-version");
    fake.server.stubFor(ssmCall("GetParameterHistory")
        .willReturn(json("{\"Parameters\":[" + history("/app/new", 1, "only-version", "x") + "]}")));
    fake.server.stubFor(ssmCall("GetParameterHistory").withRequestBody(containing("/app/missing"))
        .willReturn(error(400, "ParameterNotFound", "nope")));

    assertThat(source.fetchPrevious(SecretRef.of("/app/new"))).isEmpty();
    assertThat(source.fetchPrevious(SecretRef.of("/app/missing"))).isEmpty();
    assertThatThrownBy(() -> source.fetch(SecretRef.of("/app/new").withStage(VersionStage.PREVIOUS)))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("no version before the current one");
  }

  @Test
  void parametersHaveNoPendingStage() {
    assertThatThrownBy(() -> source.fetch(SecretRef.of("/app/db").withStage(VersionStage.PENDING)))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("no pending version");
    assertThat(fake.server.getAllServeEvents()).isEmpty();
  }

  @Test
  void aSelectorNamedTwiceOrEmptyIsAnInvalidReference() {
    assertThatThrownBy(() -> source.fetch(SecretRef.of("/app/db:3").withVersion("4")))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("twice");
    assertThatThrownBy(() -> source.fetch(SecretRef.of("/app/db:")))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("malformed selector");
  }

  @Test
  void fetchAllAsksGetParametersTenNamesAtATime() {
    List<SecretRef> refs = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      refs.add(SecretRef.of("/p/n" + i));
    }
    for (int from = 0; from < 25; from += 10) {
      StringBuilder ps = new StringBuilder();
      for (int i = from; i < Math.min(25, from + 10); i++) {
        ps.append(i == from ? "" : ",").append(parameter("/p/n" + i, i + 1, "SecureString", "pval-" + i, null));
      }
      fake.server.stubFor(ssmCall("GetParameters").withRequestBody(containing("\"/p/n" + from + "\""))
          .willReturn(json("{\"Parameters\":[" + ps + "],\"InvalidParameters\":[]}")));
    }
    LeakGuard.watch("pval-");

    BatchResult result = source.fetchAll(refs);

    assertThat(result.failed()).isEmpty();
    assertThat(result.found()).hasSize(25);
    assertThat(result.found().get(SecretRef.of("/p/n24")).versionId()).isEqualTo("25");
    List<Integer> sizes = new ArrayList<>();
    for (String body : fake.bodies("AmazonSSM.GetParameters")) {
      assertThat(body).contains("\"WithDecryption\":true");
      Matcher m = Pattern.compile("\"/p/n\\d+\"").matcher(body);
      int n = 0;
      while (m.find()) {
        n++;
      }
      sizes.add(n);
    }
    assertThat(sizes).containsExactlyInAnyOrder(10, 10, 5);
    assertThat(fake.ssmCount("GetParameter")).isZero();
  }

  @Test
  void fetchAllMatchesSelectorsAndReportsInvalidNamesAsNotFound() {
    fake.server.stubFor(ssmCall("GetParameters").willReturn(json("{\"Parameters\":["
        + parameter("/a", 4, "String", "a-current", null) + ","
        + parameter("/a", 2, "String", "a-version-2", ":2")
        + "],\"InvalidParameters\":[\"/missing\"]}")));
    fake.server.stubFor(ssmCall("GetParameterHistory").willReturn(json("{\"Parameters\":["
        + history("/a", 3, "a-history-3", "p") + "," + history("/a", 4, "a-history-4", "c") + "]}")));
    LeakGuard.watch("a-current");
    LeakGuard.watch("a-version-2");
    LeakGuard.watch("a-history-3");
    LeakGuard.watch("a-history-4");

    BatchResult result = source.fetchAll(List.of(SecretRef.of("/a"), SecretRef.of("/a:2"), SecretRef.of("/missing"),
        SecretRef.of("/a").withStage(VersionStage.PREVIOUS)));

    assertThat(result.found().get(SecretRef.of("/a")).versionId()).isEqualTo("4");
    assertThat(result.found().get(SecretRef.of("/a:2")).versionId()).isEqualTo("2");
    assertThat(result.found().get(SecretRef.of("/a").withStage(VersionStage.PREVIOUS)).versionId()).isEqualTo("3");
    assertThat(result.failed().get(SecretRef.of("/missing"))).isInstanceOf(SecretNotFoundException.class);
    assertThat(fake.ssmCount("GetParameters")).isEqualTo(1);
    assertThat(fake.ssmCount("GetParameter")).isZero();
  }

  @Test
  void aRefusedGetParametersFallsBackToSingleReads() {
    fake.server.stubFor(ssmCall("GetParameters").willReturn(error(400, "AccessDeniedException", "no batch")));
    fake.server.stubFor(ssmCall("GetParameter").willReturn(json(getParameter("/x", 1, "String", "single-read-x"))));
    LeakGuard.watch("single-read-x");

    BatchResult first = source.fetchAll(List.of(SecretRef.of("/x")));
    BatchResult second = source.fetchAll(List.of(SecretRef.of("/x")));

    assertThat(first.found()).hasSize(1);
    assertThat(second.found()).hasSize(1);
    assertThat(fake.ssmCount("GetParameters")).isEqualTo(1);
    assertThat(fake.ssmCount("GetParameter")).isEqualTo(2);
  }

  @Test
  void aGetParametersCallThatFailsTransientlyFailsEachReference() {
    fake.server.stubFor(ssmCall("GetParameters").willReturn(error(400, "ThrottlingException", "Rate exceeded")));

    BatchResult result = source.fetchAll(List.of(SecretRef.of("/x"), SecretRef.of("/y")));

    assertThat(result.failed()).hasSize(2);
    assertThat(result.failed().values()).allSatisfy(e -> assertThat(e).isInstanceOf(SecretUnavailableException.class));
    assertThat(result.failed().get(SecretRef.of("/y")).ref()).contains(SecretRef.of("/y"));
  }

  @Test
  void aGetParametersCallRejectedAsMalformedIsReadOneByOne() {
    fake.server.stubFor(ssmCall("GetParameters").willReturn(error(400, "ValidationException", "bad name")));
    fake.server.stubFor(ssmCall("GetParameter").withRequestBody(containing("\"/ok\""))
        .willReturn(json(getParameter("/ok", 1, "String", "ok-value-1"))));
    fake.server.stubFor(ssmCall("GetParameter").withRequestBody(containing("\"bad name\""))
        .willReturn(error(400, "ValidationException", "bad name")));
    LeakGuard.watch("ok-value-1");

    BatchResult result = source.fetchAll(List.of(SecretRef.of("/ok"), SecretRef.of("bad name")));

    assertThat(result.found()).containsOnlyKeys(SecretRef.of("/ok"));
    assertThat(result.failed().get(SecretRef.of("bad name"))).isInstanceOf(InvalidSecretRefException.class);
  }

  @Test
  void aKmsKeyThatCannotDecryptIsAccessDeniedSayingSo() {
    fake.server.stubFor(ssmCall("GetParameter").willReturn(error(400, "InvalidKeyId", "key disabled")));

    assertThatThrownBy(() -> source.fetch(SecretRef.of("/secure")))
        .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("kms:Decrypt");
  }

  @Test
  void versionChecksAskGetParametersWithoutDecryptionTenNamesACallAndCopyNoValue() {
    LeakGuard.watch("plain-string-value");
    fake.server.stubFor(ssmCall("GetParameters").withRequestBody(matchingJsonPath("$.WithDecryption", equalTo("false")))
        .willReturn(json("{\"Parameters\":["
            + parameter("/c/secure", 4, "SecureString", "AQICAHh-ciphertext-not-a-value", null) + ","
            + parameter("/c/plain", 2, "String", "plain-string-value", null) + ","
            + parameter("/c/labelled", 7, "String", "plain-string-value", ":blue") + "],"
            + "\"InvalidParameters\":[\"/c/missing\"]}")));
    List<SecretRef> refs = new ArrayList<>(List.of(SecretRef.parse("aws-ssm:///c/secure"),
        SecretRef.parse("aws-ssm:///c/plain"), SecretRef.parse("aws-ssm:///c/labelled:blue"),
        SecretRef.parse("aws-ssm:///c/missing"), SecretRef.parse("aws-ssm:///c/plain?stage=previous")));
    for (int i = 0; i < 15; i++) {
      refs.add(SecretRef.parse("aws-ssm:///c/unlisted-" + i));
    }

    VersionChecks checks = source.checkVersions(refs);

    assertThat(fake.ssmCount("GetParameters")).as("20 names, 10 a call").isEqualTo(2);
    assertThat(fake.ssmCount("GetParameter") + fake.ssmCount("GetParameterHistory")).isZero();
    assertThat(checks.found().get(refs.get(0))).isEqualTo(VersionCheck.of("4"));
    assertThat(checks.found().get(refs.get(1))).isEqualTo(VersionCheck.of("2"));
    assertThat(checks.found().get(refs.get(2))).isEqualTo(VersionCheck.of("7"));
    assertThat(checks.failed().get(refs.get(3))).isInstanceOf(SecretNotFoundException.class);
    assertThat(checks.found()).as("the previous stage and unmentioned names are left for a fetch").hasSize(3);
    assertThat(fake.bodies("AmazonSSM.GetParameters")).allSatisfy(b -> assertThat(b).doesNotContain("previous"));
  }

  @Test
  void aRefusedVersionCheckIsLoggedOnceAndLeavesEveryReferenceForAFetch() {
    fake.server.stubFor(ssmCall("GetParameters").willReturn(error(400, "AccessDeniedException", "no batch")));
    SecretRef ref = SecretRef.parse("aws-ssm:///d/one");

    assertThat(source.checkVersion(ref)).isEmpty();
    assertThat(source.checkVersions(List.of(ref, SecretRef.parse("aws-ssm:///d/two"))).found()).isEmpty();

    assertThat(fake.ssmCount("GetParameters")).isEqualTo(1);
    assertThat(LeakGuard.captured().stream().filter(l -> l.contains("refused GetParameters for a version check")))
        .hasSize(1);
  }

  @Test
  void aThrottledVersionCheckFailsTypedAndASuggestedLifetimeIsGiven() {
    fake.server.stubFor(ssmCall("GetParameters").willReturn(error(400, "ThrottlingException", "Rate exceeded")));

    assertThatThrownBy(() -> source.checkVersion(SecretRef.parse("aws-ssm:///e/one")))
        .isInstanceOf(io.secretsdk.SecretThrottledException.class)
        .hasMessageContaining("/e/one")
        .hasMessageNotContaining("Rate exceeded");
    assertThat(source.suggestedTtl(SecretRef.parse("aws-ssm:///e/one"))).contains(java.time.Duration.ofMinutes(15));
    assertThat(source.suggestedTtl(SecretRef.parse("aws-ssm:///e/one:3"))).contains(java.time.Duration.ofHours(1));
  }
}
