package io.secretsdk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.secretsdk.SecretFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** The reader accepts exactly what a strict Jackson parser accepts, and never fails otherwise. */
class JsonReaderProperties {
  private static final JsonFactory STRICT =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final String SAMPLE =
      "{\"data\":{\"data\":{\"username\":\"app\",\"password\":\"s3cr\\u00e9t\\\"x\",\"n\":-12.5e3,\"list\":[1,true,null,{}]},"
          + "\"metadata\":{\"created_time\":\"2026-01-01T00:00:00Z\",\"version\":3,\"k\\u00e9\":\"\u00fc\u20ac\uD83D\uDD11\"}},"
          + "\"warnings\":null,\"a\":[],\"b\":false}";

  private static boolean jacksonAccepts(byte[] in) {
    try (JsonParser p = STRICT.createParser(in)) {
      int depth = 0;
      int values = 0;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t.isScalarValue() || t == JsonToken.FIELD_NAME) {
          p.getText();
        }
        if (t.isStructStart()) {
          depth++;
        } else if (t.isStructEnd()) {
          depth--;
        }
        if (depth == 0) {
          values++;
        }
      }
      return values == 1;
    } catch (Exception e) {
      return false;
    }
  }

  private static void agreesWithJackson(byte[] in) {
    boolean ours;
    try {
      JsonReader r = JsonReader.parse(in, "fuzz", null);
      walk(r, r.root());
      ours = true;
    } catch (SecretFormatException e) {
      assertThat(e.getMessage()).startsWith("fuzz: ").matches("(?s)fuzz: [^\"]*");
      ours = false;
    }
    if (isWellFormedUtf8(in)) {
      // Jackson checks UTF-8 less strictly than the JDK; on well-formed input the two must agree.
      assertThat(ours).as(new String(in, StandardCharsets.UTF_8)).isEqualTo(jacksonAccepts(in));
    }
  }

  private static boolean isWellFormedUtf8(byte[] in) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(in));
      return true;
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }

  /** Visits every value: navigation never fails on an accepted document. */
  private static void walk(JsonReader r, int at) {
    switch (r.kind(at)) {
      case JsonReader.OBJECT:
        for (int m = r.firstMember(at); m >= 0; m = r.nextMember(m)) {
          r.name(m);
          walk(r, r.memberValue(m));
        }
        break;
      case JsonReader.ARRAY:
        for (int i = r.firstItem(at); i >= 0; i = r.nextItem(i)) {
          walk(r, i);
        }
        break;
      case JsonReader.STRING:
        Arrays.fill(r.chars(at), '\0');
        break;
      case JsonReader.NUMBER:
        r.integer(at);
        break;
      default:
        break;
    }
  }

  @Property(tries = 1000)
  void arbitraryBytesAreAcceptedExactlyWhenStrictJacksonAcceptsThem(@ForAll @Size(max = 60) byte[] in) {
    agreesWithJackson(in);
  }

  @Property(tries = 2000)
  void mutatedDocumentsAreAcceptedExactlyWhenStrictJacksonAcceptsThem(@ForAll("mutated") byte[] in) {
    agreesWithJackson(in);
  }

  private static final JsonReader.Paths PATHS = JsonReader.Paths.of("data", "data.data", "data.metadata",
      "data.metadata.version", "data.data.password", "data.data.list", "b", "data.data.username.x");

  /** The members found while checking are those that navigation finds afterwards. */
  @Property(tries = 1500)
  void membersFoundWhileCheckingAreTheOnesNavigationFinds(@ForAll("mutated") byte[] in) {
    JsonReader r;
    try {
      r = JsonReader.parse(in, "fuzz", null, PATHS);
    } catch (SecretFormatException e) {
      assertThat(jacksonAccepts(in) && isWellFormedUtf8(in)).isFalse();
      return;
    }
    String[][] paths = {{"data"}, {"data", "data"}, {"data", "metadata"}, {"data", "metadata", "version"},
        {"data", "data", "password"}, {"data", "data", "list"}, {"b"}, {"data", "data", "username", "x"}};
    for (int i = 0; i < paths.length; i++) {
      int at = r.root();
      for (String name : paths[i]) {
        at = at >= 0 && r.kind(at) == JsonReader.OBJECT ? r.field(at, name) : -1;
      }
      assertThat(r.found(i)).as(String.join(".", paths[i])).isEqualTo(at);
      assertThat(r.foundEnd(i)).as(String.join(".", paths[i])).isEqualTo(at < 0 ? -1 : r.end(at));
    }
  }

  /** Finding a member of a checked object without checking it again agrees with the checked search. */
  @Property(tries = 1500)
  void aMemberOfACheckedObjectIsWhereTheCheckedSearchFindsIt(@ForAll("mutated") byte[] in) {
    JsonReader r;
    try {
      r = JsonReader.parse(in, "fuzz", null);
    } catch (SecretFormatException e) {
      return;
    }
    if (r.kind(r.root()) != JsonReader.OBJECT) {
      return;
    }
    for (String name : new String[] {"data", "warnings", "a", "b", "dat", "datas", "", "k\u00e9"}) {
      int at = r.field(r.root(), name);
      long found = JsonReader.memberOfChecked(in, name);
      assertThat(found).as(name).isEqualTo(at < 0 ? -1L : ((long) at << 32) | r.end(at));
    }
  }

  /**
   * On bytes that are not (or no longer) a checked object, as when a value is zeroed while a field
   * is looked up, the search answers within the array and never throws or runs away.
   */
  @Property(tries = 3000)
  void aSearchOfGarbageOrOfAPartlyZeroedObjectStaysInBounds(
      @ForAll("mutated") byte[] doc, @ForAll @Size(max = 40) byte[] noise, @ForAll int cut) {
    byte[] zeroed = doc.clone();
    int from = Math.floorMod(cut, zeroed.length);
    Arrays.fill(zeroed, from, Math.min(zeroed.length, from + 1 + Math.floorMod(cut >> 8, 64)), (byte) 0);
    for (byte[] in : new byte[][] {zeroed, noise, new byte[zeroed.length]}) {
      for (String name : new String[] {"data", "b", "x", "k\u00e9"}) {
        long found = JsonReader.memberOfChecked(in, name);
        if (found >= 0) {
          int at = (int) (found >>> 32);
          int end = (int) found;
          assertThat(at).isLessThan(end);
          assertThat(end).isLessThanOrEqualTo(in.length);
        } else {
          assertThat(found).isIn(-1L, -2L);
        }
      }
    }
  }

  /**
   * Duplicate names are found whatever their hashes: objects of up to 16 short names over a
   * three-letter alphabet, whose hashes collide often, are refused exactly when a name repeats.
   */
  @Property(tries = 2000)
  void duplicateNamesAreRefusedExactlyWhenANameRepeats(
      @ForAll("names") java.util.List<String> names) {
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < names.size(); i++) {
      json.append(i == 0 ? "" : ",").append('"').append(names.get(i)).append("\":").append(i);
    }
    byte[] in = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    boolean repeats = new java.util.HashSet<>(names).size() < names.size();
    boolean accepted;
    try {
      JsonReader.parse(in, "fuzz", null);
      accepted = true;
    } catch (SecretFormatException e) {
      assertThat(e.getMessage()).contains("appears more than once");
      accepted = false;
    }
    assertThat(accepted).as(json.toString()).isEqualTo(!repeats);
  }

  @Provide
  Arbitrary<java.util.List<String>> names() {
    return Arbitraries.strings().withChars('a', 'b', '_').ofMinLength(0).ofMaxLength(6)
        .list().ofMinSize(1).ofMaxSize(16);
  }

  @Provide
  Arbitrary<byte[]> mutated() {
    byte[] base = SAMPLE.getBytes(StandardCharsets.UTF_8);
    Arbitrary<Integer> at = Arbitraries.integers().between(0, base.length - 1);
    Arbitrary<Byte> by = Arbitraries.of((byte) '"', (byte) '\\', (byte) ',', (byte) ':', (byte) '{', (byte) '}',
        (byte) '[', (byte) ']', (byte) '0', (byte) '-', (byte) 'e', (byte) '.', (byte) ' ', (byte) 0x01,
        (byte) 0xC3, (byte) 0x80, (byte) 0xFF, (byte) 'u', (byte) 'n');
    Arbitrary<Integer> op = Arbitraries.integers().between(0, 2);
    return Combinators.combine(at, by, op).as((i, b, o) -> {
      byte[] out;
      if (o == 0) {
        out = base.clone();
        out[i] = b;
      } else if (o == 1) {
        out = new byte[base.length + 1];
        System.arraycopy(base, 0, out, 0, i);
        out[i] = b;
        System.arraycopy(base, i, out, i + 1, base.length - i);
      } else {
        out = new byte[base.length - 1];
        System.arraycopy(base, 0, out, 0, i);
        System.arraycopy(base, i + 1, out, i, base.length - i - 1);
      }
      return out;
    });
  }
}
