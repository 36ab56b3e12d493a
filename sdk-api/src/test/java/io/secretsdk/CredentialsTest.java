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
    assertThat(c.field("dbname")).contains("orders");
    assertThatThrownBy(() -> c.field("password")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("password()");
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

  @Test
  void onlyConnectionFieldsAndDeclaredOnesAreHandedOutAsStrings() {
    LeakGuard.watch("second-pw-value");
    LeakGuard.watch("api-key-value-1");
    Credentials c = Credentials.from(secret("{\"username\":\"app\",\"password\":\"pw-1-value\",\"host\":\"h\","
        + "\"dbInstanceIdentifier\":\"orders-db\",\"api_key\":\"api-key-value-1\",\"schema\":\"sales\","
        + "\"replica_password\":\"second-pw-value\"}"));

    assertThat(c.field("dbInstanceIdentifier")).contains("orders-db");
    assertThat(c.field("username")).contains("app");
    assertThat(c.field("port")).isEmpty(); // a connection field the secret does not have
    assertThatThrownBy(() -> c.field("api_key"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'api_key'")
        .hasMessageContaining("may be secret")
        .hasMessageContaining("secret().field(\"api_key\")")
        .hasMessageContaining("withPublicFields(\"api_key\")")
        .hasMessageNotContaining("api-key-value-1");
    assertThatThrownBy(() -> c.field("replica_password")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.field("schema")).isInstanceOf(IllegalArgumentException.class);

    Credentials declared = c.withPublicFields("schema");
    assertThat(declared.field("schema")).contains("sales");
    assertThat(declared.field("host")).contains("h");
    assertThatThrownBy(() -> declared.field("api_key")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.withPublicFields("password")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is the password");
    // A secret field is still readable, as a SecretValue.
    assertThat(c.secret().field("api_key").contentEquals("api-key-value-1".toCharArray())).isTrue();
  }

  @Test
  void aCustomUsernameFieldIsPublicAndACustomPasswordFieldIsNot() {
    Credentials c = Credentials.from(secret("{\"user\":\"svc\",\"pass\":\"pw-value-2\",\"password\":\"x-value-3\"}"),
        "user", "pass");
    assertThat(c.field("user")).contains("svc");
    assertThatThrownBy(() -> c.field("pass")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.field("password")).isInstanceOf(IllegalArgumentException.class);
  }
}
