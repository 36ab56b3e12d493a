package io.secretsdk.internal;

import org.jspecify.annotations.Nullable;

/**
 * Makes text safe to write into a log line or an exception message: control characters (a name
 * holding {@code %0A} decodes to a line break), line and paragraph separators and invisible format
 * characters (bidirectional overrides, zero-width marks) are written as escapes, so that a hostile
 * secret name cannot forge a log line or hide what it is. A line feed, carriage return and tab
 * become {@code \n}, {@code \r} and {@code \t} (a backslash and a letter); the others a backslash,
 * {@code u} and four hex digits. The one helper every
 * module uses: {@link io.secretsdk.SecretException} applies it to every message and {@link
 * io.secretsdk.SecretRef#toString()} to every reference, so messages and log lines that name a
 * reference are safe without further care.
 */
public final class Printable {
  private Printable() {}

  /**
   * The text with every unprintable character escaped.
   *
   * @param text any text, or {@code null}
   * @return the text itself when it needs no escape (no copy), else an escaped copy; {@code "null"}
   *     for {@code null}
   */
  public static String text(@Nullable String text) {
    if (text == null) {
      return "null";
    }
    int i = 0;
    while (i < text.length() && !needsEscape(text.charAt(i))) {
      i++;
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length() + 16).append(text, 0, i);
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!needsEscape(c)) {
        sb.append(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c == '\t') {
        sb.append("\\t");
      } else {
        sb.append(String.format("\\u%04X", (int) c));
      }
    }
    return sb.toString();
  }

  /**
   * Whether a character must not reach a log line raw: a control character (C0, DEL, C1), a line
   * or paragraph separator, or a format character (bidirectional controls, zero-width marks, BOM).
   *
   * @param c the character
   * @return {@code true} if it is written as an escape
   */
  public static boolean needsEscape(char c) {
    if (c >= 0x20 && c < 0x7f) {
      return false;
    }
    int type = Character.getType(c);
    return type == Character.CONTROL || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
  }
}
