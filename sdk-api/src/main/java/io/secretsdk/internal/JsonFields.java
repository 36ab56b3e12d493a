package io.secretsdk.internal;

import io.secretsdk.SecretFormatException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads the top-level fields of a JSON object from UTF-8 bytes into {@code char[]} values without
 * ever making a {@link String} of a value, on {@link JsonReader}: the whole document is checked
 * strictly, then each scalar is decoded straight from the input bytes into an array the caller
 * owns. Nothing else is copied. Field names are not secret and are ordinary strings.
 *
 * <p>Error messages give a fixed phrase, a line and a column, never content.
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
    JsonReader json = object(utf8, what);
    Map<String, Field> fields = new LinkedHashMap<>();
    boolean complete = false;
    try {
      for (int m = json.firstMember(json.root()); m >= 0; m = json.nextMember(m)) {
        fields.put(json.name(m), read(json, json.memberValue(m)));
      }
      complete = true;
      return fields;
    } finally {
      if (!complete) {
        fields.values().forEach(JsonFields::wipe);
      }
    }
  }

  /**
   * The names of the top-level fields of a JSON object, decoding no value.
   *
   * @param utf8 the JSON bytes; read, not modified
   * @param what how to name the input in errors
   * @return the names in document order
   * @throws SecretFormatException if the input is not one JSON object, has a duplicate field, or
   *     is not well-formed
   */
  public static Set<String> names(byte[] utf8, String what) {
    JsonReader json = object(utf8, what);
    Set<String> names = new LinkedHashSet<>();
    for (int m = json.firstMember(json.root()); m >= 0; m = json.nextMember(m)) {
      names.add(json.name(m));
    }
    return names;
  }

  /**
   * Reads one top-level field of a JSON object, decoding nothing else.
   *
   * @param utf8 the JSON bytes; read, not modified
   * @param what how to name the input in errors
   * @param name the field
   * @return the field, its text owned by the caller; {@code null} if the object has no such field
   * @throws SecretFormatException if the input is not one JSON object, has a duplicate field, or
   *     is not well-formed
   */
  public static @Nullable Field field(byte[] utf8, String what, String name) {
    JsonReader json = object(utf8, what);
    int at = json.field(json.root(), name);
    return at < 0 ? null : read(json, at);
  }

  /**
   * {@link #field} of a secret's value, its errors naming the secret; the name for errors is
   * made only for an error.
   *
   * @param utf8 the value's UTF-8 bytes; read, not modified
   * @param secretName the secret's name, for errors
   * @param name the field
   * @return the field, or {@code null} if absent
   * @throws SecretFormatException if the value is not a well-formed JSON object without duplicates
   */
  public static @Nullable Field fieldOfSecret(byte[] utf8, String secretName, String name) {
    JsonReader json = objectOfSecret(utf8, secretName);
    int at = json.field(json.root(), name);
    return at < 0 ? null : read(json, at);
  }

  /**
   * Checks that a secret's value is one JSON object without duplicate names and returns a reader
   * over it, its errors naming the secret; the name for errors is made only for an error.
   *
   * @param utf8 the value's UTF-8 bytes; read, not modified
   * @param secretName the secret's name, for errors
   * @return the reader, whose root is the object
   * @throws SecretFormatException if the value is not a well-formed JSON object without duplicates
   */
  public static JsonReader objectOfSecret(byte[] utf8, String secretName) {
    try {
      return object(utf8, PENDING);
    } catch (SecretFormatException e) {
      String m = String.valueOf(e.getMessage());
      throw new SecretFormatException("secret '" + secretName + "'"
          + (m.startsWith(PENDING) ? m.substring(PENDING.length()) : ": " + m));
    }
  }

  /** Stands for the secret's name in errors until one is thrown. */
  private static final String PENDING = "secret";

  private static JsonReader object(byte[] utf8, String what) {
    if (JsonReader.isBlank(utf8, 0, utf8.length)) {
      throw new SecretFormatException(what + ": value is not a JSON object");
    }
    JsonReader json = JsonReader.parse(utf8, what, null);
    if (json.kind(json.root()) != JsonReader.OBJECT) {
      throw new SecretFormatException(what + ": value is not a JSON object");
    }
    return json;
  }

  private static Field read(JsonReader json, int at) {
    switch (json.kind(at)) {
      case JsonReader.STRING:
        return new Field(Kind.SCALAR, json.chars(at));
      case JsonReader.NUMBER:
        return new Field(Kind.SCALAR, json.rawChars(at));
      case JsonReader.TRUE:
        return new Field(Kind.SCALAR, new char[] {'t', 'r', 'u', 'e'});
      case JsonReader.FALSE:
        return new Field(Kind.SCALAR, new char[] {'f', 'a', 'l', 's', 'e'});
      case JsonReader.NULL:
        return new Field(Kind.NULL, null);
      default:
        return new Field(Kind.NESTED, null);
    }
  }

  private static void wipe(Field field) {
    if (field.text() != null) {
      Arrays.fill(field.text(), '\0');
    }
  }
}
