package io.secretsdk.vault.internal;

import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionStage;
import io.secretsdk.internal.JsonReader;
import io.secretsdk.internal.ValueAccess;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Reads Vault's answers into {@link Secret}s, on sdk-api's {@link JsonReader}. A secret's value
 * is the JSON object Vault holds it in ({@code data.data} for KV v2, {@code data} otherwise),
 * decoded straight from the answer's bytes into the value's {@code char[]}: no value ever becomes a
 * {@link String}, and nothing else is copied. Every method either returns or throws a {@link
 * io.secretsdk.SecretException} whose message is a fixed phrase (with a line and column for
 * malformed JSON), never text from the answer; the caller wipes the body.
 */
public final class Responses {
  private Responses() {}

  /** Where a KV v2 version stands, from the metadata endpoint. */
  public record VersionState(long version, boolean deleted, boolean destroyed) {}

  /**
   * KV v2 metadata.
   *
   * @param currentVersion the current version
   * @param versions every version Vault keeps, by number
   */
  public record Kv2Metadata(long currentVersion, Map<Long, VersionState> versions) {

    /**
     * The newest version before the current one that is neither deleted nor destroyed.
     *
     * @return its number, or {@code null} if there is none
     */
    public @Nullable Long previousReadable() {
      Long best = null;
      for (VersionState v : versions.values()) {
        if (v.version() < currentVersion && !v.deleted() && !v.destroyed() && (best == null || v.version() > best)) {
          best = v.version();
        }
      }
      return best;
    }
  }

  static String what(SecretRef ref) {
    return "Vault's answer for '" + ref.name() + "'";
  }

  private static Map<String, String> baseMetadata(Route route, String engine) {
    // Secret.Builder keeps an immutable copy (whose order is unspecified): a plain map suffices.
    Map<String, String> m = new HashMap<>(8);
    m.put("vault.engine", engine);
    m.put("vault.mount", route.mount());
    m.put("vault.path", route.path());
    return m;
  }

  /**
   * An answer being read: the reader and how to name it in errors. Its checks are also static, for
   * the hot read ({@link #kv2}), which names the answer only for an error ({@code what} null: the
   * name is made from the reference then).
   */
  private static final class Answer {
    /** Parse errors name this, replaced by the answer's full name when thrown (see {@link #check}). */
    private static final String PENDING = "Vault's answer";

    final JsonReader json;
    private final String what;
    final @Nullable SecretRef ref;

    Answer(byte[] body, String what, @Nullable SecretRef ref) {
      this.json = Json.object(body, what, ref);
      this.what = what;
      this.ref = ref;
    }

    /** Checks an answer for the hot read, finding {@code paths}; its name is made only for an error. */
    static JsonReader check(byte[] body, SecretRef ref, JsonReader.Paths paths) {
      try {
        return Json.object(body, PENDING, ref, paths);
      } catch (SecretFormatException e) {
        String m = String.valueOf(e.getMessage());
        throw new SecretFormatException(
            what(ref) + (m.startsWith(PENDING) ? m.substring(PENDING.length()) : ": " + m), ref);
      }
    }

    private static String named(@Nullable String what, @Nullable SecretRef ref) {
      return what != null ? what : Responses.what(java.util.Objects.requireNonNull(ref));
    }

    int root() {
      return json.root();
    }

    /** A field that must be an object when present: its offset, or -1 if absent or null. */
    int obj(int at, String name) {
      return objectOrNull(json, at < 0 ? -1 : json.field(at, name), name, what, ref);
    }

    /** A value (-1 for none) that must be an object unless null: its offset, or -1 for none or null. */
    static int objectOrNull(JsonReader json, int v, String name, @Nullable String what, @Nullable SecretRef ref) {
      if (v < 0 || json.kind(v) == JsonReader.NULL) {
        return -1;
      }
      if (json.kind(v) != JsonReader.OBJECT) {
        throw new SecretFormatException(named(what, ref) + ": '" + name + "' is not a JSON object", ref);
      }
      return v;
    }

    /** A field that must be a string when present: its offset, or -1 if absent or null. */
    int str(int at, String name) {
      int v = json.field(at, name);
      if (v < 0 || json.kind(v) == JsonReader.NULL) {
        return -1;
      }
      if (json.kind(v) != JsonReader.STRING) {
        throw new SecretFormatException(what + ": '" + name + "' is not a string", ref);
      }
      return v;
    }

