package io.secretsdk.vault.internal;

import java.util.Arrays;

/**
 * Writes a flat JSON object into a {@code byte[]}, for request bodies that may carry secrets
 * (AppRole {@code secret_id}, a JWT): no {@link String} is made of a value, and every buffer
 * outgrown is wiped. The caller wipes {@link #toBytes()}'s result once the request is done.
 */
public final class JsonBody {
  private byte[] buf = new byte[128];
  private int n;
  private boolean first = true;

  /** Starts an empty object. */
  public JsonBody() {
    put((byte) '{');
  }

  /**
   * Adds a string field from text that is not secret.
   *
   * @param name the field name
   * @param value the value
   * @return this
   */
  public JsonBody field(String name, String value) {
    name(name);
    char[] chars = value.toCharArray();
    string(chars, 0, chars.length);
    return this;
  }

  /**
   * Adds a string field from secret text; the caller keeps and wipes {@code value}.
   *
   * @param name the field name
   * @param value the value
   * @return this
   */
  public JsonBody field(String name, char[] value) {
    name(name);
    string(value, 0, value.length);
    return this;
  }

  /**
   * Adds a string field from secret UTF-8 bytes (e.g. a file's content), escaping as needed; the
   * caller keeps and wipes {@code utf8}. Leading and trailing ASCII white space is left out.
   *
   * @param name the field name
   * @param utf8 the value, well-formed UTF-8
   * @return this
   */
  public JsonBody fieldUtf8Trimmed(String name, byte[] utf8) {
    name(name);
    int from = 0;
    int to = utf8.length;
    while (from < to && isSpace(utf8[from])) {
      from++;
    }
    while (to > from && isSpace(utf8[to - 1])) {
      to--;
    }
    put((byte) '"');
    for (int i = from; i < to; i++) {
      byte b = utf8[i];
      if (b == '"' || b == '\\' || (b >= 0 && b < 0x20)) {
        escape(b & 0xFF);
      } else {
        put(b);
      }
    }
    put((byte) '"');
    return this;
  }

  /**
   * Adds an integer field.
   *
   * @param name the field name
   * @param value the value
   * @return this
   */
  public JsonBody field(String name, long value) {
    name(name);
    for (char c : Long.toString(value).toCharArray()) {
      put((byte) c);
    }
    return this;
  }

  /**
   * Closes the object and hands over the bytes.
   *
   * @return a new array the caller owns and wipes; this writer's buffer is wiped
   */
  public byte[] toBytes() {
    put((byte) '}');
    byte[] out = Arrays.copyOf(buf, n);
    Arrays.fill(buf, (byte) 0);
    n = 0;
    return out;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private void name(String name) {
    if (!first) {
      put((byte) ',');
    }
    first = false;
    char[] chars = name.toCharArray();
    string(chars, 0, chars.length);
    put((byte) ':');
  }

  private void string(char[] s, int from, int to) {
    put((byte) '"');
    for (int i = from; i < to; i++) {
      char c = s[i];
      if (c == '"' || c == '\\' || c < 0x20) {
        escape(c);
      } else if (c < 0x80) {
        put((byte) c);
      } else if (c < 0x800) {
        put((byte) (0xC0 | (c >> 6)));
        put((byte) (0x80 | (c & 0x3F)));
      } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s[i + 1])) {
        int cp = Character.toCodePoint(c, s[++i]);
        put((byte) (0xF0 | (cp >> 18)));
        put((byte) (0x80 | ((cp >> 12) & 0x3F)));
        put((byte) (0x80 | ((cp >> 6) & 0x3F)));
        put((byte) (0x80 | (cp & 0x3F)));
      } else if (Character.isSurrogate(c)) {
        // An unpaired surrogate has no UTF-8 form: write it as an escape, as JSON allows.
        escape(c);
      } else {
        put((byte) (0xE0 | (c >> 12)));
        put((byte) (0x80 | ((c >> 6) & 0x3F)));
        put((byte) (0x80 | (c & 0x3F)));
      }
    }
    put((byte) '"');
  }

  private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

  private void escape(int c) {
    put((byte) '\\');
    if (c == '"' || c == '\\') {
      put((byte) c);
      return;
    }
    put((byte) 'u');
    put(HEX[(c >> 12) & 0xF]);
    put(HEX[(c >> 8) & 0xF]);
    put(HEX[(c >> 4) & 0xF]);
    put(HEX[c & 0xF]);
  }

  private void put(byte b) {
    if (n == buf.length) {
      byte[] bigger = Arrays.copyOf(buf, buf.length * 2);
      Arrays.fill(buf, (byte) 0);
      buf = bigger;
    }
    buf[n++] = b;
  }
}
