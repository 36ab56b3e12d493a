package io.secretsdk.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class JsonBodyTest {

  @Property(tries = 200)
  void anySecretTextIsWrittenAsAJsonStringThatDecodesBackToIt(@ForAll @Size(max = 40) String text) {
    byte[] body = new JsonBody().field("a", "plain").field("s", text.toCharArray()).field("n", -42).toBytes();
    Json.Obj root = Json.parse(body, "body", null);
    char[] back = Json.str(root, "s", "body", null).chars(body, "body");
    assertThat(back).isEqualTo(text.toCharArray());
    assertThat(Json.integer(root, "n", body, "body", null)).isEqualTo(-42L);
  }

  @Test
  void fileContentIsTrimmedAndEscaped() {
    byte[] body = new JsonBody().field("role", "r").fieldUtf8Trimmed("jwt", " a\"b\\c\u0001\n".getBytes(StandardCharsets.UTF_8))
        .toBytes();
    assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("{\"role\":\"r\",\"jwt\":\"a\\\"b\\\\c\\u0001\"}");
  }
}
