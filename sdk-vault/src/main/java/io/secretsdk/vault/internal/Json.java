package io.secretsdk.vault.internal;

import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretRef;
import io.secretsdk.internal.JsonReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A Vault answer as a small tree of typed views over sdk-api's {@link JsonReader}, for the login,
 * renewal and error paths, where the answer's shape is checked field by field. No string is
 * decoded until the caller decides how: as a {@code char[]} for a secret, or as a {@link String}
 * for metadata. (The hot read paths in {@link Responses} use the reader directly.)
 *
 * <p>A tree is only valid while its body is unchanged: the caller parses, extracts, then wipes
 * the body. Errors carry a fixed phrase, a line and a column, never content.
 */
public final class Json {
  private Json() {}

  /** A JSON value located in a body. */
  public abstract static sealed class Node permits Obj, Arr, Str, Num, Bool, Null {
    final JsonReader reader;
    final int at;

    Node(JsonReader reader, int at) {
      this.reader = reader;
      this.at = at;
    }
  }

  private static Node node(JsonReader r, int at) {
    switch (r.kind(at)) {
      case JsonReader.OBJECT:
        return new Obj(r, at);
      case JsonReader.ARRAY:
        return new Arr(r, at);
      case JsonReader.STRING:
        return new Str(r, at);
      case JsonReader.NUMBER:
        return new Num(r, at);
      case JsonReader.TRUE:
      case JsonReader.FALSE:
        return new Bool(r, at);
      default:
        return new Null(r, at);
    }
  }

  /** An object. */
  public static final class Obj extends Node {
    Obj(JsonReader reader, int at) {
      super(reader, at);
    }

    /**
     * A field.
     *
     * @param name the field's name
     * @return the field's value, or {@code null} if absent
     */
    public @Nullable Node get(String name) {
      int v = reader.field(at, name);
      return v < 0 ? null : node(reader, v);
    }

    /**
     * The field names, in document order.
     *
     * @return the names
     */
    public List<String> names() {
      List<String> names = new ArrayList<>();
      for (int m = reader.firstMember(at); m >= 0; m = reader.nextMember(m)) {
        names.add(reader.name(m));
      }
      return Collections.unmodifiableList(names);
    }

    /**
     * Copies this object's exact bytes (a well-formed JSON object) out of the body.
     *
     * @param body the body the tree was parsed from
     * @return a new array the caller owns and wipes
     */
    public byte[] copyBytes(byte[] body) {
      return reader.rawBytes(at);
    }
  }

  /** An array. */
  public static final class Arr extends Node {
    Arr(JsonReader reader, int at) {
      super(reader, at);
    }

    /**
     * The items.
     *
     * @return the items in order
     */
    public List<Node> items() {
      List<Node> items = new ArrayList<>();
      for (int i = reader.firstItem(at); i >= 0; i = reader.nextItem(i)) {
        items.add(node(reader, i));
      }
      return Collections.unmodifiableList(items);
    }
  }

  /** A string, not yet decoded. */
  public static final class Str extends Node {
    Str(JsonReader reader, int at) {
      super(reader, at);
    }

    /**
     * Decodes into an array the caller owns and wipes; for secrets.
     *
     * @param body the body
     * @param what how to name the input in errors
     * @return the characters
     */
    public char[] chars(byte[] body, String what) {
      return reader.chars(at);
    }

    /**
     * Decodes into a String; only for values that are never secret (names, dates, ids).
     *
     * @param body the body
     * @param what how to name the input in errors
     * @return the text
     */
    public String text(byte[] body, String what) {
      return reader.text(at);
    }
  }

  /** A number. */
  public static final class Num extends Node {
    Num(JsonReader reader, int at) {
      super(reader, at);
    }

    /**
     * The integer value.
     *
     * @return the value, or {@code null} for a fraction, an exponent or an overflow
     */
    public @Nullable Long value() {
      return reader.integer(at);
    }
  }

  /** {@code true} or {@code false}. */
  public static final class Bool extends Node {
    Bool(JsonReader reader, int at) {
      super(reader, at);
    }

    /**
     * The value.
     *
     * @return the boolean
     */
    public boolean value() {
      return reader.kind(at) == JsonReader.TRUE;
    }
  }

  /** {@code null}. */
  public static final class Null extends Node {
    Null(JsonReader reader, int at) {
      super(reader, at);
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
    JsonReader r = object(body, what, ref);
    return new Obj(r, r.root());
  }

  /**
   * Checks a body that must be one JSON object and returns the reader over it.
   *
   * @param body the UTF-8 bytes; read, not modified
   * @param what how to name the input in errors
   * @param ref the secret concerned, for the exception, or {@code null}
   * @return the reader; its root is an object
   * @throws SecretFormatException if the body is not one well-formed JSON object
   */
  public static JsonReader object(byte[] body, String what, @Nullable SecretRef ref) {
    return object(body, what, ref, null);
  }

  /**
   * {@link #object(byte[], String, SecretRef)}, finding the members at {@code paths} in the same
   * pass ({@link JsonReader#found}).
   *
   * @param body the UTF-8 bytes; read, not modified
   * @param what how to name the input in errors
   * @param ref the secret concerned, for the exception, or {@code null}
   * @param paths the members to find, or {@code null} for none
   * @return the reader; its root is an object
   * @throws SecretFormatException if the body is not one well-formed JSON object
   */
  public static JsonReader object(byte[] body, String what, @Nullable SecretRef ref, JsonReader.@Nullable Paths paths) {
    if (JsonReader.isBlank(body, 0, body.length)) {
      throw new SecretFormatException(what + " is empty, not a JSON object", ref);
    }
    JsonReader r = paths == null ? JsonReader.parse(body, what, ref) : JsonReader.parse(body, what, ref, paths);
    if (r.kind(r.root()) != JsonReader.OBJECT) {
      throw new SecretFormatException(what + " is not a JSON object", ref);
    }
    return r;
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
    Long v = n instanceof Num ? ((Num) n).value() : n instanceof Str ? n.reader.digits(n.at) : null;
    if (v == null) {
      throw new SecretFormatException(what + ": '" + name + "' is not an integer", ref);
    }
    return v;
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
    return ((Bool) n).value();
  }
}
