package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.testing.LeakGuard;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretTest {

  private static Secret json(String text) {
    return Secret.builder("prod/db").versionId("v7").value(SecretValue.fromUtf8(text.getBytes(StandardCharsets.UTF_8))).build();
  }

  @Test
  void readsTopLevelFieldsOfEveryScalarKind() {
    Secret s = json("{\"username\":\"app\",\"password\":\"p\\\"w\\\\d\\n\\u00e9\\ud83d\\udd11ü\",\"port\":5432,"
        + "\"ratio\":-1.5e3,\"tls\":true,\"old\":false}");
    assertThat(s.field("username").revealString()).isEqualTo("app");
    assertThat(s.field("password").revealString()).isEqualTo("p\"w\\d\né\uD83D\uDD11ü");
    assertThat(s.field("port").revealString()).isEqualTo("5432");
    assertThat(s.field("ratio").revealString()).isEqualTo("-1.5e3");
    assertThat(s.field("tls").revealString()).isEqualTo("true");
    assertThat(s.field("old").revealString()).isEqualTo("false");
    assertThat(s.fieldNames()).containsExactly("username", "password", "port", "ratio", "tls", "old");
  }

  @Test
  void fieldsAreBorrowedAndDestroyedWithTheValue() {
    Secret s = json("{\"password\":\"hunter2-hunter2\"}");
    SecretValue password = s.field("password");
    assertThat(password.isBorrowed()).isTrue();
    assertThatThrownBy(password::destroy).isInstanceOf(UnsupportedOperationException.class);
    s.value().destroy();
    assertThat(password.isDestroyed()).isTrue();
    assertThatThrownBy(() -> s.field("password")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badShapesAreClearFormatErrorsThatNeverQuoteContent() {
    LeakGuard.watch("topsecret");
    Map<String, String> cases = Map.of(
        "topsecret", "not well-formed JSON",
        "[\"topsecret\"]", "not a JSON object",
        "\"topsecret\"", "not a JSON object",
        "{\"a\":\"topsecret\",\"a\":\"x\"}", "appears more than once",
        "{\"a\":\"topsecret\"} {\"b\":1}", "after the JSON object",
        "{\"a\":\"topsecret\"", "not well-formed",
        "{\"a\":\"topsecret", "not well-formed",
        "{\"a\":topsecret}", "not well-formed JSON",
        "", "not a JSON object");
    cases.forEach((input, problem) -> {
      Secret s = json(input);
      assertThatThrownBy(() -> s.field("a"))
          .as(input)
          .isInstanceOf(SecretFormatException.class)
          .hasMessageContaining("prod/db")
          .hasMessageContaining(problem)
          .hasMessageNotContaining("topsecret")
          .hasNoCause();
    });
  }

  @Test
  void missingNestedAndNullFieldsNameTheSecretAndField() {
    Secret s = json("{\"nested\":{\"password\":\"topsecret\",\"n\":[1,2,{\"x\":3}]},\"none\":null}");
    assertThatThrownBy(() -> s.field("password")).isInstanceOf(SecretFormatException.class)
        .hasMessageContaining("prod/db").hasMessageContaining("no field 'password'");
    assertThatThrownBy(() -> s.field("nested")).isInstanceOf(SecretFormatException.class)
        .hasMessageContaining("'nested'").hasMessageContaining("object or array").hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> s.field("none")).isInstanceOf(SecretFormatException.class).hasMessageContaining("null");
    assertThat(s.fieldNames()).containsExactly("nested", "none");
  }

  @Test
  void builderRequiresValueAndVersionAndKeepsMetadata() {
    assertThatThrownBy(() -> Secret.builder("a").versionId("1").build()).hasMessageContaining("value is required");
    assertThatThrownBy(() -> Secret.builder("a").value(SecretValue.copyOf(new char[] {'x'})).build())
        .hasMessageContaining("versionId is required");
    assertThatThrownBy(() -> Secret.builder(" ")).isInstanceOf(IllegalArgumentException.class);
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    Lease lease = new Lease("database/creds/app/abc", t, Duration.ofHours(1), true);
    Secret s = Secret.builder("a").versionId("1").value(SecretValue.copyOf(new char[] {'x'}))
        .stages(Set.of(VersionStage.CURRENT)).labels(Set.of("AWSCURRENT")).createdAt(t).lease(lease)
        .expiresAt(t.plusSeconds(60)).nextRotationAt(t.plusSeconds(30)).metadata(Map.of("team", "db")).build();
    assertThat(s.stages()).containsExactly(VersionStage.CURRENT);
    assertThat(s.labels()).containsExactly("AWSCURRENT");
    assertThat(s.lease()).contains(lease);
    assertThat(lease.expiresAt()).isEqualTo(t.plusSeconds(3600));
    assertThat(s.toString()).isEqualTo("Secret[name=a, version=1, stages=[CURRENT]]");
    Secret copy = s.toBuilder().value(s.value().borrow()).build();
    assertThat(copy.lease()).contains(lease);
    assertThat(copy.nextRotationAt()).isEqualTo(s.nextRotationAt());
    assertThat(copy.metadata()).isEqualTo(Map.of("team", "db"));
  }

  @Test
  void contentVersionIdsAreStableForEqualContentAndDifferOtherwise() {
    String a = Secret.builder("x").value(SecretValue.copyOf("one".toCharArray())).versionIdFromContent().build().versionId();
    String b = Secret.builder("y").value(SecretValue.copyOf("one".toCharArray())).versionIdFromContent().build().versionId();
    String c = Secret.builder("x").value(SecretValue.copyOf("two".toCharArray())).versionIdFromContent().build().versionId();
    String d = Secret.builder("x").value(SecretValue.copyOfBinary("one".getBytes(StandardCharsets.UTF_8))).versionIdFromContent().build().versionId();
    assertThat(a).isEqualTo(b).startsWith("h-").hasSize(26);
    assertThat(c).isNotEqualTo(a);
    assertThat(d).isNotEqualTo(a);
  }

  @Test
  void leasesRefuseNegativeTtls() {
    assertThatThrownBy(() -> new Lease(null, Instant.EPOCH, Duration.ofSeconds(-1), false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