    @Nullable String text(int at, String name) {
      int v = str(at, name);
      return v < 0 ? null : json.text(v);
    }

    /** An integer, also accepted as a string of digits (Vault writes some numbers as strings). */
    @Nullable Long integer(int at, String name) {
      return integerValue(json, json.field(at, name), name, what, ref);
    }

    /** {@link #integer} of a value found already (-1 for none). */
    static @Nullable Long integerValue(
        JsonReader json, int v, String name, @Nullable String what, @Nullable SecretRef ref) {
      if (v < 0 || json.kind(v) == JsonReader.NULL) {
        return null;
      }
      int kind = json.kind(v);
      Long n = kind == JsonReader.NUMBER ? json.integer(v) : kind == JsonReader.STRING ? json.digits(v) : null;
      if (n == null) {
        throw new SecretFormatException(named(what, ref) + ": '" + name + "' is not an integer", ref);
      }
      return n;
    }

    @Nullable Boolean bool(int at, String name) {
      int v = json.field(at, name);
      if (v < 0 || json.kind(v) == JsonReader.NULL) {
        return null;
      }
      int kind = json.kind(v);
      if (kind != JsonReader.TRUE && kind != JsonReader.FALSE) {
        throw new SecretFormatException(what + ": '" + name + "' is not a boolean", ref);
      }
      return kind == JsonReader.TRUE;
    }

    /** A non-empty string field read as a timestamp; {@code null} if absent, empty or in no known form. */
    @Nullable Instant instant(byte[] body, int at, String name) {
      int v = json.field(at, name);
      return instantValue(json, body, v, v < 0 ? -1 : json.end(v), name, what, ref);
    }

    /** {@link #instant} of a value found already ({@code v} -1 for none; {@code end} just past it). */
    static @Nullable Instant instantValue(JsonReader json, byte[] body, int v, int end, String name,
        @Nullable String what, @Nullable SecretRef ref) {
      if (v < 0 || json.kind(v) == JsonReader.NULL) {
        return null;
      }
      if (json.kind(v) != JsonReader.STRING) {
        throw new SecretFormatException(named(what, ref) + ": '" + name + "' is not a string", ref);
      }
      if (json.isEmptyString(v)) {
        return null;
      }
      Instant fast = rfc3339(body, v + 1, end - 1); // a string with an escape is not in this form
      if (fast != null) {
        return fast;
      }
      try {
        return OffsetDateTime.parse(json.text(v)).toInstant();
      } catch (DateTimeParseException e) {
        return null;
      }
    }

    /** The object at {@code at} as the secret's value: its exact JSON text, kept as UTF-8. */
    SecretValue value(int at) {
      try {
        return SecretValue.wrapUtf8(json.rawBytes(at));
      } catch (SecretFormatException e) {
        throw new SecretFormatException(what + ": the secret's data is not well-formed UTF-8", ref);
      }
    }
  }

  /**
   * Vault's usual timestamp form, {@code 2026-01-15T09:12:44.123456789Z} (or with an offset),
   * read without {@code DateTimeFormatter}, which costs a few kilobytes per call.
   *
   * @param t the text
   * @return the instant, or {@code null} if the text is in another form
   */
  static @Nullable Instant rfc3339(CharSequence t) {
    byte[] ascii = new byte[t.length()];
    for (int i = 0; i < ascii.length; i++) {
      char c = t.charAt(i);
      if (c >= 0x80) {
        return null;
      }
      ascii[i] = (byte) c;
    }
    return rfc3339(ascii, 0, ascii.length);
  }

