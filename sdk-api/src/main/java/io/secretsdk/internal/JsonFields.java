package io.secretsdk.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import io.secretsdk.SecretFormatException;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads the top-level fields of a JSON object from UTF-8 bytes into {@code char[]} values without
 * ever making a {@link String} of a value.
 *
 * <p>Jackson's streaming parser walks the structure, but string values are never read through it:
 * Jackson skips a string token without decoding it unless asked for its text, so each string is
 * decoded here, straight from the input bytes, into an array the caller owns. Numbers, the only
 * values Jackson itself copies, are wiped out of its buffer right after they are copied. Buffers
 * are never recycled between parses. Field names are not secret and are ordinary strings.
 *
 * <p>Field-name canonicalization must stay on: without it Jackson reads bytes through a decoding
 * {@code Reader}, which would copy every value into its char buffers.
 *
 * <p>Error messages give a line and column, never content, and carry no Jackson exception (whose
 * messages quote the input).
 */
public final class JsonFields {

  /** What a top-level field holds. */
  public enum Kind {
    /** A string, number or boolean: readable as text. */
    SCALAR,
    /** An object or array: not readable as text. */
    NESTED,
    /** JSON null. */
    NULL
  }

  /**
   * One field.
   *
   * @param kind what the field holds
   * @param text the text of a scalar, owned by the caller; {@code null} otherwise
   */
  public record Field(Kind kind, char @Nullable [] text) {}

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .recyclerPool(JsonRecyclerPools.nonRecyclingPool())
          .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  private JsonFields() {}

  /**
   * Parses the top-level fields of a JSON object.
   *
   * @param utf8 the JSON bytes; read, not modified
   * @param what how to name the input in errors, e.g. {@code "secret 'db'"}
   * @return the fields in document order; the caller owns (and must wipe) every text array
   * @throws SecretFormatException if the input is not one JSON object, has a duplicate field, or
   *     is not well-formed
   */
  public static Map<String, Field> parse(byte[] utf8, String what) {
    Map<String, Field> fields = new LinkedHashMap<>();
    boolean complete = false;
    try (JsonParser parser = FACTORY.createParser(utf8)) {
      JsonToken first = nextToken(parser, what);
      if (first != JsonToken.START_OBJECT) {
        throw new SecretFormatException(what + ": value is not a JSON object");
      }
      while (true) {
        JsonToken token = nextToken(parser, what);
        if (token == JsonToken.END_OBJECT) {
          break;
        }
        if (token != JsonToken.FIELD_NAME) {
          throw malformed(what, parser.currentTokenLocation());
        }
        String name = parser.currentName();
        JsonToken valueToken = nextToken(parser, what);
        Field field = readValue(parser, valueToken, utf8, what);
        Field earlier = fields.put(name, field);
        if (earlier != null) {
          wipe(field);
          wipe(earlier);
          throw new SecretFormatException(what + ": field '" + name + "' appears more than once");
        }
      }
      if (nextToken(parser, what) != null) {
        throw new SecretFormatException(what + ": unexpected content after the JSON object");
      }
      complete = true;
      return fields;
    } catch (IOException e) {
      throw new SecretFormatException(what + ": value could not be read as JSON");
    } finally {
      if (!complete) {
        fields.values().forEach(JsonFields::wipe);
      }
    }
  }

  private static void wipe(Field field) {
    if (field.text() != null) {
      Arrays.fill(field.text(), '\0');
    }
  }

  private static @Nullable JsonToken nextToken(JsonParser parser, String what) {
    try {
      return parser.nextToken();
    } catch (IOException | RuntimeException e) {
      // Jackson's messages quote the input: keep only the position.
      throw malformed(what, parser.currentLocation());
    }
  }

  private static SecretFormatException malformed(String what, JsonLocation at) {
    return new SecretFormatException(
        what + ": value is not well-formed JSON (near line " + at.getLineNr() + ", column "
            + at.getColumnNr() + ")");
  }

  private static Field readValue(JsonParser parser, @Nullable JsonToken token, byte[] utf8, String what)
      throws IOException {
    if (token == null) {
      throw new SecretFormatException(what + ": value is truncated JSON");
    }
    switch (token) {
      case VALUE_STRING:
        return new Field(Kind.SCALAR, JsonStrings.decode(utf8, stringStart(parser, utf8, what), what));
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return new Field(Kind.SCALAR, copyAndWipeNumber(parser));
      case VALUE_TRUE:
        return new Field(Kind.SCALAR, new char[] {'t', 'r', 'u', 'e'});
      case VALUE_FALSE:
        return new Field(Kind.SCALAR, new char[] {'f', 'a', 'l', 's', 'e'});
      case VALUE_NULL:
        return new Field(Kind.NULL, null);
      case START_OBJECT:
      case START_ARRAY:
        skipNested(parser, what);
        return new Field(Kind.NESTED, null);
      default:
        throw malformed(what, parser.currentTokenLocation());
    }
  }

  private static int stringStart(JsonParser parser, byte[] utf8, String what) {
    long offset = parser.currentTokenLocation().getByteOffset();
    if (offset < 0 || offset >= utf8.length || utf8[(int) offset] != '"') {
      throw malformed(what, parser.currentTokenLocation());
    }
    return (int) offset;
  }

  private static char[] copyAndWipeNumber(JsonParser parser) throws IOException {
    char[] buffer = parser.getTextCharacters();
    int offset = parser.getTextOffset();
    int length = parser.getTextLength();
    char[] copy = Arrays.copyOfRange(buffer, offset, offset + length);
    Arrays.fill(buffer, offset, offset + length, '\0');
    return copy;
  }

  /** Skips an object or array; strings inside are never decoded, numbers are wiped. */
  private static void skipNested(JsonParser parser, String what) throws IOException {
    int depth = 1;
    while (depth > 0) {
      JsonToken token = nextToken(parser, what);
      if (token == null) {
        throw new SecretFormatException(what + ": value is truncated JSON");
      }
      switch (token) {
        case START_OBJECT:
        case START_ARRAY:
          depth++;
          break;
        case END_OBJECT:
        case END_ARRAY:
          depth--;
          break;
        case VALUE_NUMBER_INT:
        case VALUE_NUMBER_FLOAT:
          Arrays.fill(copyAndWipeNumber(parser), '\0');
          break;
        default:
          break;
      }
    }
  }
}
