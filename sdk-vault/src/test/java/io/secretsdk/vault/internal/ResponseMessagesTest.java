package io.secretsdk.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretRef;
import io.secretsdk.VersionStage;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Messages about Vault's answers are fixed phrases with a position: nothing from the body. */
class ResponseMessagesTest {
  private static final SecretRef REF = SecretRef.parse("vault://secret/app");
  private static final Route KV2 = new Route(Route.Kind.KV2, "secret", "app", "secret/data/app");

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aDeletionTimeThatIsNoTimestampIsNeverQuoted() {
    byte[] body = utf8("{\"data\":{\"data\":null,\"metadata\":{\"version\":2,\"destroyed\":false,"
        + "\"deletion_time\":\"hunter2-not-a-date\"}}}");
    assertThat(Responses.notFound(body, REF, KV2).getMessage())
        .contains("version 2 was deleted;")
        .doesNotContain("hunter2");
  }

  @Test
  void aDeletionTimeIsGivenAsTheInstantItParsesTo() {
    byte[] body = utf8("{\"data\":{\"data\":null,\"metadata\":{\"version\":2,\"destroyed\":false,"
        + "\"deletion_time\":\"2025-06-01T02:00:00+02:00\"}}}");
    assertThat(Responses.notFound(body, REF, KV2).getMessage())
        .contains("version 2 was deleted at 2025-06-01T00:00:00Z;")
        .doesNotContain("+02:00");
  }

  @Test
  void aDuplicateFieldNameIsRefusedWithoutQuotingIt() {
    byte[] body = utf8("{\"data\":{\"data\":{\"hunter2\":\"a\",\"hunter2\":\"b\"},\"metadata\":{\"version\":1}}}");
    assertThatThrownBy(() -> Responses.kv2(body, REF, KV2, Set.of(VersionStage.CURRENT)))
        .isInstanceOf(SecretFormatException.class)
        .hasMessage("Vault's answer for 'secret/app': value is not well-formed JSON "
            + "(a field name appears more than once, line 1, column 32)")
        .satisfies(e -> assertThat(((SecretFormatException) e).ref()).isPresent());
  }

  @Test
  void malformedAnswersNameThePositionOnly() {
    byte[] body = utf8("{\"data\":{\"data\":{\"password\":\"hunter2\"}\n,,}");
    assertThatThrownBy(() -> Responses.kv2(body, REF, KV2, Set.of()))
        .isInstanceOf(SecretFormatException.class)
        .hasMessageContaining("line 2, column 2")
        .hasMessageNotContaining("hunter2")
        .hasMessageNotContaining("password");
  }
}
