package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.testing.LeakGuard;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CredentialsTest {
  private static Secret secret(String json) {
    return Secret.builder("rds/app").versionId("v1").value(SecretValue.fromUtf8(json.getBytes(StandardCharsets.UTF_8))).build();
  }

  @Test
  void readsTheAwsRotationFormat() {
    LeakGuard.watch("Rds-Pa55-word");
    Credentials c = Credentials.from(secret("{\"engine\":\"postgres\",\"host\":\"db.local\",\"username\":\"app\","
        + "\"password\":\"Rds-Pa55-word\",\"dbname\":\"orders\",\"port\":5432}"));
    assertThat(c.username()).isEqualTo("app");
    assertThat(c.password().contentEquals("Rds-Pa55-word".toCharArray())).isTrue();
    assertThat(c.field("host")).contains("db.local");
    assertThat(c.field("port")).contains("5432");
    assertThat(c.field("engine")).contains("postgres");
    assertThat(c.field("password")).isEmpty();
    assertThat(c.field("missing")).isEmpty();
    assertThat(c.toString()).contains("app").doesNotContain("Rds-Pa55-word");
    org.slf4j.LoggerFactory.getLogger(CredentialsTest.class).info("credentials {}", c);
  }

  @Test
  void readsConfiguredFieldNames() {
    Credentials c = Credentials.from(secret("{\"user\":\"svc\",\"pass\":\"pw-value-1\"}"), "user", "pass");
    assertThat(c.username()).isEqualTo("svc");
    assertThat(c.password().revealString()).isEqualTo("pw-value-1");
  }

  @Test
  void missingFieldsAreFormatErrors() {
    assertThatThrownBy(() -> Credentials.from(secret("{\"username\":\"app\"}")))
        .isInstanceOf(SecretFormatException.class).hasMessageContaining("password").hasMessageContaining("rds/app");
  }
}
