package io.secretsdk.internal;

import io.secretsdk.SecretFormatException;
import java.util.Arrays;

/**
 * Strict UTF-8 between {@code byte[]} and {@code char[]} with no {@link String} in between and no
 * scratch buffer: each method measures first, then writes into an array of exactly the right size.
 * Strict means what the JDK's decoder does with {@code REPORT}: overlong forms, surrogates, code
 * points above U+10FFFF and truncated sequences are errors, never replacement characters.
 */
public final class Utf8 {
  private Utf8() {}

  /**
   * Decodes strictly.
   *
   * @param in the bytes
   * @param offset where to start
   * @param length how many bytes
   * @return a new array with exactly the decoded characters
   * @throws SecretFormatException naming the offset of the first bad byte, never the content
   */
  public static char[] decode(byte[] in, int offset, int length) {
    char[] out = new char[measure(in, offset, offset + length)];
    decodeInto(in, offset, offset + length, out);
    return out;
  }

  /**
   * Checks {@code in[from, to)} strictly and counts the UTF-16 units it decodes to.
   *
   * @param in the bytes
   * @param from where to start
   * @param to where to end (exclusive)
   * @return the number of chars the bytes decode to
   * @throws SecretFormatException naming the offset of the first bad byte, never the content
   */
  public static int measure(byte[] in, int from, int to) {
    int chars = to - from;
    for (int i = from; i < to; ) {
      if (in[i] >= 0) {
        i++;
        continue;
      }
      int n = sequenceLength(in, i, to);
      if (n < 0) {
        throw new SecretFormatException(
            "value is not well-formed UTF-8 (bad byte at offset " + (i - from) + ")");
      }
      chars -= n == 4 ? 2 : n - 1;
      i += n;
    }
    return chars;
  }

  /**
   * Decodes bytes checked before (by {@link #measure}) into {@code out}, which has exactly the
   * decoded length. Never reads outside {@code in[from, to)} nor writes past {@code out}, even if
   * the input changed since it was checked (then the output is garbage the caller discards).
   *
   * @param in the bytes
   * @param from where to start
   * @param to where to end (exclusive)
   * @param out receives the chars
   */
  public static void decodeInto(byte[] in, int from, int to, char[] out) {
    int k = 0;
    int i = from;
    int n = out.length;
    // ASCII runs first: the common case, and a loop the compiler vectorizes.
    while (i < to && k < n && in[i] >= 0) {
      out[k++] = (char) in[i++];
    }
    while (i < to && k < n) {
      int b = in[i];
      if (b >= 0) {
        out[k++] = (char) b;
        i++;
      } else if ((b & 0xE0) == 0xC0 && i + 1 < to) {
        out[k++] = (char) (((b & 0x1F) << 6) | (in[i + 1] & 0x3F));
        i += 2;
      } else if ((b & 0xF0) == 0xE0 && i + 2 < to) {
        out[k++] = (char) (((b & 0x0F) << 12) | ((in[i + 1] & 0x3F) << 6) | (in[i + 2] & 0x3F));
        i += 3;
      } else if (i + 3 < to && k + 1 < n) {
        int cp = ((b & 0x07) << 18) | ((in[i + 1] & 0x3F) << 12) | ((in[i + 2] & 0x3F) << 6)
            | (in[i + 3] & 0x3F);
        out[k++] = Character.highSurrogate(cp);
        out[k++] = Character.lowSurrogate(cp);
        i += 4;
      } else {
        return;
      }
    }
  }

  /**
   * The length of the well-formed multi-byte sequence starting at {@code i}.
   *
   * @param in the bytes
   * @param i where the sequence starts (a byte of 0x80 or more)
   * @param end where the input ends (exclusive)
   * @return 2, 3 or 4, or {@code -1} if the sequence is malformed, overlong, a surrogate, beyond
   *     U+10FFFF or truncated
   */
  public static int sequenceLength(byte[] in, int i, int end) {
    int b = in[i] & 0xFF;
    if (b >= 0xC2 && b <= 0xDF) {
      return i + 1 < end && cont(in[i + 1]) ? 2 : -1;
    }
    if (b >= 0xE0 && b <= 0xEF) {
      if (i + 2 >= end || !cont(in[i + 1]) || !cont(in[i + 2])) {
        return -1;
      }
      int b1 = in[i + 1] & 0xFF;
      if ((b == 0xE0 && b1 < 0xA0) || (b == 0xED && b1 > 0x9F)) {
        return -1; // overlong, or a surrogate
      }
      return 3;
    }
    if (b >= 0xF0 && b <= 0xF4) {
      if (i + 3 >= end || !cont(in[i + 1]) || !cont(in[i + 2]) || !cont(in[i + 3])) {
        return -1;
      }
      int b1 = in[i + 1] & 0xFF;
      if ((b == 0xF0 && b1 < 0x90) || (b == 0xF4 && b1 > 0x8F)) {
        return -1; // overlong, or beyond U+10FFFF
      }
      return 4;
    }
    return -1;
  }

  private static boolean cont(byte b) {
    return (b & 0xC0) == 0x80;
  }

  /**
   * Encodes as UTF-8.
   *
   * @param chars the text
   * @return a new array with exactly the encoded bytes
   * @throws SecretFormatException if the text holds an unpaired surrogate
   */
  public static byte[] encode(char[] chars) {
    int bytes = 0;
    for (int i = 0; i < chars.length; i++) {
      char c = chars[i];
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (!Character.isSurrogate(c)) {
        bytes += 3;
      } else if (Character.isHighSurrogate(c) && i + 1 < chars.length && Character.isLowSurrogate(chars[i + 1])) {
        bytes += 4;
        i++;
      } else {
        throw new SecretFormatException("value holds an unpaired surrogate and has no UTF-8 form");
      }
    }
    byte[] out = new byte[bytes];
    int k = 0;
    for (int i = 0; i < chars.length; i++) {
      char c = chars[i];
      if (c < 0x80) {
        out[k++] = (byte) c;
      } else if (c < 0x800) {
        out[k++] = (byte) (0xC0 | (c >> 6));
        out[k++] = (byte) (0x80 | (c & 0x3F));
      } else if (!Character.isSurrogate(c)) {
        out[k++] = (byte) (0xE0 | (c >> 12));
        out[k++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        out[k++] = (byte) (0x80 | (c & 0x3F));
      } else {
        int cp = Character.toCodePoint(c, chars[++i]);
        out[k++] = (byte) (0xF0 | (cp >> 18));
        out[k++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        out[k++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        out[k++] = (byte) (0x80 | (cp & 0x3F));
      }
    }
    return out;
  }

  /**
   * Trims an array to its used length, wiping the original when a copy is made.
   *
   * @param buffer the array
   * @param used how many leading chars are content
   * @return {@code buffer} itself when it is full, else a trimmed copy
   */
  public static char[] exact(char[] buffer, int used) {
    if (used == buffer.length) {
      return buffer;
    }
    char[] exact = Arrays.copyOf(buffer, used);
    Arrays.fill(buffer, '\0');
    return exact;
  }

  /**
   * Whether the bytes are well-formed UTF-8, without producing any output.
   *
   * @param in the bytes
   * @return {@code true} if strict decoding would succeed
   */
  public static boolean isWellFormed(byte[] in) {
    for (int i = 0; i < in.length; ) {
      if (in[i] >= 0) {
        i++;
        continue;
      }
      int n = sequenceLength(in, i, in.length);
      if (n < 0) {
        return false;
      }
      i += n;
    }
    return true;
  }
}
