package io.secretsdk.internal;

import io.secretsdk.SecretFormatException;
import java.util.Arrays;

/**
 * Decodes one JSON string literal from UTF-8 bytes into a {@code char[]}: escapes, surrogate
 * pairs and strict UTF-8, with no {@link String} and no buffer but the one returned.
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
    if (start >= in.length || in[start] != '"') {
      throw error(what, "a string value does not start with a quote");
    }
    // A literal never decodes to more chars than it has bytes.
    char[] out = new char[Math.max(0, in.length - start)];
    int n = 0;
    int i = start + 1;
    try {
      while (true) {
        if (i >= in.length) {
          throw error(what, "a string value is not terminated");
        }
        int b = in[i] & 0xFF;
        if (b == '"') {
          return Utf8.exact(out, n);
        }
        if (b == '\\') {
          if (i + 1 >= in.length) {
            throw error(what, "a string value ends inside an escape");
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
            case 'u':
              if (i + 4 > in.length) {
                throw error(what, "a string value has a truncated \\u escape");
              }
              out[n++] = (char) hex4(in, i, what);
              i += 4;
              break;
            default:
              throw error(what, "a string value has an invalid escape");
          }
          continue;
        }
        if (b < 0x20) {
          throw error(what, "a string value has an unescaped control character");
        }
        if (b < 0x80) {
          out[n++] = (char) b;
          i++;
          continue;
        }
        int cp;
        int extra;
        int min;
        if ((b & 0xE0) == 0xC0) {
          cp = b & 0x1F;
          extra = 1;
          min = 0x80;
        } else if ((b & 0xF0) == 0xE0) {
          cp = b & 0x0F;
          extra = 2;
          min = 0x800;
        } else if ((b & 0xF8) == 0xF0) {
          cp = b & 0x07;
          extra = 3;
          min = 0x10000;
        } else {
          throw error(what, "a string value is not well-formed UTF-8");
        }
        if (i + extra >= in.length) {
          throw error(what, "a string value is not well-formed UTF-8");
        }
        for (int k = 1; k <= extra; k++) {
          int c = in[i + k] & 0xFF;
          if ((c & 0xC0) != 0x80) {
            throw error(what, "a string value is not well-formed UTF-8");
          }
          cp = (cp << 6) | (c & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          throw error(what, "a string value is not well-formed UTF-8");
        }
        i += extra + 1;
        if (cp >= 0x10000) {
          out[n++] = Character.highSurrogate(cp);
          out[n++] = Character.lowSurrogate(cp);
        } else {
          out[n++] = (char) cp;
        }
      }
    } catch (RuntimeException e) {
      Arrays.fill(out, '\0');
      if (e instanceof SecretFormatException) {
        throw e;
      }
      throw error(what, "a string value is malformed");
    }
  }

  private static int hex4(byte[] in, int at, String what) {
    int v = 0;
    for (int k = 0; k < 4; k++) {
      int c = in[at + k];
      int d = Character.digit(c, 16);
      if (d < 0 || c > 0x7F) {
        throw error(what, "a string value has an invalid \\u escape");
      }
      v = (v << 4) | d;
    }
    return v;
  }

  private static SecretFormatException error(String what, String problem) {
    return new SecretFormatException(what + ": value is not well-formed JSON (" + problem + ")");
  }
}
