package io.secretsdk;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import io.secretsdk.internal.Printable;
import org.jspecify.annotations.Nullable;

/**
 * A reference to a secret: which backend (scheme), which secret (name), which version or stage,
 * and optionally one field of a JSON value. A value object, safe to log.
 *
 * <p>The URI form is {@code scheme://name[?version=V | ?stage=S][#field]}:
 *
 * <ul>
 *   <li>the scheme is optional, lowercase, and starts with a letter ({@code aws-sm}, {@code vault},
 *       {@code file}); it is everything before the first {@code ://};
 *   <li>the name is taken as written, colons and slashes included, so AWS ARNs, GCP resource names
 *       and Vault paths need no escaping;
 *   <li>{@code %}, {@code ?}, {@code #} and {@code &} inside a part are written {@code %25},
 *       {@code %3F}, {@code %23} and {@code %26}; {@link #parse} decodes any {@code %XX} and
 *       {@link #toUri} encodes those four, so that {@code parse(r.toUri()).equals(r)};
 *   <li>a stage is {@code current}, {@code previous} or {@code pending}, in any case; a reference
 *       names a version or a stage, never both;
 *   <li>whitespace around a part is refused, never trimmed: {@code " db"} would otherwise be a
 *       secret nobody can see is missing; a name that really starts or ends with a space writes it
 *       {@code %20};
 *   <li>a scheme needs both slashes: {@code file:/prod/db} is refused (write {@code file://prod/db},
 *       or {@code file:///prod/db} for a name that starts with a slash), never read as a scheme-less
 *       name.
 * </ul>
 *
 * <p><b>Fields.</b> The {@code #field} picks one top-level field of a JSON value and is applied
 * where a value is read, never where a secret is fetched: {@link SecretSource#fetch} and {@code
 * SecretCache.get} return the whole version (the field does not change which secret or version is
 * read), and {@code SecretCache.value(uri)} and {@link Secret#field(String)} read the field. Read a
 * field of a fetched secret with {@code secret.field(ref.field().get())}.
 *
 * <p><b>Printing.</b> {@link #toString()} and {@link #toUri()} percent-encode control characters,
 * line separators and invisible format characters ({@code %0A}), so that a reference is safe in a
 * log line or a message whatever its name holds.
 */
public final class SecretRef {
  private final @Nullable String scheme;
  private final String name;
  private final @Nullable String version;
  private final @Nullable VersionStage stage;
  private final @Nullable String field;
  // Computed once: a cache lookup hashes the reference on every read, and must not allocate.
  private final int hash;

  private SecretRef(
      @Nullable String scheme,
      String name,
      @Nullable String version,
      @Nullable VersionStage stage,
      @Nullable String field) {
    this.scheme = scheme;
    this.name = name;
    this.version = version;
    this.stage = stage;
    this.field = field;
    this.hash = Objects.hash(scheme, name, version, stage, field);
  }

  /**
   * A reference by name only: no scheme, the current version, the whole value. The name is taken
   * literally (no percent-decoding).
   *
   * @param name the secret's name
   * @return the reference
   * @throws InvalidSecretRefException if the name is empty or blank, or starts or ends with
   *     whitespace (refused, not trimmed; {@link #parse} reads a real space written {@code %20})
   */
  public static SecretRef of(String name) {
    checkName(name, name);
    refuseSurroundingSpace(name, "name", name);
    return new SecretRef(null, name, null, null, null);
  }

