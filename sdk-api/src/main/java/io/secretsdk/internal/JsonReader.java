package io.secretsdk.internal;

import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretRef;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * secretsdk's one JSON reader, for every module that must read a secret out of JSON without ever
 * making a {@link String} of it (a Vault answer, a GCP or Azure payload, a secret's own fields).
 *
 * <p>{@link #parse} checks the whole document once, strictly (RFC 8259: structure, number
 * grammar, escapes, well-formed UTF-8, no duplicate field name in any object, nesting at most
 * {@value #MAX_DEPTH} deep) and copies nothing. Values are then addressed by their byte offset in
 * the input and decoded only when, and as, the caller asks: a string into a {@code char[]} the
 * caller owns (for secrets) or a {@code String} (for names, dates and ids), a number straight from
 * its digits, an object or array as its exact bytes or characters. No buffer is shared between
 * parses and none outlives one, so nothing has to be recycled or wiped but what the caller takes.
 *
 * <p>A reader is valid only while its input is unchanged: parse, extract, then wipe the input.
 *
 * <p>Errors are {@link SecretFormatException}s with a fixed phrase, a line and a column (both
 * 1-based, the column counted in bytes); they never quote the input, not even a field name.
 */
public final class JsonReader {
  /** {@link #kind} of an object. */
  public static final int OBJECT = 1;
  /** {@link #kind} of an array. */
  public static final int ARRAY = 2;
  /** {@link #kind} of a string. */
  public static final int STRING = 3;
  /** {@link #kind} of a number. */
  public static final int NUMBER = 4;
  /** {@link #kind} of {@code true}. */
  public static final int TRUE = 5;
  /** {@link #kind} of {@code false}. */
  public static final int FALSE = 6;
  /** {@link #kind} of {@code null}. */
  public static final int NULL = 7;

  /** The deepest nesting of objects and arrays accepted. */
  public static final int MAX_DEPTH = 256;

  /** Objects with more fields than this check duplicates with a set of names. */
  private static final int BLOOM_NAMES = 16;

  private final byte[] in;
  private final int from;
  private final int to;
  private final String what;
  private final @Nullable SecretRef ref;
  private int root;

  // Validation state: whether the last string read held an escape; whether any byte is not ASCII.
  private boolean lastStringEscaped;
  private boolean nonAscii;

  // Where the members of {@link Paths} given to parse were found: start and end of each, or -1.
  private int @Nullable [] found;

  private JsonReader(byte[] in, int from, int to, String what, @Nullable SecretRef ref) {
    this.in = in;
    this.from = from;
    this.to = to;
    this.what = what;
    this.ref = ref;
  }

  /**
   * Checks a whole document and returns a reader over it.
   *
   * @param in the UTF-8 bytes; read, never modified
   * @param what how to name the input in errors, e.g. {@code "Vault's answer for 'app'"}
   * @param ref the secret concerned, for the exception, or {@code null}
   * @return a reader whose {@link #root()} is the document's one value
   * @throws SecretFormatException if the input is not exactly one well-formed JSON value
   */
  public static JsonReader parse(byte[] in, String what, @Nullable SecretRef ref) {
    return parse(in, 0, in.length, what, ref);
  }

  /**
   * Checks the document in {@code in[from, to)} and returns a reader over it.
   *
   * @param in the UTF-8 bytes; read, never modified
   * @param from where the document starts
   * @param to where it ends (exclusive)
   * @param what how to name the input in errors
   * @param ref the secret concerned, for the exception, or {@code null}
   * @return a reader whose {@link #root()} is the document's one value
   * @throws SecretFormatException if the range is not exactly one well-formed JSON value
   */
  public static JsonReader parse(byte[] in, int from, int to, String what, @Nullable SecretRef ref) {
    return parse(in, from, to, what, ref, null);
  }

  /**
   * Checks a whole document and, in the same pass, finds the members at the given paths, so that
   * the caller reads them without searching: {@link #found(int)} and {@link #foundEnd(int)}.
   *
   * @param in the UTF-8 bytes; read, never modified
   * @param what how to name the input in errors
   * @param ref the secret concerned, for the exception, or {@code null}
   * @param paths the members to find
   * @return a reader whose {@link #root()} is the document's one value
   * @throws SecretFormatException if the input is not exactly one well-formed JSON value
   */
  public static JsonReader parse(byte[] in, String what, @Nullable SecretRef ref, Paths paths) {
    return parse(in, 0, in.length, what, ref, Objects.requireNonNull(paths, "paths"));
  }

  private static JsonReader parse(
      byte[] in, int from, int to, String what, @Nullable SecretRef ref, @Nullable Paths paths) {
    Objects.checkFromToIndex(from, to, in.length);
    JsonReader r = new JsonReader(in, from, to, what, ref);
    Paths.Node node = null;
    if (paths != null) {
      int[] found = new int[2 * paths.count];
      Arrays.fill(found, -1);
      r.found = found;
      node = paths.root;
    }
    int p = r.ws(from);
    r.root = p;
    int end = r.ws(r.value(p, 0, node));
    if (end != to) {
      throw r.error(
          "unexpected content after the JSON " + (in[p] == '{' ? "object" : "value"), end);
    }
    return r;
  }

  /**
   * Whether {@code in[from, to)} holds nothing but JSON white space.
   *
   * @param in the bytes
   * @param from the start
   * @param to the end (exclusive)
   * @return {@code true} if there is no value at all
   */
  public static boolean isBlank(byte[] in, int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = in[i];
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  /**
   * The document's value.
   *
   * @return its offset
   */
  public int root() {
    return root;
  }

  /**
   * Where the member at one of the {@link Paths} given to {@link #parse(byte[], String, SecretRef,
   * Paths)} was found.
   *
   * @param path the path's index in {@link Paths#of}
   * @return the offset of the member's value, or {@code -1} if the document has no such member
   *     (or something on the way to it is not an object)
   * @throws IllegalStateException if the reader was made without paths
   */
  public int found(int path) {
    return found()[2 * path];
  }

  /**
   * Where the value of a found member ends.
   *
   * @param path the path's index in {@link Paths#of}
   * @return the offset just past the member's value, or {@code -1} if it was not found
   * @throws IllegalStateException if the reader was made without paths
   */
  public int foundEnd(int path) {
    return found()[2 * path + 1];
  }

  private int[] found() {
    int[] f = found;
    if (f == null) {
      throw new IllegalStateException("this reader was made without paths to find");
    }
    return f;
  }

  /**
   * Whether the whole document is ASCII: then each byte of it is one char.
   *
   * @return {@code true} if no byte of the document is above 0x7F
   */
  public boolean isAscii() {
    return !nonAscii;
  }

  /**
   * What the value at an offset is.
   *
   * @param at a value's offset
   * @return one of {@link #OBJECT}, {@link #ARRAY}, {@link #STRING}, {@link #NUMBER}, {@link
   *     #TRUE}, {@link #FALSE}, {@link #NULL}
   */
  public int kind(int at) {
    switch (in[at]) {
      case '{':
        return OBJECT;
      case '[':
        return ARRAY;
      case '"':
        return STRING;
      case 't':
        return TRUE;
      case 'f':
        return FALSE;
      case 'n':
        return NULL;
      default:
        return NUMBER;
    }
  }

  /**
   * A field of an object.
   *
   * @param object an object's offset
   * @param name the field's name
   * @return the offset of the field's value, or {@code -1} if the object has no such field
   */
  public int field(int object, String name) {
    for (int m = firstMember(object); m >= 0; m = nextMember(m)) {
      if (nameEquals(m, name)) {
        return memberValue(m);
      }
    }
    return -1;
  }

  /**
   * The first field of an object.
   *
   * @param object an object's offset
   * @return the offset of the first field's name, or {@code -1} if the object is empty
   */
  public int firstMember(int object) {
    int p = ws(object + 1);
    return in[p] == '}' ? -1 : p;
  }

  /**
   * The value of a field.
   *
   * @param member the offset of the field's name
   * @return the offset of its value
   */
  public int memberValue(int member) {
    // After the name: white space, the colon, white space.
    return ws(ws(skipString(member)) + 1);
  }

  /**
   * The next field of the same object.
   *
   * @param member the offset of a field's name
   * @return the offset of the next field's name, or {@code -1} after the last
   */
  public int nextMember(int member) {
    int p = ws(end(memberValue(member)));
    return in[p] == ',' ? ws(p + 1) : -1;
  }

  /**
   * A field's name; names are never secret.
   *
   * @param member the offset of a field's name
   * @return the name
   */
  public String name(int member) {
    return text(member);
  }

  /**
   * Whether a field's name is {@code name}, without decoding it when it holds no escape.
   *
   * @param member the offset of a field's name
   * @param name the name to compare with
   * @return {@code true} if they are equal
   */
  public boolean nameEquals(int member, String name) {
    int len = name.length();
    int p = member + 1;
    // While both sides are plain ASCII a byte is a char: the first plain difference, or the raw
    // name ending (or going on) where the other does not, settles it without decoding.
    for (int i = 0; i < len; i++) {
      char c = name.charAt(i);
      int b = in[p + i]; // the closing quote comes first, at the latest
      if (b == c && c < 0x80 && c != '\\' && c != '"') {
        continue;
      }
      if (b == '\\' || b < 0 || c >= 0x80) {
        return text(member).equals(name);
      }
      return false;
    }
    return in[p + len] == '"';
  }

  /**
   * The first item of an array.
   *
   * @param array an array's offset
   * @return the offset of the first item, or {@code -1} if the array is empty
   */
  public int firstItem(int array) {
    int p = ws(array + 1);
    return in[p] == ']' ? -1 : p;
  }

  /**
   * The next item of the same array.
   *
   * @param item an item's offset
   * @return the offset of the next item, or {@code -1} after the last
   */
  public int nextItem(int item) {
    int p = ws(end(item));
    return in[p] == ',' ? ws(p + 1) : -1;
  }

  /**
   * Where a value ends.
   *
   * @param at a value's offset
   * @return the offset just past it
   */
  public int end(int at) {
    return skipValueWithin(in, at, to); // never -1 on the checked document
  }


  /**
   * Decodes a string into an array the caller owns and wipes: for secrets.
   *
   * @param string a string's offset
   * @return the characters
   */
  public char[] chars(int string) {
    return JsonStrings.decode(in, string, what);
  }

  /**
   * Decodes a string into a {@link String}: only for text that is never secret (names, dates, ids).
   *
   * @param string a string's offset
   * @return the text
   */
  public String text(int string) {
    int i = string + 1;
    while (in[i] >= 0x20 && in[i] != '"' && in[i] != '\\') {
      i++;
    }
    if (in[i] == '"') { // plain ASCII: no escape to undo
      return new String(in, string + 1, i - string - 1, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    char[] chars = JsonStrings.decode(in, string, what);
    try {
      return new String(chars);
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  /**
   * A view of a string's characters without decoding or copying them, when the string is plain
   * ASCII without escapes (timestamps, ids): for text that is never secret.
   *
   * @param string a string's offset
   * @return the view, or {@code null} if the string holds an escape or a non-ASCII character
   */
  public @Nullable CharSequence asciiView(int string) {
    int i = string + 1;
    while (in[i] != '"') {
      if (in[i] < 0 || in[i] == '\\') {
        return null;
      }
      i++;
    }
    return new AsciiView(in, string + 1, i);
  }

  private static final class AsciiView implements CharSequence {
    private final byte[] in;
    private final int from;
    private final int to;

    AsciiView(byte[] in, int from, int to) {
      this.in = in;
      this.from = from;
      this.to = to;
    }

    @Override
    public int length() {
      return to - from;
    }

    @Override
    public char charAt(int index) {
      Objects.checkIndex(index, to - from);
      return (char) in[from + index];
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      Objects.checkFromToIndex(start, end, to - from);
      return new AsciiView(in, from + start, from + end);
    }

    @Override
    public String toString() {
      return new String(in, from, to - from, java.nio.charset.StandardCharsets.US_ASCII);
    }
  }

  /**
   * Decodes a value's exact text (for a string, its quotes and escapes as written) into an array
   * the caller owns and wipes.
   *
   * @param at a value's offset
   * @return the characters of the value's JSON text
   */
  public char[] rawChars(int at) {
    return Utf8.decode(in, at, end(at) - at);
  }

  /**
   * Copies a value's exact bytes.
   *
   * @param at a value's offset
   * @return a new array the caller owns and wipes
   */
  public byte[] rawBytes(int at) {
    return Arrays.copyOfRange(in, at, end(at));
  }

  /**
   * Copies a value's exact bytes when its end is known (from {@link #foundEnd}).
   *
   * @param at a value's offset
   * @param end the offset just past it
   * @return a new array the caller owns and wipes
   */
  public byte[] rawBytes(int at, int end) {
    return Arrays.copyOfRange(in, at, end);
  }

  /**
   * A number's value when it is an integer that fits in a {@code long}, read from its digits.
   *
   * @param number a number's offset
   * @return the value, or {@code null} for a fraction, an exponent or more than 18 digits
   */
  public @Nullable Long integer(int number) {
    int i = number;
    boolean negative = in[i] == '-';
    if (negative) {
      i++;
    }
    int end = end(number);
    if (end - i > 18 || end == i) {
      return null;
    }
    long v = 0;
    for (; i < end; i++) {
      int d = in[i] - '0';
      if (d < 0 || d > 9) {
        return null;
      }
      v = v * 10 + d;
    }
    return negative ? -v : v;
  }

  /**
   * A string's content when it is an integer of 1 to 18 digits (Vault writes some numbers as
   * strings).
   *
   * @param string a string's offset
   * @return the value, or {@code null} if the string is anything else
   */
  public @Nullable Long digits(int string) {
    long v = 0;
    int i = string + 1;
    for (; in[i] != '"'; i++) {
      int d = in[i] - '0';
      if (d < 0 || d > 9 || i - string > 18) {
        return null;
      }
      v = v * 10 + d;
    }
    return i == string + 1 ? null : v;
  }

  /**
   * Whether a string holds an escape.
   *
   * @param string a string's offset
   * @return {@code true} if its body has a backslash
   */
  public boolean hasEscape(int string) {
    for (int i = string + 1; in[i] != '"'; i++) {
      if (in[i] == '\\') {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a string is empty ({@code ""}).
   *
   * @param string a string's offset
   * @return {@code true} if it has no characters
   */
  public boolean isEmptyString(int string) {
    return in[string + 1] == '"';
  }

  /**
   * The error for a value the caller found to have the wrong shape, positioned at it.
   *
   * @param phrase a fixed phrase saying what is wrong, never content
   * @param at the value's offset
   * @return the exception to throw
   */
  public SecretFormatException shapeError(String phrase, int at) {
    return new SecretFormatException(what + ": " + phrase + " (" + position(at) + ")", ref);
  }

  /**
   * Members to find while a document is checked, by their paths of object field names ({@code
   * "data.metadata.version"}): {@link #parse(byte[], String, SecretRef, Paths)} records where each
   * is, so that reading them costs no search. Immutable; make one per shape of document, once.
   */
  public static final class Paths {
    final Node root;
    final int count;

    private Paths(Node root, int count) {
      this.root = root;
      this.count = count;
    }

    /**
     * Compiles paths; a path's index in the arguments is its number for {@link #found}.
     *
     * @param paths dotted paths of field names, each name printable ASCII without a dot, quote or
     *     backslash
     * @return the compiled paths
     * @throws IllegalArgumentException if a path is empty, repeated or holds such a character
     */
    public static Paths of(String... paths) {
      Builder root = new Builder();
      for (int i = 0; i < paths.length; i++) {
        Builder b = root;
        for (String name : paths[i].split("\\.", -1)) {
          if (name.isEmpty() || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7F && c != '"' && c != '\\')) {
            throw new IllegalArgumentException("not a path of plain field names: " + paths[i]);
          }
          b = b.children.computeIfAbsent(name, n -> new Builder());
        }
        if (b.slot >= 0) {
          throw new IllegalArgumentException("a path is given twice: " + paths[i]);
        }
        b.slot = i;
      }
      return new Paths(root.build(), paths.length);
    }

    private static final class Builder {
      final java.util.LinkedHashMap<String, Builder> children = new java.util.LinkedHashMap<>();
      int slot = -1;

      Node build() {
        int n = children.size();
        String[] names = new String[n];
        byte[][] raw = new byte[n][];
        int[] slots = new int[n];
        Node[] nodes = new Node[n];
        int k = 0;
        for (java.util.Map.Entry<String, Builder> e : children.entrySet()) {
          names[k] = e.getKey();
          raw[k] = e.getKey().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
          slots[k] = e.getValue().slot;
          nodes[k] = e.getValue().children.isEmpty() ? null : e.getValue().build();
          k++;
        }
        return new Node(names, raw, slots, nodes);
      }
    }

    /** The fields looked for in one object: their names, path numbers (-1 for none) and deeper fields. */
    static final class Node {
      final String[] names;
      final byte[][] raw;
      final int[] slots;
      final @Nullable Node[] children;

      Node(String[] names, byte[][] raw, int[] slots, @Nullable Node[] children) {
        this.names = names;
        this.raw = raw;
        this.slots = slots;
        this.children = children;
      }

      /** Which of the names the checked name at {@code [name, end)} is, or -1. */
      int match(JsonReader r, int name, int end) {
        int len = end - name - 2;
        if (r.lastStringEscaped) {
          String text = r.text(name);
          for (int k = 0; k < names.length; k++) {
            if (names[k].equals(text)) {
              return k;
            }
          }
          return -1;
        }
        byte[] in = r.in;
        for (int k = 0; k < raw.length; k++) {
          byte[] want = raw[k];
          if (want.length == len && sameBytes(in, name + 1, want)) {
            return k;
          }
        }
        return -1;
      }

      /** Whether {@code in} holds {@code want} at {@code at} (the caller checked the bounds). */
      private static boolean sameBytes(byte[] in, int at, byte[] want) {
        for (int i = 0; i < want.length; i++) {
          if (in[at + i] != want[i]) {
            return false;
          }
        }
        return true;
      }
    }
  }

  /**
   * Finds a top-level member of a JSON object that {@link #parse} checked before, without checking
   * it again and without allocating: for a secret's value, read where it lies. Never throws and
   * never reads out of bounds, even if the bytes are zeroed while it runs (it then answers {@code
   * -2} or garbage offsets within the array; the caller checks that the value is still alive).
   *
   * @param in bytes holding one checked JSON object (white space around it allowed)
   * @param name the member's name
   * @return {@code -1} if there is no such member, {@code -2} if the bytes are not what was
   *     checked, else the value's offset in the high 32 bits and its end in the low 32 bits
   */
  public static long memberOfChecked(byte[] in, String name) {
    int to = in.length;
    int p = skipWs(in, 0, to);
    if (p >= to || in[p] != '{') {
      return -2;
    }
    p = skipWs(in, p + 1, to);
    if (p < to && in[p] == '}') {
      return -1;
    }
    while (p < to && in[p] == '"') {
      int nameEnd = skipStringWithin(in, p, to);
      if (nameEnd < 0) {
        return -2;
      }
      boolean match = checkedNameEquals(in, p, nameEnd, name);
      int q = skipWs(in, nameEnd, to);
      if (q >= to || in[q] != ':') {
        return -2;
      }
      int v = skipWs(in, q + 1, to);
      int vEnd = v < to ? skipValueWithin(in, v, to) : -1;
      if (vEnd < 0) {
        return -2;
      }
      if (match) {
        return ((long) v << 32) | vEnd;
      }
      p = skipWs(in, vEnd, to);
      if (p >= to) {
        return -2;
      }
      if (in[p] == '}') {
        return -1;
      }
      if (in[p] != ',') {
        return -2;
      }
      p = skipWs(in, p + 1, to);
    }
    return -2;
  }

  private static boolean checkedNameEquals(byte[] in, int at, int end, String name) {
    int len = name.length();
    int p = at + 1;
    for (int i = 0; ; i++) {
      if (p + i >= end - 1) { // the raw name ends: equal if the other does too
        return i == len;
      }
      int b = in[p + i];
      char c = i < len ? name.charAt(i) : 0;
      if (b == '\\' || b < 0 || c >= 0x80) {
        break; // decode to compare
      }
      if (i >= len || b != c) {
        return false;
      }
    }
    try {
      int n = JsonStrings.measureBody(in, p, end - 1);
      if (n != len) {
        return false;
      }
      char[] chars = new char[n];
      JsonStrings.decodeBody(in, p, end - 1, chars);
      boolean equal = name.contentEquals(java.nio.CharBuffer.wrap(chars));
      Arrays.fill(chars, '\0');
      return equal;
    } catch (RuntimeException e) {
      return false; // not what was checked: the caller finds the value destroyed
    }
  }

  private static int skipWs(byte[] in, int p, int to) {
    while (p < to) {
      byte b = in[p];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return p;
      }
      p++;
    }
    return p;
  }

  /** The end of the string at {@code at}, or -1 if it does not end before {@code to}. */
  private static int skipStringWithin(byte[] in, int at, int to) {
    for (int i = at + 1; i < to; ) {
      byte b = in[i];
      if (b == '"') {
        return i + 1;
      }
      i += b == '\\' ? 2 : 1;
    }
    return -1;
  }

  /** The end of the value at {@code at}, or -1 if it is not one that ends before {@code to}. */
  private static int skipValueWithin(byte[] in, int at, int to) {
    switch (in[at]) {
      case '"':
        return skipStringWithin(in, at, to);
      case '{':
      case '[':
        int depth = 0;
        for (int i = at; i < to; ) {
          byte b = in[i];
          if (b == '"') {
            i = skipStringWithin(in, i, to);
            if (i < 0) {
              return -1;
            }
            continue;
          }
          if (b == '{' || b == '[') {
            depth++;
          } else if ((b == '}' || b == ']') && --depth == 0) {
            return i + 1;
          }
          i++;
        }
        return -1;
      case 't':
      case 'n':
        return at + 4 <= to ? at + 4 : -1;
      case 'f':
        return at + 5 <= to ? at + 5 : -1;
      default:
        if (!isNumberByte(in[at])) {
          return -1;
        }
        int i = at + 1;
        while (i < to && isNumberByte(in[i])) {
          i++;
        }
        return i;
    }
  }

  // ---------------------------------------------------------------- validation

  private int value(int p, int depth, Paths.@Nullable Node node) {
    if (p >= to) {
      throw error("the JSON text ends early", p);
    }
    switch (in[p]) {
      case '{':
        return object(p, depth + 1, node);
      case '[':
        return array(p, depth + 1);
      case '"':
        return string(p);
      case 't':
        return literal(p, 't', 'r', 'u', 'e');
      case 'f':
        if (p + 4 < to && in[p + 4] == 'e') {
          return literal(p, 'f', 'a', 'l', 's') + 1;
        }
        throw error("an unknown word", p);
      case 'n':
        return literal(p, 'n', 'u', 'l', 'l');
      default:
        return number(p);
    }
  }

  private int literal(int p, char a, char b, char c, char d) {
    if (p + 3 < to && in[p] == a && in[p + 1] == b && in[p + 2] == c && in[p + 3] == d) {
      return p + 4;
    }
    throw error("an unknown word", p);
  }

  private int object(int start, int depth, Paths.@Nullable Node node) {
    if (depth > MAX_DEPTH) {
      throw error("objects and arrays nested too deeply", start);
    }
    int p = ws(start + 1);
    if (p < to && in[p] == '}') {
      return p + 1;
    }
    // Duplicate names: small objects of unescaped names keep a Bloom filter (two 64-bit words) of
    // name hashes and compare bytes only on a hit, allocating nothing; others keep a set of names.
    long bloomA = 0;
    long bloomB = 0;
    int count = 0;
    Set<String> seen = null;
    while (true) {
      if (p >= to) {
        throw error("the JSON text ends early", p);
      }
      if (in[p] != '"') {
        throw error("a field name is expected", p);
      }
      int nameEnd = string(p);
      count++;
      if (seen == null && (lastStringEscaped || count > BLOOM_NAMES)) {
        seen = new HashSet<>();
        for (int m = firstMember(start); m != p; m = nextMember(m)) {
          seen.add(text(m));
        }
      }
      if (seen != null) {
        if (!seen.add(text(p))) {
          throw error("a field name appears more than once", p);
        }
      } else {
        int h = rawHash(p, nameEnd);
        long bitA = 1L << (h >>> 26);
        long bitB = 1L << ((h >>> 20) & 63);
        if ((bloomA & bitA) != 0 && (bloomB & bitB) != 0 && occursBefore(start, p)) {
          throw error("a field name appears more than once", p);
        }
        bloomA |= bitA;
        bloomB |= bitB;
      }
      int slot = -1;
      Paths.Node next = null;
      if (node != null) {
        int k = node.match(this, p, nameEnd);
        if (k >= 0) {
          slot = node.slots[k];
          next = node.children[k];
        }
      }
      p = ws(nameEnd);
      if (p >= to) {
        throw error("the JSON text ends early", p);
      }
      if (in[p] != ':') {
        throw error("a colon is expected after a field name", p);
      }
      int v = ws(p + 1);
      int vEnd = value(v, depth, next);
      if (slot >= 0) {
        int[] f = Objects.requireNonNull(found);
        f[2 * slot] = v;
        f[2 * slot + 1] = vEnd;
      }
      p = ws(vEnd);
      if (p >= to) {
        throw error("the JSON text ends early", p);
      }
      if (in[p] == ',') {
        p = ws(p + 1);
      } else if (in[p] == '}') {
        return p + 1;
      } else {
        throw error("a comma or a closing brace is expected", p);
      }
    }
  }

  /**
   * A hash of a name's raw bytes for the Bloom filter: its length and five of its bytes, mixed by a
   * multiplication whose top bits give the filter its two bit positions. This tells apart the
   * names real documents hold at a fraction of the cost of hashing every byte; a false positive
   * only costs a comparison with the earlier names.
   */
  private int rawHash(int name, int end) {
    int len = end - name - 2;
    if (len == 0) {
      return 0;
    }
    int first = name + 1;
    int last = end - 2;
    int x = len * 31 + in[first];
    x = x * 31 + in[last];
    x = x * 31 + in[first + (len >> 1)];
    x = x * 31 + in[first + ((len - 1) >> 2)];
    x = x * 31 + in[last - ((len - 1) >> 2)];
    return x * 0x9E3779B9;
  }

  /** Whether an earlier field of the object (all unescaped) has the same name as {@code q}. */
  private boolean occursBefore(int object, int q) {
    for (int m = firstMember(object); m != q; m = nextMember(m)) {
      for (int i = 1; ; i++) {
        byte a = in[m + i];
        if (a != in[q + i]) {
          break;
        }
        if (a == '"') {
          return true;
        }
      }
    }
    return false;
  }

  private int array(int start, int depth) {
    if (depth > MAX_DEPTH) {
      throw error("objects and arrays nested too deeply", start);
    }
    int p = ws(start + 1);
    if (p < to && in[p] == ']') {
      return p + 1;
    }
    while (true) {
      p = ws(value(p, depth, null));
      if (p >= to) {
        throw error("the JSON text ends early", p);
      }
      if (in[p] == ',') {
        p = ws(p + 1);
      } else if (in[p] == ']') {
        return p + 1;
      } else {
        throw error("a comma or a closing bracket is expected", p);
      }
    }
  }

  /** Bytes a string may hold as they are: printable ASCII but the quote and the backslash. */
  private static final boolean[] PLAIN = new boolean[256];

  static {
    for (int b = 0x20; b < 0x80; b++) {
      PLAIN[b] = b != '"' && b != '\\';
    }
  }

  /** The first byte at or after {@code i} that is not plain string content (or {@code to}). */
  private int plainRun(int i) {
    byte[] in = this.in;
    int to = this.to;
    while (i < to && PLAIN[in[i] & 0xFF]) {
      i++;
    }
    return i;
  }

  private int string(int start) {
    boolean escaped = false;
    int i = start + 1;
    byte[] in = this.in;
    int to = this.to;
    while (true) {
      i = plainRun(i);
      if (i >= to) {
        throw error("a string is not terminated", start);
      }
      int b = in[i];
      if (b == '"') {
        lastStringEscaped = escaped;
        return i + 1;
      } else if (b == '\\') {
        escaped = true;
        i = escape(i);
      } else if (b < 0) {
        i = multiByte(i);
      } else {
        throw error("a string holds an unescaped control character", i);
      }
    }
  }

  private int escape(int i) {
    if (i + 1 >= to) {
      throw error("a string is not terminated", i);
    }
    switch (in[i + 1]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return i + 2;
      case 'u':
        for (int k = i + 2; k < i + 6; k++) {
          if (k >= to || Character.digit(in[k], 16) < 0) {
            throw error("a string holds an invalid \\u escape", i);
          }
        }
        return i + 6;
      default:
        throw error("a string holds an invalid escape", i);
    }
  }

  /** Checks one multi-byte UTF-8 sequence strictly; returns the offset after it. */
  private int multiByte(int i) {
    int n = Utf8.sequenceLength(in, i, to);
    if (n < 0) {
      throw error("a string is not well-formed UTF-8", i);
    }
    nonAscii = true;
    return i + n;
  }

  private int number(int start) {
    int i = start;
    if (i < to && in[i] == '-') {
      i++;
    }
    if (i >= to) {
      throw error("the JSON text ends early", i);
    }
    if (in[i] == '0') {
      i++;
    } else if (in[i] >= '1' && in[i] <= '9') {
      i = digitsFrom(i);
    } else {
      throw error(i == start ? "a value is expected" : "a number is malformed", i);
    }
    if (i < to && in[i] == '.') {
      int d = digitsFrom(i + 1);
      if (d == i + 1) {
        throw error("a number is malformed", i);
      }
      i = d;
    }
    if (i < to && (in[i] == 'e' || in[i] == 'E')) {
      int e = i + 1;
      if (e < to && (in[e] == '+' || in[e] == '-')) {
        e++;
      }
      int d = digitsFrom(e);
      if (d == e) {
        throw error("a number is malformed", i);
      }
      i = d;
    }
    return i;
  }

  private int digitsFrom(int i) {
    while (i < to && in[i] >= '0' && in[i] <= '9') {
      i++;
    }
    return i;
  }

  private int ws(int p) {
    return skipWs(in, p, to);
  }

  // ---------------------------------------------------------------- skipping (validated input)

  private int skipString(int at) {
    return skipStringWithin(in, at, to); // never -1 on the checked document
  }

  private static boolean isNumberByte(byte b) {
    return (b >= '0' && b <= '9') || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E';
  }

  // ---------------------------------------------------------------- errors

  private SecretFormatException error(String phrase, int at) {
    return new SecretFormatException(
        what + ": value is not well-formed JSON (" + phrase + ", " + position(at) + ")", ref);
  }

  private String position(int at) {
    int line = 1;
    int lineStart = from;
    int end = Math.min(at, to);
    for (int i = from; i < end; i++) {
      if (in[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return "line " + line + ", column " + (end - lineStart + 1);
  }
}
