package io.secretsdk.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretFormatException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonReaderTest {
  private static JsonReader read(String json) {
    return JsonReader.parse(json.getBytes(StandardCharsets.UTF_8), "test", null);
  }

  @Test
  void fieldsAreFoundByNameAndDecodedOnlyWhenAsked() {
    JsonReader r = read(" {\"a\" : {\"b\":[1, \"x\\u00e9\\n\", true, null]}, \"n\":-42, \"s\":\"7\", \"\\u0063\":\"esc\"} ");
    int a = r.field(r.root(), "a");
    assertThat(r.kind(a)).isEqualTo(JsonReader.OBJECT);
    int b = r.field(a, "b");
    assertThat(r.kind(b)).isEqualTo(JsonReader.ARRAY);
    int first = r.firstItem(b);
    int second = r.nextItem(first);
    assertThat(r.integer(first)).isEqualTo(1L);
    assertThat(r.chars(second)).containsExactly('x', 'é', '\n');
    int third = r.nextItem(second);
    assertThat(r.kind(third)).isEqualTo(JsonReader.TRUE);
    assertThat(r.kind(r.nextItem(third))).isEqualTo(JsonReader.NULL);
    assertThat(r.nextItem(r.nextItem(third))).isEqualTo(-1);
    assertThat(r.integer(r.field(r.root(), "n"))).isEqualTo(-42L);
    assertThat(r.digits(r.field(r.root(), "s"))).isEqualTo(7L);
    assertThat(r.text(r.field(r.root(), "c"))).as("an escaped name matches its decoded form").isEqualTo("esc");
    assertThat(r.field(r.root(), "missing")).isEqualTo(-1);
    assertThat(new String(r.rawChars(a))).isEqualTo("{\"b\":[1, \"x\\u00e9\\n\", true, null]}");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":1e}",
      "{\"a\":tru}", "{\"a\":nul}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"x", "{'a':1}", "{\"a\":1} x",
      "{\"a\":NaN}", "{\"a\":\"\t\"}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1 2]", "{1:2}"})
  void malformedJsonIsAFormatErrorWithAPositionAndNoContent(String json) {
    assertThatThrownBy(() -> read(json))
        .isInstanceOf(SecretFormatException.class)
        .hasMessageStartingWith("test: value is not well-formed JSON (")
        .hasMessageContaining("line 1, column ")
        .satisfies(e -> assertThat(e.getMessage().substring(6)).doesNotContain("\"a\"").doesNotContain("NaN"));
  }

  @Test
  void aDuplicateFieldNameIsRefusedWithoutQuotingIt() {
    assertThatThrownBy(() -> read("{\"x\":1,\n \"topsecret\":1, \"topsecret\":2}"))
        .isInstanceOf(SecretFormatException.class)
        .hasMessage("test: value is not well-formed JSON (a field name appears more than once, line 2, column 17)");
    assertThatThrownBy(() -> read("{\"a\":{\"k\":1,\"\\u006b\":2}}"))
        .as("names are compared decoded").hasMessageContaining("appears more than once");
  }

  @Test
  void duplicatesAreFoundInLargeObjectsToo() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < 100; i++) {
      sb.append("\"f").append(i).append("\":").append(i).append(',');
    }
    assertThat(read(sb + "\"last\":0}").field(0, "f99")).isPositive();
    assertThatThrownBy(() -> read(sb + "\"f42\":0}")).hasMessageContaining("appears more than once");
  }

  @Test
  void sameNamesInSiblingObjectsAreNoDuplicates() {
    JsonReader r = read("{\"a\":{\"x\":1,\"y\":2},\"b\":{\"x\":1,\"y\":2},\"x\":3}");
    assertThat(r.integer(r.field(r.root(), "x"))).isEqualTo(3L);
  }

  @Test
  void nestingDeeperThanTheLimitIsRefusedNotAStackOverflow() {
    String ok = "[".repeat(JsonReader.MAX_DEPTH) + "]".repeat(JsonReader.MAX_DEPTH);
    assertThat(read(ok).kind(0)).isEqualTo(JsonReader.ARRAY);
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertThatThrownBy(() -> read(deep)).hasMessageContaining("nested too deeply");
  }

  @Test
  void badUtf8InAStringIsRefused() {
    byte[][] bad = {
      {'"', (byte) 0xC0, (byte) 0x80, '"'}, // overlong
      {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, // surrogate
      {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, // beyond U+10FFFF
      {'"', (byte) 0xE2, (byte) 0x82, '"'}, // truncated
      {'"', (byte) 0x80, '"'}, // lone continuation
    };
    for (byte[] b : bad) {
      assertThatThrownBy(() -> JsonReader.parse(b, "test", null)).hasMessageContaining("not well-formed UTF-8");
    }
  }

  @Test
  void integersBeyondEighteenDigitsAreNotReadAsLongs() {
    JsonReader r = read("[123456789012345678, 1234567890123456789, 1.5, 1e3, -7]");
    int a = r.firstItem(0);
    assertThat(r.integer(a)).isEqualTo(123456789012345678L);
    int b = r.nextItem(a);
    assertThat(r.integer(b)).isNull();
    assertThat(r.integer(r.nextItem(b))).isNull();
    assertThat(r.integer(r.nextItem(r.nextItem(b)))).isNull();
    assertThat(r.integer(r.nextItem(r.nextItem(r.nextItem(b))))).isEqualTo(-7L);
  }

  @Test
  void aRangeIsReadAsItsOwnDocument() {
    byte[] in = "xx{\"a\":1}yy".getBytes(StandardCharsets.UTF_8);
    JsonReader r = JsonReader.parse(in, 2, 9, "test", null);
    assertThat(r.integer(r.field(r.root(), "a"))).isEqualTo(1L);
    assertThatThrownBy(() -> JsonReader.parse(in, 2, 10, "test", null)).hasMessageContaining("after the JSON object");
  }

  @Test
  void membersAreFoundWhileCheckingEvenWhenTheirNamesAreWrittenWithEscapes() {
    byte[] in = ("{\"d\\u0061ta\":{\"me\\u0074a\":{\"v\":7},\"other\":1},\"data2\":{\"meta\":2},"
        + "\"x\":{\"meta\":\"not\"}}").getBytes(StandardCharsets.UTF_8);
    JsonReader r = JsonReader.parse(in, "doc", null, JsonReader.Paths.of("data.meta.v", "data", "x.meta", "data.nope"));
    assertThat(r.kind(r.found(0))).isEqualTo(JsonReader.NUMBER);
    assertThat(r.integer(r.found(0))).isEqualTo(7L);
    assertThat(r.found(1)).isEqualTo(r.field(r.root(), "data"));
    assertThat(r.foundEnd(1)).isEqualTo(r.end(r.found(1)));
    assertThat(r.text(r.found(2))).isEqualTo("not");
    assertThat(r.found(3)).isEqualTo(-1);
    assertThat(r.isAscii()).isTrue();
    assertThat(JsonReader.parse("{\"k\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8), "doc", null).isAscii())
        .isFalse();
    assertThatThrownBy(() -> JsonReader.parse(in, "doc", null).found(0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void pathsMustBePlainDistinctNames() {
    assertThatThrownBy(() -> JsonReader.Paths.of("a..b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JsonReader.Paths.of("a", "a")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JsonReader.Paths.of("q\"")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JsonReader.Paths.of("\u00e9")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aMemberOfACheckedObjectIsFoundByItsDecodedName() {
    byte[] in = " {\"pa\\u0073s\":\"1\",\"p\u00e4ss\":[1,{\"}\":\"]\"}],\"pass3\":\"3\"} ".getBytes(StandardCharsets.UTF_8);
    JsonReader r = JsonReader.parse(in, "doc", null);
    for (String name : new String[] {"pass", "p\u00e4ss", "pass3"}) {
      int at = r.field(r.root(), name);
      assertThat(JsonReader.memberOfChecked(in, name)).as(name).isEqualTo(((long) at << 32) | r.end(at));
    }
    assertThat(JsonReader.memberOfChecked(in, "pas")).isEqualTo(-1L);
    assertThat(JsonReader.memberOfChecked(in, "passs")).isEqualTo(-1L);
    assertThat(JsonReader.memberOfChecked("{}".getBytes(StandardCharsets.UTF_8), "a")).isEqualTo(-1L);
    assertThat(JsonReader.memberOfChecked(new byte[0], "a")).isEqualTo(-2L);
  }
}
