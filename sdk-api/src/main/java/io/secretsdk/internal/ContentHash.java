package io.secretsdk.internal;

import io.secretsdk.SecretValue;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Version ids for backends that have none: an HMAC-SHA256 of the content under a key that is
 * random per process. Equal content gives an equal id within a process; the id cannot be used to
 * test guesses of the value, as a plain hash of a low-entropy password could.
 */
public final class ContentHash {
  private static final SecretKeySpec KEY;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    KEY = new SecretKeySpec(key, "HmacSHA256");
  }

  private ContentHash() {}

  /**
   * The keyed content hash of a value.
   *
   * @param value the value
   * @return {@code "h-"} followed by 24 hex digits
   */
  public static String of(SecretValue value) {
    // Binary and text values with equal bytes must not collide.
    byte kind = (byte) (value.isBinary() ? 1 : 0);
    byte[] mac = value.withBytes(bytes -> {
      try {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(KEY);
        m.update(kind);
        return m.doFinal(bytes);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is not available", e);
      }
    });
    StringBuilder sb = new StringBuilder(26).append("h-");
    for (int i = 0; i < 12; i++) {
      sb.append(HEX[(mac[i] >> 4) & 0xF]).append(HEX[mac[i] & 0xF]);
    }
    return sb.toString();
  }
}