  /**
   * Parses the URI form described in the class documentation.
   *
   * @param uri the reference, e.g. {@code aws-sm://prod/db?stage=previous#password}
   * @return the reference
   * @throws InvalidSecretRefException if it is empty, has no name, a bad scheme, an unknown
   *     parameter or stage, both a version and a stage, or a bad percent escape
   */
  public static SecretRef parse(String uri) {
    Objects.requireNonNull(uri, "uri");
    if (uri.isBlank()) {
      throw new InvalidSecretRefException("a secret reference must not be empty");
    }
    String rest = uri;
    if (Character.isWhitespace(uri.charAt(0)) || Character.isWhitespace(uri.charAt(uri.length() - 1))) {
      throw new InvalidSecretRefException(
          "secret reference '" + uri + "' has whitespace around it; remove it (write a space that is part of the"
              + " name as %20)");
    }
    String scheme = null;
    int sep = rest.indexOf("://");
    int firstQuery = firstOf(rest, '?', '#');
    if (sep >= 0 && (firstQuery < 0 || sep < firstQuery)) {
      scheme = rest.substring(0, sep);
      checkScheme(scheme, uri);
      rest = rest.substring(sep + 3);
    } else {
      refuseSingleSlash(uri);
    }
    String field = null;
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      refuseSurroundingSpace(rest.substring(hash + 1), "field", uri);
      field = decode(rest.substring(hash + 1), uri);
      if (field.isEmpty()) {
        throw new InvalidSecretRefException("secret reference '" + uri + "' has an empty #field");
      }
      rest = rest.substring(0, hash);
    }
    String version = null;
    VersionStage stage = null;
    int q = rest.indexOf('?');
    if (q >= 0) {
      String query = rest.substring(q + 1);
      rest = rest.substring(0, q);
      for (String param : query.split("&", -1)) {
        int eq = param.indexOf('=');
        if (eq < 0) {
          throw new InvalidSecretRefException(
              "secret reference '" + uri + "': parameter '" + param + "' has no value; use ?version=V or ?stage=S");
        }
        String key = param.substring(0, eq);
        refuseSurroundingSpace(param.substring(eq + 1), key, uri);
        String val = decode(param.substring(eq + 1), uri);
        if (val.isEmpty()) {
          throw new InvalidSecretRefException("secret reference '" + uri + "': '" + key + "' is empty");
        }
        switch (key) {
          case "version":
            if (version != null) {
              throw new InvalidSecretRefException("secret reference '" + uri + "' names a version twice");
            }
            version = val;
            break;
          case "stage":
            if (stage != null) {
              throw new InvalidSecretRefException("secret reference '" + uri + "' names a stage twice");
            }
            stage = parseStage(val, uri);
            break;
          default:
            throw new InvalidSecretRefException(
                "secret reference '" + uri + "' has an unknown parameter '" + key
                    + "'; the known ones are version and stage");
        }
      }
      if (version != null && stage != null) {
        throw new InvalidSecretRefException(
            "secret reference '" + uri + "' names both a version and a stage; name one");
      }
    }
    refuseSurroundingSpace(rest, "name", uri);
    String name = checkName(decode(rest, uri), uri);
    return new SecretRef(scheme, name, version, stage, field);
  }

  /** {@code file:/prod/db}: a scheme with one slash, which would otherwise be a scheme-less name. */
  private static void refuseSingleSlash(String uri) {
    int colon = schemeColon(uri);
    if (colon > 0 && uri.startsWith(":/", colon)) {
      String scheme = uri.substring(0, colon);
      String name = uri.substring(colon + 2);
      throw new InvalidSecretRefException(
          "secret reference '" + uri + "' has a scheme with one slash; write " + scheme + "://" + name
              + " (or " + scheme + ":///" + name + " for a name that starts with '/')");
    }
  }

  /** The index of the colon ending a leading scheme-like part ({@code [a-z][a-z0-9+.-]*:}), or -1. */
  private static int schemeColon(String s) {
    if (s.isEmpty() || s.charAt(0) < 'a' || s.charAt(0) > 'z') {
      return -1;
    }
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ':') {
        return i;
      }
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.')) {
        return -1;
      }
    }
    return -1;
  }

  private static void refuseSurroundingSpace(String part, String what, String uri) {
    if (!part.isEmpty()
        && (Character.isWhitespace(part.charAt(0)) || Character.isWhitespace(part.charAt(part.length() - 1)))) {
      throw new InvalidSecretRefException(
          "secret reference '" + uri + "' has whitespace around its " + what + "; remove it (write a space that is"
              + " part of it as %20)");
    }
  }

  private static int firstOf(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    if (i < 0) {
      return j;
    }
    return j < 0 ? i : Math.min(i, j);
  }

  private static VersionStage parseStage(String value, String uri) {
    try {
      return VersionStage.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidSecretRefException(
          "secret reference '" + uri + "' has an unknown stage '" + value
              + "'; use current, previous or pending");
    }
  }

  private static void checkScheme(String scheme, String uri) {
    boolean ok = !scheme.isEmpty() && scheme.charAt(0) >= 'a' && scheme.charAt(0) <= 'z';
    for (int i = 1; ok && i < scheme.length(); i++) {
      char c = scheme.charAt(i);
      ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
    }
    if (!ok) {
      throw new InvalidSecretRefException(
          "secret reference '" + uri + "' has a bad scheme '" + scheme
              + "': a scheme is lowercase letters, digits, '-', '+' or '.', starting with a letter");
    }
  }

  private static String checkName(String name, String uri) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new InvalidSecretRefException("secret reference '" + uri + "' has no name");
    }
    return name;
  }

  private static String decode(String s, String uri) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); ) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw badEscape(uri);
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw badEscape(uri);
        }
        out.write((hi << 4) | lo);
        i += 3;
      } else {
        int cp = s.codePointAt(i);
        byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        i += Character.charCount(cp);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidSecretRefException(
          "secret reference '" + uri + "' has percent escapes that are not UTF-8");
    }
  }

  private static InvalidSecretRefException badEscape(String uri) {
    return new InvalidSecretRefException(
        "secret reference '" + uri + "' has a bad percent escape; write '%' as %25");
  }

  private static String encode(String s, boolean inQuery) {
    StringBuilder sb = null;
    int last = s.length() - 1;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String esc;
      switch (c) {
        case '%': esc = "%25"; break;
        case '?': esc = "%3F"; break;
        case '#': esc = "%23"; break;
        case '&': esc = inQuery ? "%26" : null; break;
        default:
          esc = Printable.needsEscape(c) || ((i == 0 || i == last) && Character.isWhitespace(c))
              ? percent(c) : null;
      }
      if (esc != null && sb == null) {
        sb = new StringBuilder(s.length() + 8).append(s, 0, i);
      }
      if (sb != null) {
        if (esc != null) {
          sb.append(esc);
        } else {
          sb.append(c);
        }
      }
    }
    return sb == null ? s : sb.toString();
  }

  /** The UTF-8 percent-encoding of one character (never a surrogate: those are printable here). */
  private static String percent(char c) {
    StringBuilder sb = new StringBuilder(9);
    for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
      sb.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
          .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
    }
    return sb.toString();
  }

  /**
   * The backend scheme, e.g. {@code aws-sm}.
   *
   * @return the scheme, or empty for a reference that leaves the backend to its router
   */
  public Optional<String> scheme() {
    return Optional.ofNullable(scheme);
  }

  /**
   * The secret's name as the backend knows it.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The version asked for.
   *
   * @return the version id, or empty for the current version or a stage
   */
  public Optional<String> version() {
    return Optional.ofNullable(version);
  }

  /**
   * The stage asked for.
   *
   * @return the stage, or empty for the current version or a version id
   */
  public Optional<VersionStage> stage() {
    return Optional.ofNullable(stage);
  }

  /**
   * The field of a JSON value asked for.
   *
   * @return the field's name, or empty for the whole value
   */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }

  /**
   * This reference with another scheme.
   *
   * @param s the scheme
   * @return a new reference
   * @throws InvalidSecretRefException if the scheme is malformed
   */
  public SecretRef withScheme(String s) {
    Objects.requireNonNull(s, "scheme");
    checkScheme(s, s + "://" + name);
    return new SecretRef(s, name, version, stage, field);
  }

  /**
   * This reference naming a version (and no stage).
   *
   * @param v the version id
   * @return a new reference
   */
  public SecretRef withVersion(String v) {
    Objects.requireNonNull(v, "version");
    if (v.isEmpty()) {
      throw new InvalidSecretRefException("a version must not be empty", this);
    }
    return new SecretRef(scheme, name, v, null, field);
  }

  /**
   * This reference naming a stage (and no version).
   *
   * @param s the stage
   * @return a new reference
   */
  public SecretRef withStage(VersionStage s) {
    Objects.requireNonNull(s, "stage");
    return new SecretRef(scheme, name, null, s, field);
  }

  /**
   * This reference naming one field of a JSON value.
   *
   * @param f the field's name
   * @return a new reference
   */
  public SecretRef withField(String f) {
    Objects.requireNonNull(f, "field");
    if (f.isEmpty()) {
      throw new InvalidSecretRefException("a field name must not be empty", this);
    }
    return new SecretRef(scheme, name, version, stage, f);
  }

  /**
   * This reference for the whole value.
   *
   * @return a new reference without a field, or this one if it has none
   */
  public SecretRef withoutField() {
    return field == null ? this : new SecretRef(scheme, name, version, stage, null);
  }

  /**
   * The URI form, which {@link #parse} reads back to an equal reference.
   *
   * @return the URI
   */
  public String toUri() {
    StringBuilder sb = new StringBuilder();
    String encodedName = encode(name, false);
    if (scheme != null) {
      sb.append(scheme).append("://");
    } else {
      // Without a scheme, a "://" in the name would read back as one, and a leading "x:/" would be
      // refused as a scheme with one slash.
      encodedName = encodedName.replace("://", "%3A//");
      int colon = schemeColon(encodedName);
      if (colon > 0 && encodedName.startsWith(":/", colon)) {
        encodedName = encodedName.substring(0, colon) + "%3A" + encodedName.substring(colon + 1);
      }
    }
    sb.append(encodedName);
    if (version != null) {
      sb.append("?version=").append(encode(version, true));
    } else if (stage != null) {
      sb.append("?stage=").append(stage.name().toLowerCase(Locale.ROOT));
    }
    if (field != null) {
      sb.append('#').append(encode(field, false));
    }
    return sb.toString();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SecretRef)) {
      return false;
    }
    SecretRef r = (SecretRef) o;
    return Objects.equals(scheme, r.scheme)
        && name.equals(r.name)
        && Objects.equals(version, r.version)
        && stage == r.stage
        && Objects.equals(field, r.field);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /**
   * The URI form; references are not secret.
   *
   * @return {@link #toUri()}
   */
  @Override
  public String toString() {
    return toUri();
  }
}