  /**
   * {@link #rfc3339(CharSequence)} of ASCII text in {@code t[from, to)}, read where it lies.
   *
   * @param t the bytes
   * @param from where the text starts
   * @param to where it ends (exclusive)
   * @return the instant, or {@code null} if the text is in another form
   */
  static @Nullable Instant rfc3339(byte[] t, int from, int to) {
    int n = to - from;
    if (n < 20 || t[from + 4] != '-' || t[from + 7] != '-' || (t[from + 10] != 'T' && t[from + 10] != 't')
        || t[from + 13] != ':' || t[from + 16] != ':') {
      return null;
    }
    int year = digits(t, from, 4);
    int month = digits(t, from + 5, 2);
    int day = digits(t, from + 8, 2);
    int hour = digits(t, from + 11, 2);
    int minute = digits(t, from + 14, 2);
    int second = digits(t, from + 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
        || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    int i = from + 19;
    long nanos = 0;
    if (i < to && t[i] == '.') {
      int start = ++i;
      while (i < to && t[i] >= '0' && t[i] <= '9') {
        if (i - start < 9) {
          nanos = nanos * 10 + (t[i] - '0');
        }
        i++;
      }
      int count = i - start;
      if (count == 0) {
        return null;
      }
      for (int k = count; k < 9; k++) {
        nanos *= 10;
      }
    }
    int offsetSeconds;
    if (i == to - 1 && (t[i] == 'Z' || t[i] == 'z')) {
      offsetSeconds = 0;
    } else if (i == to - 6 && (t[i] == '+' || t[i] == '-') && t[i + 3] == ':') {
      int oh = digits(t, i + 1, 2);
      int om = digits(t, i + 4, 2);
      if (oh < 0 || oh > 18 || om < 0 || om > 59) {
        return null;
      }
      offsetSeconds = (t[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return null;
    }
    boolean leap = (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
    if (day > (month == 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1])) {
      return null;
    }
    long epochDay = epochDay(year, month, day);
    long epochSecond = epochDay * 86400 + hour * 3600L + minute * 60L + second - offsetSeconds;
    return Instant.ofEpochSecond(epochSecond, nanos);
  }

  private static final int[] DAYS_IN_MONTH = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

  /** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (as {@code LocalDate} counts). */
  static long epochDay(int year, int month, int day) {
    // Count years from March, so that the leap day ends the year.
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yearOfEra = y - era * 400;
    long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146097 + dayOfEra - 719468;
  }

  private static int digits(byte[] t, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      int c = t[i];
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /**
   * A KV v2 read that answered 200.
   *
   * @param body the answer
   * @param ref the reference
   * @param route the route
   * @param stages the stages to give the version
   * @return the secret, owned by the caller
   */
  public static Secret kv2(byte[] body, SecretRef ref, Route route, Set<VersionStage> stages) {
    // One pass checks the answer and finds every member read here: no search afterwards.
    JsonReader json = Answer.check(body, ref, KV2_PATHS);
    int outer = json.found(KV2_OUTER);
    if (outer < 0 || json.kind(outer) == JsonReader.NULL) {
      throw new SecretFormatException(what(ref) + " has no 'data' block; is '" + route.mount()
          + "' really a KV v2 mount?", ref);
    }
    Answer.objectOrNull(json, outer, "data", null, ref);
    int data = Answer.objectOrNull(json, json.found(KV2_DATA), "data", null, ref);
    int meta = Answer.objectOrNull(json, json.found(KV2_META), "metadata", null, ref);
    Long version = meta < 0 ? null : Answer.integerValue(json, json.found(KV2_VERSION), "version", null, ref);
    if (data < 0) {
      throw notFound(body, ref, route);
    }
    if (version == null) {
      throw new SecretFormatException(what(ref) + " has no 'data.metadata.version'; is '" + route.mount()
          + "' really a KV v2 mount?", ref);
    }
    Instant created = meta < 0 ? null
        : Answer.instantValue(json, body, json.found(KV2_CREATED), json.foundEnd(KV2_CREATED), "created_time", null, ref);
    int custom = meta < 0 ? -1 : Answer.objectOrNull(json, json.found(KV2_CUSTOM), "custom_metadata", null, ref);
    Map<String, String> metadata;
    if (custom < 0 || json.firstMember(custom) < 0) {
      metadata = kv2Metadata(route);
    } else {
      metadata = kv2Metadata(route, json, custom);
    }
    Secret.Builder b = Secret.builder(ref.name())
        .versionId(versionText(version))
        .stages(stages)
        .metadata(metadata);
    if (created != null) {
      b.createdAt(created);
    }
    // The data object's exact bytes, checked just now: its fields are read where they lie.
    return b.value(ValueAccess.adoptCheckedObject(json.rawBytes(data, json.foundEnd(KV2_DATA)), json.isAscii()))
        .build();
  }

  private static final JsonReader.Paths KV2_PATHS = JsonReader.Paths.of("data", "data.data", "data.metadata",
      "data.metadata.version", "data.metadata.created_time", "data.metadata.custom_metadata");
  private static final int KV2_OUTER = 0;
  private static final int KV2_DATA = 1;
  private static final int KV2_META = 2;
  private static final int KV2_VERSION = 3;
  private static final int KV2_CREATED = 4;
  private static final int KV2_CUSTOM = 5;

  /**
   * The metadata of a KV v2 secret with custom metadata: the string entries of {@code custom}
   * after the three of the route (which win over custom entries of their names), made immutable
   * at once for up to three custom entries (the builder keeps an immutable map as it is).
   */
  private static Map<String, String> kv2Metadata(Route route, JsonReader json, int custom) {
    String[] kv = new String[6];
    int n = 0;
    for (int m = json.firstMember(custom); m >= 0; m = json.nextMember(m)) {
      int v = json.memberValue(m);
      if (json.kind(v) != JsonReader.STRING) {
        continue;
      }
      String name = json.name(m);
      if (name.equals("vault.engine") || name.equals("vault.mount") || name.equals("vault.path")) {
        continue;
      }
      if (n == kv.length) {
        n = -1;
        break;
      }
      kv[n++] = name;
      kv[n++] = json.text(v);
    }
    String mount = route.mount();
    String path = route.path();
    switch (n) {
      case 0:
        return kv2Metadata(route);
      case 2:
        return Map.of("vault.engine", "kv-v2", "vault.mount", mount, "vault.path", path, kv[0], kv[1]);
      case 4:
        return Map.of("vault.engine", "kv-v2", "vault.mount", mount, "vault.path", path, kv[0], kv[1], kv[2], kv[3]);
      case 6:
        return Map.of("vault.engine", "kv-v2", "vault.mount", mount, "vault.path", path, kv[0], kv[1], kv[2], kv[3],
            kv[4], kv[5]);
      default:
        Map<String, String> all = baseMetadata(route, "kv-v2");
        for (int m = json.firstMember(custom); m >= 0; m = json.nextMember(m)) {
          int v = json.memberValue(m);
          if (json.kind(v) == JsonReader.STRING) {
            all.putIfAbsent(json.name(m), json.text(v));
          }
        }
        return all;
    }
  }

  /** Version numbers as text, the first ones made once. */
  private static final String[] VERSION_TEXT = new String[256];

  static {
    for (int i = 0; i < VERSION_TEXT.length; i++) {
      VERSION_TEXT[i] = Integer.toString(i);
    }
  }

  private static String versionText(long version) {
    return version >= 0 && version < VERSION_TEXT.length ? VERSION_TEXT[(int) version] : Long.toString(version);
  }

  /** The metadata of a KV v2 secret without custom metadata, one immutable map per route, a bounded number kept. */
  private static final Map<Route, Map<String, String>> KV2_METADATA = new java.util.concurrent.ConcurrentHashMap<>();
  private static final int KV2_METADATA_MAX = 4096;

  private static Map<String, String> kv2Metadata(Route route) {
    Map<String, String> m = KV2_METADATA.get(route);
    if (m == null) {
      m = Map.of("vault.engine", "kv-v2", "vault.mount", route.mount(), "vault.path", route.path());
      if (KV2_METADATA.size() >= KV2_METADATA_MAX) {
        KV2_METADATA.clear();
      }
      KV2_METADATA.put(route, m);
    }
    return m;
  }

  /**
   * The error for a KV v2 read that answered 404: a deleted or destroyed version (Vault sends its
   * metadata with {@code data: null}) or no secret at all. The deletion time is given only as the
   * instant it parses to, never as the answer's text.
   *
   * @param body the answer
   * @param ref the reference
   * @param route the route
   * @return the exception to throw
   */
  public static SecretNotFoundException notFound(byte[] body, SecretRef ref, Route route) {
    String where = "vault secret '" + route.mount() + "/" + route.path() + "'";
    try {
      Answer a = new Answer(body, what(ref), ref);
      int outer = a.obj(a.root(), "data");
      int meta = a.obj(outer, "metadata");
      if (meta >= 0) {
        Long version = a.integer(meta, "version");
        Boolean destroyed = a.bool(meta, "destroyed");
        String deleted = a.text(meta, "deletion_time");
        String v = version == null ? "asked for" : Long.toString(version);
        if (Boolean.TRUE.equals(destroyed)) {
          return new SecretNotFoundException(
              where + ": version " + v + " was destroyed; its data is gone. Read another version", ref);
        }
        if (deleted != null && !deleted.isEmpty()) {
          Instant at = a.instant(body, meta, "deletion_time");
          return new SecretNotFoundException(
              where + ": version " + v + " was deleted" + (at == null ? "" : " at " + at)
                  + "; undelete it in Vault or read another version", ref);
        }
      }
    } catch (SecretFormatException e) {
      // Not a KV v2 metadata answer: a plain "nothing here".
    }
    return new SecretNotFoundException(
        where + " does not exist" + ref.version().map(v -> " in version " + v).orElse("")
            + " (HTTP 404); check the path and the mount", ref);
  }

  /**
   * KV v2 metadata ({@code <mount>/metadata/<path>}).
   *
   * @param body the answer
   * @param ref the reference
   * @return the metadata
   */
  public static Kv2Metadata kv2Metadata(byte[] body, SecretRef ref) {
    String what = "Vault's metadata answer for '" + ref.name() + "'";
    Answer a = new Answer(body, what, ref);
    int data = a.obj(a.root(), "data");
    if (data < 0) {
      throw new SecretFormatException(what + " has no 'data' block", ref);
    }
    Long current = a.integer(data, "current_version");
    if (current == null) {
      throw new SecretFormatException(what + " has no 'data.current_version'", ref);
    }
    Map<Long, VersionState> versions = new TreeMap<>();
    int vs = a.obj(data, "versions");
    if (vs >= 0) {
      JsonReader json = a.json;
      for (int m = json.firstMember(vs); m >= 0; m = json.nextMember(m)) {
        Long n = json.digits(m);
        if (n == null) {
          throw new SecretFormatException(what + ": 'data.versions' has a key that is not a version number", ref);
        }
        int v = json.memberValue(m);
        if (json.kind(v) == JsonReader.NULL) {
          continue;
        }
        if (json.kind(v) != JsonReader.OBJECT) {
          throw new SecretFormatException(what + ": a version in 'data.versions' is not a JSON object", ref);
        }
        String deleted = a.text(v, "deletion_time");
        Boolean destroyed = a.bool(v, "destroyed");
        versions.put(n, new VersionState(n, deleted != null && !deleted.isEmpty(), Boolean.TRUE.equals(destroyed)));
      }
    }
    return new Kv2Metadata(current, Collections.unmodifiableMap(versions));
  }

  /**
   * A KV v1 (or any other) read: {@code data} is the value; {@code lease_duration} is an advisory
   * TTL, given as {@code nextRotationAt} so a cache reads again then; a {@code lease_id} makes it
   * a lease.
   *
   * @param body the answer
   * @param ref the reference
   * @param route the route
   * @param now when the request was sent
   * @return the secret, owned by the caller
   */
  public static Secret kv1(byte[] body, SecretRef ref, Route route, Instant now) {
    String what = what(ref);
    Answer a = new Answer(body, what, ref);
    int data = a.obj(a.root(), "data");
    if (data < 0) {
      throw new SecretFormatException(what + " has no 'data' object", ref);
    }
    Long ttl = a.integer(a.root(), "lease_duration");
    String leaseId = a.text(a.root(), "lease_id");
    Boolean renewable = a.bool(a.root(), "renewable");
    Secret.Builder b = Secret.builder(ref.name()).stages(Set.of(VersionStage.CURRENT))
        .metadata(baseMetadata(route, "kv-v1"));
    if (leaseId != null && !leaseId.isEmpty()) {
      Lease lease = new Lease(leaseId, now, Duration.ofSeconds(ttl == null ? 0 : Math.max(0, ttl)),
          Boolean.TRUE.equals(renewable));
      // The lease states the end; an expiresAt would pin it against renewals.
      b.lease(lease);
    } else if (ttl != null && ttl > 0) {
      b.nextRotationAt(now.plusSeconds(ttl));
    }
    return b.value(a.value(data)).versionIdFromContent().build();
  }

  /**
   * Dynamic database credentials: {@code data} ({@code username}, {@code password}) under a lease
   * whose id is the version id.
   *
   * @param body the answer
   * @param ref the reference
   * @param route the route
   * @param issuedAt when the request was sent
   * @return the secret, owned by the caller
   */
  public static Secret databaseCreds(byte[] body, SecretRef ref, Route route, Instant issuedAt) {
    String what = what(ref);
    Answer a = new Answer(body, what, ref);
    int data = a.obj(a.root(), "data");
    String leaseId = a.text(a.root(), "lease_id");
    Long ttl = a.integer(a.root(), "lease_duration");
    Boolean renewable = a.bool(a.root(), "renewable");
    if (data < 0 || leaseId == null || leaseId.isEmpty() || ttl == null || ttl < 0) {
      throw new SecretFormatException(
          what + " lacks 'data', 'lease_id' or 'lease_duration': is '" + route.mount() + "' a database secrets mount?", ref);
    }
    Lease lease = new Lease(leaseId, issuedAt, Duration.ofSeconds(ttl), Boolean.TRUE.equals(renewable));
    Map<String, String> metadata = baseMetadata(route, "database");
    metadata.put("vault.role", route.path());
    return Secret.builder(ref.name())
        .value(a.value(data))
        .versionId(leaseId)
        .stages(Set.of(VersionStage.CURRENT))
        .lease(lease)
        .metadata(metadata)
        .build();
  }

  /**
   * A static database role: {@code data} holds {@code username}, {@code password}, {@code ttl}
   * (seconds to the next rotation) and {@code last_vault_rotation} (the version id).
   *
   * @param body the answer
   * @param ref the reference
   * @param route the route
   * @param now when the request was sent
   * @return the secret, owned by the caller
   */
  public static Secret databaseStatic(byte[] body, SecretRef ref, Route route, Instant now) {
    String what = what(ref);
    Answer a = new Answer(body, what, ref);
    int data = a.obj(a.root(), "data");
    if (data < 0) {
      throw new SecretFormatException(what + " has no 'data' object", ref);
    }
    Long ttl = a.integer(data, "ttl");
    Long period = a.integer(data, "rotation_period");
    String lastRotation = a.text(data, "last_vault_rotation");
    Map<String, String> metadata = baseMetadata(route, "database-static");
    metadata.put("vault.role", route.path());
    if (period != null) {
      metadata.put("vault.rotation_period", Long.toString(period));
    }
    Secret.Builder b = Secret.builder(ref.name()).stages(Set.of(VersionStage.CURRENT)).metadata(metadata);
    if (ttl != null && ttl >= 0) {
      b.nextRotationAt(now.plusSeconds(ttl));
    }
    if (lastRotation != null && !lastRotation.isEmpty()) {
      Instant rotated = a.instant(body, data, "last_vault_rotation");
      if (rotated != null) {
        b.createdAt(rotated);
      }
      return b.value(a.value(data)).versionId(lastRotation).build();
    }
    return b.value(a.value(data)).versionIdFromContent().build();
  }

  /**
   * A lease renewal's answer. A renewal that grants less than asked, or that does not move the
   * end of the lease later, has hit the role's maximum TTL: the lease returned is then marked not
   * renewable, so that a cache fetches new credentials while these still work.
   *
   * @param body the answer
   * @param old the lease renewed
   * @param increment the increment asked for
   * @param issuedAt when the request was sent
   * @return the renewed lease
   */
  public static Lease renewedLease(byte[] body, Lease old, Duration increment, Instant issuedAt) {
    String what = "Vault's answer to renewing lease '" + old.id() + "'";
    Answer a = new Answer(body, what, null);
    Long ttl = a.integer(a.root(), "lease_duration");
    Boolean renewable = a.bool(a.root(), "renewable");
    String id = a.text(a.root(), "lease_id");
    if (ttl == null || ttl < 0) {
      throw new SecretFormatException(what + " has no 'lease_duration'");
    }
    Duration granted = Duration.ofSeconds(ttl);
    Instant end = issuedAt.plus(granted);
    boolean capped = granted.compareTo(increment) < 0 || !end.isAfter(old.expiresAt());
    return new Lease(id == null || id.isEmpty() ? old.id() : id, issuedAt, granted,
        Boolean.TRUE.equals(renewable) && !capped);
  }
}
