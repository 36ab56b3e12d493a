package io.secretsdk.jdbc.internal;

import io.secretsdk.internal.Printable;
import java.util.Locale;

/**
 * Makes a JDBC URL safe to show: every password written in it is replaced by {@code ***}, in each
 * form drivers accept:
 *
 * <ul>
 *   <li>parameters: {@code ?password=}, {@code &password=} (PostgreSQL, MySQL, MariaDB, H2 ...),
 *       {@code ;password=} (SQL Server, also {@code {braced;values}}), {@code (password=...)}
 *       (MySQL's key-value host form), in any case; any key containing {@code password} ({@code
 *       sslpassword}, {@code trustStorePassword}), {@code pwd}, {@code secret}, {@code token} or
 *       {@code key} ({@code accessToken}, {@code apiKey}) counts;
 *   <li>user-info: {@code jdbc:mysql://user:pw@host} (MySQL, MariaDB, PostgreSQL and any other
 *       {@code //} URL), up to the last {@code @} before the query;
 *   <li>Oracle's {@code jdbc:oracle:thin:user/pw@host} (and {@code oci}), a quoted password
 *       included.
 * </ul>
 *
 * <p>When in doubt it hides more, never less. Control characters are escaped as well.
 */
public final class JdbcUrls {
  private static final String MASK = "***";

  private JdbcUrls() {}

  /**
   * The URL with every password replaced.
   *
   * @param url a JDBC URL
   * @return the URL without passwords
   */
  public static String redact(String url) {
    String s = redactOracle(url);
    s = redactUserInfo(s);
    s = redactParameters(s);
    return Printable.text(s);
  }

  private static String redactOracle(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    int start = -1;
    for (String prefix : new String[] {"jdbc:oracle:thin:", "jdbc:oracle:oci:", "jdbc:oracle:oci8:"}) {
      if (lower.startsWith(prefix)) {
        start = prefix.length();
      }
    }
    if (start < 0) {
      return url;
    }
    int slash = url.indexOf('/', start);
    int at = url.indexOf('@', start);
    if (slash < 0 || at < 0 || slash > at) {
      return url; // no user/password before the address
    }
    int from = slash + 1;
    int to;
    if (from < url.length() && url.charAt(from) == '"') {
      int close = url.indexOf('"', from + 1);
      to = close < 0 ? url.length() : close + 1;
      int nextAt = url.indexOf('@', to);
      to = nextAt < 0 ? url.length() : nextAt;
    } else {
      // An unquoted password cannot hold '@'; the last '@' before "//host" or "host:" is safest.
      int address = url.indexOf("@//", from);
      to = address >= 0 ? address : url.lastIndexOf('@');
    }
    return url.substring(0, from) + MASK + url.substring(to);
  }

  private static String redactUserInfo(String url) {
    int slashes = url.indexOf("://");
    if (slashes < 0 || url.toLowerCase(Locale.ROOT).startsWith("jdbc:oracle:")) {
      return url;
    }
    int from = slashes + 3;
    int end = firstOf(url, from, '?', ';');
    int at = url.lastIndexOf('@', end - 1);
    if (at < from) {
      return url;
    }
    int colon = url.indexOf(':', from);
    if (colon < 0 || colon > at) {
      return url; // a user name only
    }
    return url.substring(0, colon + 1) + MASK + url.substring(at);
  }

  private static String redactParameters(String url) {
    StringBuilder out = new StringBuilder(url.length());
    int i = 0;
    while (i < url.length()) {
      char c = url.charAt(i);
      out.append(c);
      i++;
      if (c != '?' && c != '&' && c != ';' && c != '(') {
        continue;
      }
      int eq = url.indexOf('=', i);
      if (eq < 0) {
        continue;
      }
      String key = url.substring(i, eq).trim().toLowerCase(Locale.ROOT);
      if (key.isEmpty() || key.chars().anyMatch(k -> "?&;()=/@:".indexOf(k) >= 0) || !isPasswordKey(key)) {
        continue;
      }
      out.append(url, i, eq + 1).append(MASK);
      int v = eq + 1;
      if (c == ';' && v < url.length() && url.charAt(v) == '{') {
        int close = url.indexOf('}', v);
        i = close < 0 ? url.length() : close + 1;
      } else {
        // A value runs to the next separator of its own form, so that a password holding
        // another form's separator is hidden whole.
        char stop = c == '(' ? ')' : c == ';' ? ';' : '&';
        i = firstOf(url, v, stop);
      }
    }
    return out.toString();
  }

  private static boolean isPasswordKey(String key) {
    return key.contains("password") || key.contains("pwd") || key.contains("passwd") || key.contains("secret")
        || key.contains("token") || key.contains("key");
  }

  private static int firstOf(String s, int from, char... chars) {
    int best = s.length();
    for (char c : chars) {
      int i = s.indexOf(c, from);
      if (i >= 0 && i < best) {
        best = i;
      }
    }
    return best;
  }
}
