package io.secretsdk.internal;

import io.secretsdk.SecretFormatException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Strict UTF-8 between {@code byte[]} and {@code char[]} with no {@link String} in between; every
 * scratch array is wiped before it is dropped.
 */
public final class Utf8 {
  private Utf8() {}

  /**
   * Decodes strictly: malformed or truncated input is an error, never a replacement character.
   *
   * @param in the bytes
   * @param offset where to start
   * @param length how many bytes
   * @return a new array with exactly the decoded characters
   * @throws SecretFormatException naming the offset of the first bad byte, never the content
   */
  public static char[] decode(byte[] in, int offset, int length) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    // UTF-8 never yields more UTF-16 units than it has bytes.
    char[] out = new char[length];
    ByteBuffer src = ByteBuffer.wrap(in, offset, length);
    CharBuffer dst = CharBuffer.wrap(out);
    CoderResult result = decoder.decode(src, dst, true);
    if (!result.isError()) {
      result = decoder.flush(dst);
    }
    if (result.isError()) {
      Arrays.fill(out, '\0');
      throw new SecretFormatException(
          "value is not well-formed UTF-8 (bad byte at offset " + (src.position() - offset) + ")");
    }
    return exact(out, dst.position());
  }

  /**
   * Encodes as UTF-8.
   *
   * @param chars the text
   * @return a new array with exactly the encoded bytes
   * @throws SecretFormatException if the text holds an unpaired surrogate
   */
  public static byte[] encode(char[] chars) {
    CharsetEncoder encoder =
        StandardCharsets.UTF_8
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    byte[] out = new byte[chars.length * 3];
    ByteBuffer dst = ByteBuffer.wrap(out);
    CoderResult result = encoder.encode(CharBuffer.wrap(chars), dst, true);
    if (!result.isError()) {
      result = encoder.flush(dst);
    }
    if (result.isError()) {
      Arrays.fill(out, (byte) 0);
      throw new SecretFormatException("value holds an unpaired surrogate and has no UTF-8 form");
    }
    int n = dst.position();
    if (n == out.length) {
      return out;
    }
    byte[] exact = Arrays.copyOf(out, n);
    Arrays.fill(out, (byte) 0);
    return exact;
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
    try {
      char[] probe = decode(in, 0, in.length);
      Arrays.fill(probe, '\0');
      return true;
    } catch (SecretFormatException e) {
      return false;
    }
  }

}
