package io.secretsdk.vault.internal;

import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionStage;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Reads Vault's answers into {@link Secret}s. A secret's value is the JSON object Vault holds it
 * in ({@code data.data} for KV v2, {@code data} otherwise), copied byte for byte out of the answer
 * and decoded straight into the value's {@code char[]}: no value ever becomes a {@link String}.
 * Every method either returns or throws a {@link io.secretsdk.SecretException}; the caller wipes
 * the body.
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
    Map<String, String> m = new LinkedHashMap<>();
    m.put("vault.engine", engine);
    m.put("vault.mount", route.mount());
    m.put("vault.path", route.path());
    return m;
  }

  private static SecretValue valueOf(Json.Obj data, byte[] body, SecretRef ref) {
    byte[] json = data.copyBytes(body);
    try {
      return SecretValue.fromUtf8(json);
    } catch (SecretFormatException e) {
      throw new SecretFormatException(what(ref) + ": the secret's data is not well-formed UTF-8", ref);
    } finally {
      Arrays.fill(json, (byte) 0);
    }
  }

  private static @Nullable Instant instant(Json.Obj o, String field, byte[] body, String what, SecretRef ref) {
    String text = Json.text(o, field, body, what, ref);
    if (text == null || text.isEmpty()) {
      return null;
    }
    Instant fast = rfc3339(text);
    if (fast != null) {
      return fast;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * Vault's usual timestamp form, {@code 2026-01-15T09:12:44.123456789Z} (or with an offset),
   * read without {@code DateTimeFormatter}, which costs a few kilobytes per call.
   *
   * @param t the text
   * @return the instant, or {@code null} if the text is in another form
   */
  static @Nullable Instant rfc3339(String t) {
    int n = t.length();
    if (n < 20 || t.charAt(4) != '-' || t.charAt(7) != '-' || (t.charAt(10) != 'T' && t.charAt(10) != 't')
        || t.charAt(13) != ':' || t.charAt(16) != ':') {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 2);
    int day = digits(t, 8, 2);
    int hour = digits(t, 11, 2);
    int minute = digits(t, 14, 2);
    int second = digits(t, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
        || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    int i = 19;
    long nanos = 0;
    if (i < n && t.charAt(i) == '.') {
      int start = ++i;
      while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
        if (i - start < 9) {
          nanos = nanos * 10 + (t.charAt(i) - '0');
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
    if (i == n - 1 && (t.charAt(i) == 'Z' || t.charAt(i) == 'z')) {
      offsetSeconds = 0;
    } else if (i == n - 6 && (t.charAt(i) == '+' || t.charAt(i) == '-') && t.charAt(i + 3) == ':') {
      int oh = digits(t, i + 1, 2);
      int om = digits(t, i + 4, 2);
      if (oh < 0 || oh > 18 || om < 0 || om > 59) {
        return null;
      }
      offsetSeconds = (t.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return null;
    }
    if (day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
      return null;
    }
    long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
    long epochSecond = epochDay * 86400 + hour * 3600L + minute * 60L + second - offsetSeconds;
    return Instant.ofEpochSecond(epochSecond, nanos);
  }

  private static int digits(String t, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = t.charAt(i);
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
    String what = what(ref);
    Json.Obj root = Json.parse(body, what, ref);
    Json.Obj outer = Json.obj(root, "data", what, ref);
    if (outer == null) {
      throw new SecretFormatException(what + " has no 'data' block; is '" + route.mount() + "' really a KV v2 mount?", ref);
    }
    Json.Obj meta = Json.obj(outer, "metadata", what, ref);
    Json.Obj data = Json.obj(outer, "data", what, ref);
    Long version = meta == null ? null : Json.integer(meta, "version", body, what, ref);
    if (data == null) {
      throw notFound(body, ref, route);
    }
    if (version == null) {
      throw new SecretFormatException(what + " has no 'data.metadata.version'; is '" + route.mount()
          + "' really a KV v2 mount?", ref);
    }
    Map<String, String> metadata = baseMetadata(route, "kv-v2");
    Instant created = instant(meta, "created_time", body, what, ref);
    Json.Obj custom = Json.obj(meta, "custom_metadata", what, ref);
    if (custom != null) {
      for (String key : custom.names()) {
        Json.Node n = custom.get(key);
        if (n instanceof Json.Str && !metadata.containsKey(key)) {
          metadata.put(key, ((Json.Str) n).text(body, what));
        }
      }
    }
    Secret.Builder b = Secret.builder(ref.name())
        .versionId(Long.toString(version))
        .stages(stages)
        .metadata(metadata);
    if (created != null) {
      b.createdAt(created);
    }
    return b.value(valueOf(data, body, ref)).build();
  }

  /**
   * The error for a KV v2 read that answered 404: a deleted or destroyed version (Vault sends its
   * metadata with {@code data: null}) or no secret at all.
   *
   * @param body the answer
   * @param ref the reference
   * @param route the route
   * @return the exception to throw
   */
  public static SecretNotFoundException notFound(byte[] body, SecretRef ref, Route route) {
    String where = "vault secret '" + route.mount() + "/" + route.path() + "'";
    try {
      String what = what(ref);
      Json.Obj root = Json.parse(body, what, ref);
      Json.Obj outer = Json.obj(root, "data", what, ref);
      Json.Obj meta = outer == null ? null : Json.obj(outer, "metadata", what, ref);
      if (meta != null) {
        Long version = Json.integer(meta, "version", body, what, ref);
        Boolean destroyed = Json.bool(meta, "destroyed", what, ref);
        String deleted = Json.text(meta, "deletion_time", body, what, ref);
        String v = version == null ? "asked for" : Long.toString(version);
        if (Boolean.TRUE.equals(destroyed)) {
          return new SecretNotFoundException(
              where + ": version " + v + " was destroyed; its data is gone. Read another version", ref);
        }
        if (deleted != null && !deleted.isEmpty()) {
          return new SecretNotFoundException(
              where + ": version " + v + " was deleted at " + deleted
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
    Json.Obj root = Json.parse(body, what, ref);
    Json.Obj data = Json.obj(root, "data", what, ref);
    if (data == null) {
      throw new SecretFormatException(what + " has no 'data' block", ref);
    }
    Long current = Json.integer(data, "current_version", body, what, ref);
    if (current == null) {
      throw new SecretFormatException(what + " has no 'data.current_version'", ref);
    }
    Map<Long, VersionState> versions = new TreeMap<>();
    Json.Obj vs = Json.obj(data, "versions", what, ref);
    if (vs != null) {
      for (String key : vs.names()) {
        long n;
        try {
          n = Long.parseLong(key);
        } catch (NumberFormatException e) {
          throw new SecretFormatException(what + ": 'data.versions' has a key that is not a version number", ref);
        }
        Json.Obj v = Json.obj(vs, key, what, ref);
        if (v == null) {
          continue;
        }
        String deleted = Json.text(v, "deletion_time", body, what, ref);
        Boolean destroyed = Json.bool(v, "destroyed", what, ref);
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
    Json.Obj root = Json.parse(body, what, ref);
    Json.Obj data = Json.obj(root, "data", what, ref);
    if (data == null) {
      throw new SecretFormatException(what + " has no 'data' object", ref);
    }
    Long ttl = Json.integer(root, "lease_duration", body, what, ref);
    String leaseId = Json.text(root, "lease_id", body, what, ref);
    Boolean renewable = Json.bool(root, "renewable", what, ref);
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
    return b.value(valueOf(data, body, ref)).versionIdFromContent().build();
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
    Json.Obj root = Json.parse(body, what, ref);
    Json.Obj data = Json.obj(root, "data", what, ref);
    String leaseId = Json.text(root, "lease_id", body, what, ref);
    Long ttl = Json.integer(root, "lease_duration", body, what, ref);
    Boolean renewable = Json.bool(root, "renewable", what, ref);
    if (data == null || leaseId == null || leaseId.isEmpty() || ttl == null || ttl < 0) {
      throw new SecretFormatException(
          what + " lacks 'data', 'lease_id' or 'lease_duration': is '" + route.mount() + "' a database secrets mount?", ref);
    }
    Lease lease = new Lease(leaseId, issuedAt, Duration.ofSeconds(ttl), Boolean.TRUE.equals(renewable));
    Map<String, String> metadata = baseMetadata(route, "database");
    metadata.put("vault.role", route.path());
    return Secret.builder(ref.name())
        .value(valueOf(data, body, ref))
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
    Json.Obj root = Json.parse(body, what, ref);
    Json.Obj data = Json.obj(root, "data", what, ref);
    if (data == null) {
      throw new SecretFormatException(what + " has no 'data' object", ref);
    }
    Long ttl = Json.integer(data, "ttl", body, what, ref);
    Long period = Json.integer(data, "rotation_period", body, what, ref);
    String lastRotation = Json.text(data, "last_vault_rotation", body, what, ref);
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
      Instant rotated = instant(data, "last_vault_rotation", body, what, ref);
      if (rotated != null) {
        b.createdAt(rotated);
      }
      return b.value(valueOf(data, body, ref)).versionId(lastRotation).build();
    }
    return b.value(valueOf(data, body, ref)).versionIdFromContent().build();
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
    Json.Obj root = Json.parse(body, what, null);
    Long ttl = Json.integer(root, "lease_duration", body, what, null);
    Boolean renewable = Json.bool(root, "renewable", what, null);
    String id = Json.text(root, "lease_id", body, what, null);
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
