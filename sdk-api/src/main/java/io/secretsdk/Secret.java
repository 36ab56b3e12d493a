package io.secretsdk;

import com.fasterxml.jackson.annotation.JsonValue;
import io.secretsdk.internal.ContentHash;
import io.secretsdk.internal.JsonFields;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One version of one secret: its value and what the backend says about it.
 *
 * <p>Everything but {@link #value()} (and the fields parsed from it) is metadata that is safe to
 * log: the name, version id, stages, labels, dates and the backend's non-secret tags.
 *
 * <p>{@link #field(String)} reads a top-level field of a JSON object value. Each field is read on
 * its first use (the whole value is checked then, and only that field is decoded), without making
 * a {@link String} of any field's value; the fields are borrowed views that are destroyed together
 * with the secret's value.
 *
 * <p>Immutable and thread-safe. {@code toString()} shows the name and version only.
 */
public final class Secret {
  private final String name;
  private final String versionId;
  private final Set<VersionStage> stages;
  private final Set<String> labels;
  private final @Nullable Instant createdAt;
  private final @Nullable Lease lease;
  private final @Nullable Instant expiresAt;
  private final @Nullable Instant nextRotationAt;
  private final Map<String, String> metadata;
  private final SecretValue value;

  /** The fields read so far; shared with a copy built on the same value object and version. */
  private volatile @Nullable ParsedFields parsed;

  /** The one-stage sets by ordinal, made once (most secrets have one stage). */
  private static final List<Set<VersionStage>> ONE_STAGE = java.util.Arrays.stream(VersionStage.values())
      .map(s -> Collections.unmodifiableSet(EnumSet.of(s))).collect(java.util.stream.Collectors.toUnmodifiableList());

  private Secret(Builder b, SecretValue value, String versionId) {
    this.name = b.name;
    this.versionId = versionId;
    this.stages = b.stages.isEmpty() ? Set.of()
        : b.stages.size() == 1 ? ONE_STAGE.get(b.stages.iterator().next().ordinal())
        : Collections.unmodifiableSet(EnumSet.copyOf(b.stages));
    this.labels = Set.copyOf(b.labels);
    this.createdAt = b.createdAt;
    this.lease = b.lease;
    this.expiresAt = b.expiresAt;
    this.nextRotationAt = b.nextRotationAt;
    this.metadata = b.metadata; // an immutable copy already
    this.value = value;
    Secret origin = b.origin;
    // Made on the first field read; a copy on the same value and version shares its origin's.
    this.parsed = origin != null && origin.value == value && origin.versionId.equals(versionId)
        ? origin.parsedFields()
        : null;
  }

  /**
   * Starts a secret; used by {@link SecretSource} implementations.
   *
   * @param name the secret's name as the backend knows it
   * @return a builder
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Starts a copy of this secret's metadata, to build a secret with another value or stages. A
   * secret built from it on this secret's own {@link #value()} object and version id shares the
   * fields already read from it instead of reading (and copying) them again.
   *
   * @return a builder holding everything but the value
   */
  public Builder toBuilder() {
    Builder b = new Builder(name).versionId(versionId).stages(stages).labels(labels).metadata(metadata);
    if (createdAt != null) {
      b.createdAt(createdAt);
    }
    if (lease != null) {
      b.lease(lease);
    }
    if (expiresAt != null) {
      b.expiresAt(expiresAt);
    }
    if (nextRotationAt != null) {
      b.nextRotationAt(nextRotationAt);
    }
    b.origin = this;
    return b;
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
   * The backend's id of this version, or a keyed content hash where the backend has none.
   *
   * @return the version id
   */
  public String versionId() {
    return versionId;
  }

  /**
   * The normalized stages this version is in.
   *
   * @return an immutable set, possibly empty
   */
  public Set<VersionStage> stages() {
    return stages;
  }

  /**
   * The backend's own labels for this version ({@code AWSCURRENT}, aliases, ...).
   *
   * @return an immutable set, possibly empty
   */
  public Set<String> labels() {
    return labels;
  }

  /**
   * When the backend created this version.
   *
   * @return the creation time, if the backend states one
   */
  public Optional<Instant> createdAt() {
    return Optional.ofNullable(createdAt);
  }

  /**
   * The lease this value is valid under.
   *
   * @return the lease, if the value is leased
   */
  public Optional<Lease> lease() {
    return Optional.ofNullable(lease);
  }

  /**
   * The hard end of this value's validity.
   *
   * @return the expiry, where the backend states one
   */
  public Optional<Instant> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  /**
   * When the backend plans to rotate this secret next.
   *
   * @return the next rotation time, where the backend publishes a schedule
   */
  public Optional<Instant> nextRotationAt() {
    return Optional.ofNullable(nextRotationAt);
  }

  /**
   * Non-secret metadata: tags, content type, annotations, paths.
   *
   * @return an immutable map, possibly empty
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * The value. Whether it is owned or borrowed depends on where this secret came from: from a
   * {@link SecretSource} the caller owns it and closes it ({@code try (SecretValue v =
   * source.fetch(ref).value()) {...}}); from a {@code SecretCache} it is <b>borrowed</b>: never
   * close it (that throws), and do not keep it, since the cache zeroes it once its version is
   * replaced and the overlap ends; read it from the cache each time. {@link SecretValue#isBorrowed()}
   * tells which.
   *
   * @return the value
   */
  public SecretValue value() {
    return value;
  }

  /**
   * A top-level field of a JSON object value, as a borrowed view destroyed with the value.
   * Strings are unescaped; numbers and booleans are their JSON text.
   *
   * @param fieldName the field's name
   * @return the field's value
   * @throws SecretFormatException if the value is not a JSON object, is malformed, has duplicate
   *     fields, lacks this field, or holds an object, array or null in it
   * @throws IllegalStateException if the value is destroyed
   */
  public SecretValue field(String fieldName) {
    Objects.requireNonNull(fieldName, "fieldName");
    Object parsed = parsedField(fieldName);
    if (parsed == null) {
      throw new SecretFormatException(
          "secret '" + name + "' (version " + versionId + ") has no field '" + fieldName + "'",
          SecretRef.of(name).withField(fieldName));
    }
    if (parsed == JsonFields.Kind.NESTED) {
      throw new SecretFormatException(
          "field '" + fieldName + "' of secret '" + name + "' is a JSON object or array, not text",
          SecretRef.of(name).withField(fieldName));
    }
    if (parsed == JsonFields.Kind.NULL) {
      throw new SecretFormatException(
          "field '" + fieldName + "' of secret '" + name + "' is null",
          SecretRef.of(name).withField(fieldName));
    }
    return ((SecretValue) parsed).aliveField();
  }

  /**
   * The names of the top-level fields of a JSON object value.
   *
   * @return the field names in document order
   * @throws SecretFormatException if the value is not a well-formed JSON object without duplicates
   * @throws IllegalStateException if the value is destroyed
   */
  public Set<String> fieldNames() {
    synchronized (parsedFields()) {
      if (value.isDestroyed()) {
        throw destroyed();
      }
      return Collections.unmodifiableSet(
          value.withBytes(bytes -> JsonFields.names(bytes, "secret '" + name + "'")));
    }
  }

  /**
   * Reads one field on first use (checking the whole value; a value held as bytes is read where it
   * lies, so the field is a view of its bytes and nothing is copied): the field's value, {@link
   * JsonFields.Kind#NULL} or {@link JsonFields.Kind#NESTED}, or {@code null} if there is none.
   */
  private @Nullable Object parsedField(String fieldName) {
    ParsedFields holder = parsedFields();
    Object known = value.isDestroyed() ? null : holder.find(fieldName);
    if (known != null) {
      return known;
    }
    synchronized (holder) {
      if (value.isDestroyed()) {
        throw destroyed();
      }
      known = holder.find(fieldName);
      if (known != null) {
        return known;
      }
      Object read;
      try {
        read = value.readField(name, fieldName);
      } catch (SecretFormatException e) {
        // Read where it lies: a destruction racing the check shows as malformed content.
        if (value.isDestroyed()) {
          throw destroyed();
        }
        throw e;
      }
      if (value.isDestroyed()) {
        throw destroyed();
      }
      if (read != null) {
        holder.add(fieldName, read);
      }
      return read;
    }
  }

  private ParsedFields parsedFields() {
    ParsedFields p = parsed;
    if (p == null) {
      ParsedFields made = new ParsedFields();
      p = (ParsedFields) PARSED.compareAndExchange(this, null, made);
      if (p == null) {
        p = made;
      }
    }
    return p;
  }

  private static final java.lang.invoke.VarHandle PARSED;

  static {
    try {
      PARSED = java.lang.invoke.MethodHandles.lookup().findVarHandle(Secret.class, "parsed", ParsedFields.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private IllegalStateException destroyed() {
    return new IllegalStateException("the value of secret '" + name + "' has been destroyed");
  }

  /**
   * Shows the name and version only.
   *
   * @return a description without the value
   */
  @Override
  public String toString() {
    return "Secret[name=" + name + ", version=" + versionId + ", stages=" + stages + "]";
  }

  /** Makes Jackson data binding fail before it writes anything for this secret. */
  @JsonValue
  @SuppressWarnings("unused")
  private Object refuseSerialization() {
    throw new UnsupportedOperationException("a Secret cannot be serialized");
  }

  /**
   * The fields of one value read so far (most secrets have their one or two fields read): the
   * first in two fields, the others as name, read, name, read... Its monitor guards the reads;
   * readers find what was added without it.
   */
  private static final class ParsedFields {
    /** Set once, under the monitor, after {@link #firstRead}: publishes it. */
    private volatile @Nullable String firstName;
    private @Nullable Object firstRead;
    /** Replaced (never changed) under the monitor. */
    private volatile Object @Nullable [] more;

    @Nullable Object find(String fieldName) {
      String first = firstName;
      if (first == null) {
        return null;
      }
      if (first.equals(fieldName)) {
        return firstRead;
      }
      Object[] m = more;
      if (m != null) {
        for (int i = 0; i < m.length; i += 2) {
          if (m[i].equals(fieldName)) {
            return m[i + 1];
          }
        }
      }
      return null;
    }

    /** Holds the monitor. */
    void add(String fieldName, Object read) {
      if (firstName == null) {
        firstRead = read;
        firstName = fieldName;
        return;
      }
      Object[] m = more;
      Object[] grown = m == null ? new Object[2] : Arrays.copyOf(m, m.length + 2);
      grown[grown.length - 2] = fieldName;
      grown[grown.length - 1] = read;
      more = grown;
    }
  }

  /** Builds a {@link Secret}; {@code value} and {@code versionId} are required. */
  public static final class Builder {
    private final String name;
    private @Nullable String versionId;
    private @Nullable SecretValue value;
    private Set<VersionStage> stages = Set.of();
    private Set<String> labels = Set.of();
    private @Nullable Instant createdAt;
    private @Nullable Lease lease;
    private @Nullable Instant expiresAt;
    private @Nullable Instant nextRotationAt;
    private Map<String, String> metadata = Map.of();
    private @Nullable Secret origin;

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("a secret's name must not be blank");
      }
      this.name = name;
    }

    /**
     * Sets the backend's version id.
     *
     * @param versionId the version id
     * @return this builder
     */
    public Builder versionId(String versionId) {
      Objects.requireNonNull(versionId, "versionId");
      if (versionId.isEmpty()) {
        throw new IllegalArgumentException("versionId must not be empty");
      }
      this.versionId = versionId;
      return this;
    }

    /**
     * Sets the version id to a keyed hash of the value, for backends that have no version ids.
     * The key is random per process, so the id cannot be used to guess a value, and is stable
     * for the life of the process. Call after {@link #value(SecretValue)}.
     *
     * @return this builder
     * @throws IllegalStateException if no value is set yet
     */
    public Builder versionIdFromContent() {
      if (value == null) {
        throw new IllegalStateException("set the value before deriving a version id from it");
      }
      this.versionId = ContentHash.of(value);
      return this;
    }

    /**
     * Sets the value; the secret takes it as is (owned or borrowed).
     *
     * @param value the value
     * @return this builder
     */
    public Builder value(SecretValue value) {
      this.value = Objects.requireNonNull(value, "value");
      return this;
    }

    /**
     * Sets the normalized stages.
     *
     * @param stages the stages
     * @return this builder
     */
    public Builder stages(Set<VersionStage> stages) {
      this.stages = Set.copyOf(stages);
      return this;
    }

    /**
     * Sets the backend's own labels.
     *
     * @param labels the labels
     * @return this builder
     */
    public Builder labels(Set<String> labels) {
      this.labels = Set.copyOf(labels);
      return this;
    }

    /**
     * Sets the creation time.
     *
     * @param createdAt when the version was created
     * @return this builder
     */
    public Builder createdAt(Instant createdAt) {
      this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
      return this;
    }

    /**
     * Sets the lease.
     *
     * @param lease the lease the value is valid under
     * @return this builder
     */
    public Builder lease(Lease lease) {
      this.lease = Objects.requireNonNull(lease, "lease");
      return this;
    }

    /**
     * Sets the hard end of validity.
     *
     * @param expiresAt when the value stops being valid
     * @return this builder
     */
    public Builder expiresAt(Instant expiresAt) {
      this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
      return this;
    }

    /**
     * Sets the published next rotation time.
     *
     * @param nextRotationAt when the backend plans to rotate
     * @return this builder
     */
    public Builder nextRotationAt(Instant nextRotationAt) {
      this.nextRotationAt = Objects.requireNonNull(nextRotationAt, "nextRotationAt");
      return this;
    }

    /**
     * Sets non-secret metadata.
     *
     * @param metadata tags, content type, annotations
     * @return this builder
     */
    public Builder metadata(Map<String, String> metadata) {
      this.metadata = Map.copyOf(metadata);
      return this;
    }

    /**
     * Builds the secret.
     *
     * @return the secret
     * @throws IllegalStateException if the value or version id is missing
     */
    public Secret build() {
      if (value == null) {
        throw new IllegalStateException("secret '" + name + "': a value is required");
      }
      if (versionId == null) {
        throw new IllegalStateException("secret '" + name + "': a versionId is required");
      }
      return new Secret(this, value, versionId);
    }
  }
}
