package io.secretsdk.vault.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretRef;
import io.secretsdk.internal.JsonStrings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A Vault response as a tree of byte offsets into the response body, so that no string value is
 * decoded until the caller decides how: as a {@code char[]} for a secret, or as a {@link String}
 * for metadata.
 *
 * <p>Jackson's streaming parser checks the structure and finds the tokens; it skips string tokens
 * without decoding them (nobody asks for their text), and each string is decoded here, from the
 * body bytes, by {@link JsonStrings#decode}. Numbers, which Jackson copies into its own buffer,
 * are parsed and wiped out of that buffer at once. Field-name canonicalization stays on: without
 * it Jackson would read the bytes through a decoding {@code Reader} that copies every value.
 *
 * <p>A tree is only valid while its body is: the caller parses, extracts, then wipes the body.
 * Errors carry a line and column, never content.
 */
public final class Json {
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .recyclerPool(JsonRecyclerPools.nonRecyclingPool())
          .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  private Json() {}

  /** A JSON value located in a body. */
  public abstract static sealed class Node permits Obj, Arr, Str, Num, Bool, Null {
    final int start;

    Node(int start) {
      this.start = start;
    }
  }

  /**
   * An object: fields in document order, and where it starts and ends in the body. Held in two
   * parallel arrays (Vault's objects are small; lookups are linear).
   */
  public static final class Obj extends Node {
    final String[] names;
    final Node[] values;
    final int size;
    final int end;

    Obj(int start, int end, String[] names, Node[] values, int size) {
      super(start);
      this.end = end;
      this.names = names;
      this.values = values;
      this.size = size;
    }

    /**
     * A field.
     *
     * @param name the field's name
     * @return the field's value, or {@code null} if absent
     */
    public @Nullable Node get(String name) {
      for (int i = 0; i < size; i++) {
        if (names[i].equals(name)) {
          return values[i];
        }
      }
      return null;
    }

    /**
     * The field names, in document order.
     *
     * @return the names
     */
    public List<String> names() {
      return Arrays.asList(names).subList(0, size);
    }

    /**
     * Copies this object's exact bytes (a well-formed JSON object) out of the body.
     *
     * @param body the body the tree was parsed from
     * @return a new array the caller owns and wipes
     */
    public byte[] copyBytes(byte[] body) {
      return Arrays.copyOfRange(body, start, end + 1);
    }
  }

  /** An array. */
  public static final class Arr extends Node {
    final List<Node> items;

    Arr(int start, List<Node> items) {
      super(start);
      this.items = items;
    }

    /**
     * The items.
     *
     * @return the items in order
     */
    public List<Node> items() {
      return items;
    }
  }

  /** A string, not yet decoded: {@code start} is the offset of its opening quote. */
  public static final class Str extends Node {
    Str(int start) {
      super(start);
    }

    /**
     * Decodes into an array the caller owns and wipes; for secrets.
     *
     * @param body the body
     * @param what how to name the input in errors
     * @return the characters
     */
    public char[] chars(byte[] body, String what) {
      return JsonStrings.decode(body, start, what);
    }

    /**
     * Decodes into a String; only for values that are never secret (names, dates, ids).
     *
     * @param body the body
     * @param what how to name the input in errors
     * @return the text
     */
    public String text(byte[] body, String what) {
      char[] chars = JsonStrings.decode(body, start, what);
      try {
        return new String(chars);
      } finally {
        Arrays.fill(chars, '\0');
      }
    }
  }

  /** A number: its value when it is an integer that fits in a long. */
  public static final class Num extends Node {
    final @Nullable Long value;

    Num(int start, @Nullable Long value) {
      super(start);
      this.value = value;
    }

    /**
     * The integer value.
     *
     * @return the value, or {@code null} for a fraction, an exponent or an overflow
     */
    public @Nullable Long value() {
      return value;
    }
  }

  /** {@code true} or {@code false}. */
  public static final class Bool extends Node {
    static final Bool TRUE = new Bool(-1, true);
    static final Bool FALSE = new Bool(-1, false);
    final boolean value;

    Bool(int start, boolean value) {
      super(start);
      this.value = value;
    }

    /**
     * The value.
     *
     * @return the boolean
     */
    public boolean value() {
      return value;
    }
  }

  /** {@code null}. */
  public static final class Null extends Node {
    static final Null NULL = new Null(-1);

    Null(int start) {
      super(start);
    }
  }

  /**
   * Parses a body that must be one JSON object.
   *
   * @param body the UTF-8 bytes; read, not modified
   * @param what how to name the input in errors, e.g. {@code "Vault's answer for 'secret/app'"}
   * @param ref the secret concerned, for the exception, or {@code null}
   * @return the top-level object
   * @throws SecretFormatException if the body is not one well-formed JSON object
   */
  public static Obj parse(byte[] body, String what, @Nullable SecretRef ref) {
    try (JsonParser parser = FACTORY.createParser(body)) {
      JsonToken first = next(parser, what, ref);
      if (first != JsonToken.START_OBJECT) {
        throw new SecretFormatException(what + " is not a JSON object", ref);
      }
      Obj root = (Obj) value(parser, first, body, what, ref);
      if (next(parser, what, ref) != null) {
        throw new SecretFormatException(what + " has content after its JSON object", ref);
      }
      return root;
    } catch (IOException e) {
      throw new SecretFormatException(what + " could not be read as JSON", ref);
    }
  }

  private static Node value(JsonParser p, @Nullable JsonToken token, byte[] body, String what, @Nullable SecretRef ref)
      throws IOException {
    if (token == null) {
      throw new SecretFormatException(what + " is truncated JSON", ref);
    }
    int start = offset(p, body, what, ref);
    switch (token) {
      case START_OBJECT: {
        String[] names = new String[8];
        Node[] values = new Node[8];
        Set<String> seen = null;
        int size = 0;
        while (true) {
          JsonToken t = next(p, what, ref);
          if (t == JsonToken.END_OBJECT) {
            return new Obj(start, offset(p, body, what, ref), names, values, size);
          }
          if (t != JsonToken.FIELD_NAME) {
            throw malformed(what, ref, p.currentTokenLocation());
          }
          String name = p.currentName();
          Node v = value(p, next(p, what, ref), body, what, ref);
          boolean duplicate;
          if (size < 16) {
            duplicate = false;
            for (int i = 0; i < size && !duplicate; i++) {
              duplicate = names[i].equals(name);
            }
          } else {
            if (seen == null) {
              seen = new HashSet<>(Arrays.asList(names).subList(0, size));
            }
            duplicate = !seen.add(name);
          }
          if (duplicate) {
            throw new SecretFormatException(what + " has the field '" + name + "' twice", ref);
          }
          if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
            values = Arrays.copyOf(values, size * 2);
          }
          if (seen != null) {
            seen.add(name);
          }
          names[size] = name;
          values[size++] = v;
        }
      }
      case START_ARRAY: {
        List<Node> items = new ArrayList<>();
        while (true) {
          JsonToken t = next(p, what, ref);
          if (t == JsonToken.END_ARRAY) {
            return new Arr(start, items);
          }
          items.add(value(p, t, body, what, ref));
        }
      }
      case VALUE_STRING:
        if (body[start] != '"') {
          throw malformed(what, ref, p.currentTokenLocation());
        }
        return new Str(start);
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return new Num(start, number(p, token == JsonToken.VALUE_NUMBER_INT));
      case VALUE_TRUE:
        return Bool.TRUE;
      case VALUE_FALSE:
        return Bool.FALSE;
      case VALUE_NULL:
        return Null.NULL;
      default:
        throw malformed(what, ref, p.currentTokenLocation());
    }
  }

  private static int offset(JsonParser p, byte[] body, String what, @Nullable SecretRef ref) {
    long offset = p.currentTokenLocation().getByteOffset();
    if (offset < 0 || offset >= body.length) {
      throw malformed(what, ref, p.currentTokenLocation());
    }
    return (int) offset;
  }

  /** Parses an integer from Jackson's text buffer, then wipes that buffer. */
  private static @Nullable Long number(JsonParser p, boolean integral) throws IOException {
    char[] buffer = p.getTextCharacters();
    int from = p.getTextOffset();
    int length = p.getTextLength();
    try {
      // At most 18 digits (and a sign): always fits in a long.
      if (!integral || length == 0 || length > 19 || (length == 19 && buffer[from] != '-')) {
        return null;
      }
      long v = 0;
      int i = from;
      boolean negative = buffer[i] == '-';
      if (negative) {
        i++;
      }
      for (; i < from + length; i++) {
        int d = buffer[i] - '0';
        if (d < 0 || d > 9) {
          return null;
        }
        v = v * 10 + d;
      }
      return negative ? -v : v;
    } finally {
      Arrays.fill(buffer, from, from + length, '\0');
    }
  }

  private static @Nullable JsonToken next(JsonParser p, String what, @Nullable SecretRef ref) {
    try {
      return p.nextToken();
    } catch (IOException | RuntimeException e) {
      // Jackson's messages quote the input: keep only the position.
      throw malformed(what, ref, p.currentLocation());
    }
  }

  private static SecretFormatException malformed(String what, @Nullable SecretRef ref, JsonLocation at) {
    return new SecretFormatException(
        what + " is not well-formed JSON (near line " + at.getLineNr() + ", column " + at.getColumnNr() + ")", ref);
  }

  // ---- typed access, each with a clear error naming the field ----

  /**
   * An optional object field.
   *
   * @param o the object
   * @param name the field
   * @param what names the input in errors
   * @param ref the secret concerned, or {@code null}
   * @return the object, or {@code null} if absent or JSON null
   */
  public static @Nullable Obj obj(Obj o, String name, String what, @Nullable SecretRef ref) {
    Node n = o.get(name);
    if (n == null || n instanceof Null) {
      return null;
    }
    if (!(n instanceof Obj)) {
      throw new SecretFormatException(what + ": '" + name + "' is not a JSON object", ref);
    }
    return (Obj) n;
  }

  /**
   * An optional string field.
   *
   * @param o the object
   * @param name the field
   * @param what names the input in errors
   * @param ref the secret concerned, or {@code null}
   * @return the string node, or {@code null} if absent or JSON null
   */
  public static @Nullable Str str(Obj o, String name, String what, @Nullable SecretRef ref) {
    Node n = o.get(name);
    if (n == null || n instanceof Null) {
      return null;
    }
    if (!(n instanceof Str)) {
      throw new SecretFormatException(what + ": '" + name + "' is not a string", ref);
    }
    return (Str) n;
  }

  /**
   * An optional non-secret string field, decoded.
   *
   * @param o the object
   * @param name the field
   * @param body the body
   * @param what names the input in errors
   * @param ref the secret concerned, or {@code null}
   * @return the text, or {@code null} if absent or JSON null
   */
  public static @Nullable String text(Obj o, String name, byte[] body, String what, @Nullable SecretRef ref) {
    Str s = str(o, name, what, ref);
    return s == null ? null : s.text(body, what);
  }

  /**
   * An optional integer field, also accepted as a string of digits (Vault writes some numbers
   * as strings).
   *
   * @param o the object
   * @param name the field
   * @param body the body
   * @param what names the input in errors
   * @param ref the secret concerned, or {@code null}
   * @return the value, or {@code null} if absent or JSON null
   */
  public static @Nullable Long integer(Obj o, String name, byte[] body, String what, @Nullable SecretRef ref) {
    Node n = o.get(name);
    if (n == null || n instanceof Null) {
      return null;
    }
    if (n instanceof Num && ((Num) n).value != null) {
      return ((Num) n).value;
    }
    if (n instanceof Str) {
      String s = ((Str) n).text(body, what);
      if (!s.isEmpty() && s.length() <= 18 && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Long.parseLong(s);
      }
    }
    throw new SecretFormatException(what + ": '" + name + "' is not an integer", ref);
  }

  /**
   * An optional boolean field.
   *
   * @param o the object
   * @param name the field
   * @param what names the input in errors
   * @param ref the secret concerned, or {@code null}
   * @return the value, or {@code null} if absent or JSON null
   */
  public static @Nullable Boolean bool(Obj o, String name, String what, @Nullable SecretRef ref) {
    Node n = o.get(name);
    if (n == null || n instanceof Null) {
      return null;
    }
    if (!(n instanceof Bool)) {
      throw new SecretFormatException(what + ": '" + name + "' is not a boolean", ref);
    }
    return ((Bool) n).value;
  }
}
