package io.secretsdk.aws;

import static io.secretsdk.aws.AwsFake.json;
import static io.secretsdk.aws.AwsFake.sm;
import static io.secretsdk.aws.AwsFake.smBinary;
import static io.secretsdk.aws.AwsFake.smText;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.BatchResult;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.aws.internal.SsmName;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Properties over many generated inputs, through the real SDK client and WireMock: any text or
 * bytes come back exactly; any number of secrets is warmed in batches of at most 20; parameter
 * selectors split the same way whatever the name.
 */
class AwsSourcePropertiesTest {
  private static AwsFake fake;
  private static SecretsManagerClient client;
  private static AwsSecretsManagerSource source;

  @BeforeContainer
  static void start() {
    fake = new AwsFake();
    client = fake.secretsManager();
    source = AwsSecretsManagerSource.builder().client(client).rotationSchedule(false).build();
  }

  @AfterContainer
  static void stop() {
    source.close();
    client.close();
    fake.close();
  }

  @Property(tries = 60)
  void anySecretStringComesBackCharForChar(@ForAll @StringLength(min = 1, max = 300) String text) {
    fake.server.resetAll();
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smText("p", "v1", text, "AWSCURRENT"))));

    Secret secret = source.fetch(SecretRef.of("p"));
    try {
      assertThat(secret.value().isBinary()).isFalse();
      assertThat(secret.value().contentEquals(text.toCharArray())).isTrue();
    } finally {
      secret.value().destroy();
    }
  }

  @Property(tries = 60)
  void anySecretBinaryComesBackByteForByte(@ForAll @Size(min = 1, max = 300) byte[] bytes) {
    fake.server.resetAll();
    fake.server.stubFor(sm("GetSecretValue").willReturn(json(smBinary("p", "v1", bytes, "AWSCURRENT"))));

    Secret secret = source.fetch(SecretRef.of("p"));
    try {
      byte[] read = secret.value().withBytes(byte[]::clone);
      assertThat(read).isEqualTo(bytes);
    } finally {
      secret.value().destroy();
    }
  }

  @Property(tries = 15)
  void anyNumberOfSecretsIsWarmedInBatchesOfAtMostTwenty(@ForAll @IntRange(min = 1, max = 70) int n) {
    fake.server.resetAll();
    // One answer holding every secret the property can ask for: the source must pick out the
    // ones each call asked for and ignore the rest.
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < 70; i++) {
      all.append(i == 0 ? "" : ",").append(smText("w" + i, "v" + i, "warm-" + i, "AWSCURRENT"));
    }
    fake.server.stubFor(sm("BatchGetSecretValue").willReturn(json("{\"SecretValues\":[" + all + "]}")));
    List<SecretRef> refs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      refs.add(SecretRef.of("w" + i));
    }

    BatchResult result = source.fetchAll(refs);

    assertThat(result.found()).hasSize(n);
    assertThat(result.failed()).isEmpty();
    for (SecretRef ref : refs) {
      Secret s = result.found().get(ref);
      assertThat(s.name()).isEqualTo(ref.name());
      s.value().destroy();
    }
    assertThat(fake.smCount("BatchGetSecretValue")).isEqualTo((n + 19) / 20);
    assertThat(fake.bodies("secretsmanager.BatchGetSecretValue"))
        .allSatisfy(body -> assertThat(body.split("\"w\\d+\"").length - 1).isBetween(1, 20));
    assertThat(fake.smCount("GetSecretValue")).isZero();
  }

  @Provide
  Arbitrary<String> parameterNames() {
    Arbitrary<String> segment = Arbitraries.strings().withChars("abcXYZ019_.-").ofMinLength(1).ofMaxLength(12);
    return segment.list().ofMinSize(1).ofMaxSize(4).map(parts -> "/" + String.join("/", parts));
  }

  @Provide
  Arbitrary<String> selectors() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(1, 100_000).map(String::valueOf),
        Arbitraries.strings().withChars("abcdefXYZ_.-").ofMinLength(1).ofMaxLength(20));
  }

  @Property
  void aSelectorSplitsOffAnyParameterNameOrArn(
      @ForAll("parameterNames") String name, @ForAll("selectors") String selector, @ForAll boolean asArn) {
    String parameter = asArn ? "arn:aws:ssm:eu-west-1:123456789012:parameter" + name : name;

    SsmName plain = SsmName.of(SecretRef.of(parameter));
    SsmName selected = SsmName.of(SecretRef.of(parameter + ":" + selector));
    SsmName viaVersion = SsmName.of(SecretRef.of(parameter).withVersion(selector));

    assertThat(plain.parameter()).isEqualTo(parameter);
    assertThat(plain.selector()).isNull();
    assertThat(selected.parameter()).isEqualTo(parameter);
    assertThat(selected.selector()).isEqualTo(selector);
    assertThat(selected.requestName()).isEqualTo(parameter + ":" + selector);
    assertThat(viaVersion.requestName()).isEqualTo(selected.requestName());
    assertThat(selected.selectsVersion()).isEqualTo(selector.chars().allMatch(Character::isDigit));
    assertThat(selected.matches(name, null, ":" + selector)).isTrue();
    assertThat(selected.matches(name, null, null)).isFalse();
  }
}
