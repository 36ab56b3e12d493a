package io.secretsdk.internal;

import io.secretsdk.SecretFormatException;

/**
 * Decodes one JSON string literal from UTF-8 bytes into a {@code char[]}: escapes, surrogate
 * pairs and strict UTF-8, with no {@link String} and no buffer but the one returned. The literal
 * is measured (and checked) first, then written into an array of exactly its decoded length.
 */
public final class JsonStrings {
  private JsonStrings() {}

  /**
   * Decodes the string literal whose opening quote is at {@code start}.
   *
   * @param in the UTF-8 bytes
   * @param start the index of the opening {@code "}
   * @param what how to name the input in errors
   * @return the decoded characters, owned by the caller
   * @throws SecretFormatException if the literal is malformed; the message holds no content
   */
  public static char[] decode(byte[] in, int start, String what) {
    if (start < 0 || start >= in.length || in[start] != '"') {
      throw error(what, "a string value does not start with a quote");
    }
    char[] out = new char[measure(in, start, what)];
    // Checked and measured: decoding exactly that many chars ends at the closing quote.
    decodeBody(in, start + 1, in.length, out);
    return out;
  }

  /**
   * The number of chars the body of a string literal checked before decodes to.
   *
   * @param in the UTF-8 bytes
   * @param from the first byte after the opening quote
   * @param to the closing quote
   * @return the decoded length
   */
  public static int measureBody(byte[] in, int from, int to) {
    int count = 0;
    for (int i = from; i < to; ) {
      int b = in[i];
      if (b == '\\') {
        i += i + 1 < to && in[i + 1] == 'u' ? 6 : 2;
        count++;
      } else if (b >= 0) {
        i++;
        count++;
      } else {
        int n = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;
        count += n == 4 ? 2 : 1;
        i += n;
      }
    }
    return count;
  }

  /**
   * Decodes the body of a string literal checked before into {@code out}, which has exactly the
   * decoded length ({@link #measureBody}). Never reads outside {@code in[from, to)} nor writes past
   * {@code out}, even if the input changed since it was checked (the output is then garbage the
   * caller discards).
   *
   * @param in the UTF-8 bytes
   * @param from the first byte after the opening quote
   * @param to the closing quote
   * @param out receives the chars
   */
  public static void decodeBody(byte[] in, int from, int to, char[] out) {
    int n = 0;
    int i = from;
    int size = out.length;
    while (i < to && n < size) {
      int b = in[i];
      if (b == '\\') {
        if (i + 1 >= to) {
          return;
        }
        int e = in[i + 1];
        i += 2;
        switch (e) {
          case '"': out[n++] = '"'; break;
          case '\\': out[n++] = '\\'; break;
          case '/': out[n++] = '/'; break;
          case 'b': out[n++] = '\b'; break;
          case 'f': out[n++] = '\f'; break;
          case 'n': out[n++] = '\n'; break;
          case 'r': out[n++] = '\r'; break;
          case 't': out[n++] = '\t'; break;
          default:
            if (i + 4 > to) {
              return;
            }
            out[n++] = (char) ((Character.digit(in[i], 16) << 12) | (Character.digit(in[i + 1], 16) << 8)
                | (Character.digit(in[i + 2], 16) << 4) | Character.digit(in[i + 3], 16));
            i += 4;
        }
      } else if (b >= 0) {
        out[n++] = (char) b;
        i++;
      } else if ((b & 0xE0) == 0xC0 && i + 1 < to) {
        out[n++] = (char) (((b & 0x1F) << 6) | (in[i + 1] & 0x3F));
        i += 2;
      } else if ((b & 0xF0) == 0xE0 && i + 2 < to) {
        out[n++] = (char) (((b & 0x0F) << 12) | ((in[i + 1] & 0x3F) << 6) | (in[i + 2] & 0x3F));
        i += 3;
      } else if (i + 3 < to && n + 1 < size) {
        int cp = ((b & 0x07) << 18) | ((in[i + 1] & 0x3F) << 12) | ((in[i + 2] & 0x3F) << 6)
            | (in[i + 3] & 0x3F);
        out[n++] = Character.highSurrogate(cp);
        out[n++] = Character.lowSurrogate(cp);
        i += 4;
      } else {
        return;
      }
    }
  }

  /** Checks the literal and counts the UTF-16 units it decodes to. */
  private static int measure(byte[] in, int start, String what) {
    int count = 0;
    int i = start + 1;
    while (true) {
      if (i >= in.length) {
        throw error(what, "a string value is not terminated");
      }
      int b = in[i];
      if (b == '"') {
        return count;
      }
      if (b == '\\') {
        if (i + 1 >= in.length) {
          throw error(what, "a string value ends inside an escape");
        }
        switch (in[i + 1]) {
          case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            i += 2;
            break;
          case 'u':
            if (i + 6 > in.length) {
              throw error(what, "a string value has a truncated \\u escape");
            }
            for (int k = i + 2; k < i + 6; k++) {
              if (in[k] < 0 || Character.digit(in[k], 16) < 0) {
                throw error(what, "a string value has an invalid \\u escape");
              }
            }
            i += 6;
            break;
          default:
            throw error(what, "a string value has an invalid escape");
        }
        count++;
      } else if (b >= 0x20) {
        count++;
        i++;
      } else if (b >= 0) {
        throw error(what, "a string value has an unescaped control character");
      } else {
        int n = Utf8.sequenceLength(in, i, in.length);
        if (n < 0) {
          throw error(what, "a string value is not well-formed UTF-8");
        }
        count += n == 4 ? 2 : 1;
        i += n;
      }
    }
  }

  private static SecretFormatException error(String what, String problem) {
    return new SecretFormatException(what + ": value is not well-formed JSON (" + problem + ")");
  }
}
