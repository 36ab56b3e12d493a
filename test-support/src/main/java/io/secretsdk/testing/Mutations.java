package io.secretsdk.testing;

import java.util.Arrays;
import java.util.Random;

/**
 * Byte-level damage for fuzz campaigns over a parser: what a dropped connection, a broken proxy or
 * a hostile peer does to an answer. Deterministic for a given {@link Random}, so a failing seed
 * replays.
 */
public final class Mutations {
  /** Bytes that change a JSON document's structure when inserted: brackets, quote, separators, escape, NUL, 0xff. */
  private static final String JSON_INSERTS = "{}[]\",:\\\u0000\u00ff";

  private Mutations() {}

  /**
   * Up to three edits of a JSON body: a byte overwritten, the body cut short, a structural byte
   * inserted, a byte deleted.
   *
   * @param r the campaign's random source
   * @param body the bytes to damage (may be changed in place)
   * @return the damaged bytes
   */
  public static byte[] json(Random r, byte[] body) {
    byte[] b = body;
    int n = r.nextInt(4);
    for (int i = 0; i < n && b.length > 0; i++) {
      int at = r.nextInt(b.length);
      switch (r.nextInt(4)) {
        case 0 -> b[at] = (byte) r.nextInt(256);
        case 1 -> b = Arrays.copyOf(b, at);
        case 2 -> {
          byte[] longer = new byte[b.length + 1];
          System.arraycopy(b, 0, longer, 0, at);
          longer[at] = (byte) JSON_INSERTS.charAt(r.nextInt(JSON_INSERTS.length()));
          System.arraycopy(b, at, longer, at + 1, b.length - at);
          b = longer;
        }
        default -> {
          byte[] shorter = new byte[b.length - 1];
          System.arraycopy(b, 0, shorter, 0, at);
          System.arraycopy(b, at + 1, shorter, at, b.length - at - 1);
          b = shorter;
        }
      }
    }
    return b;
  }
}
