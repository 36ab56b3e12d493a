package io.secretsdk.gcp.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a source remembers of each secret between reads: the secret's metadata from {@code
 * GetSecret}, which version {@code latest} was when it was asked, and which metadata calls the
 * caller may not make on it. Bounded (least recently used entries go first); thread-safe.
 */
public final class SecretInfos {
  /** How many secrets are remembered. */
  public static final int MAX_ENTRIES = 10_000;

  private final Map<String, Info> map = new LinkedHashMap<>(64, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Info> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  /** Starts empty. */
  public SecretInfos() {}

  /**
   * What is remembered of a secret.
   *
   * @param secretResource the secret's resource name, as asked for
   * @return the entry, or {@code null}
   */
  public synchronized @Nullable Info get(String secretResource) {
    return map.get(secretResource);
  }

  /**
   * Remembers a secret's entry.
   *
   * @param secretResource the secret's resource name, as asked for
   * @param info the entry
   */
  public synchronized void put(String secretResource, Info info) {
    map.put(secretResource, info);
  }

  /**
   * One secret's remembered state.
   *
   * @param latestSeen the version number {@code latest} had when the metadata was read, or {@code null}
   * @param expiresAt the secret's {@code expire_time}, or {@code null}
   * @param nextRotationAt the secret's {@code rotation.next_rotation_time}, or {@code null}
   * @param rotationTimePassed whether the metadata was read again after {@code nextRotationAt}
   *     passed and still named a past time (then it is not read again for that reason)
   * @param aliases the secret's version aliases, alias to version number
   * @param metadata the secret's labels and annotations, as {@code Secret.metadata()} shows them
   * @param metadataDenied whether {@code GetSecret} was refused for this secret
   * @param checksDenied whether {@code GetSecretVersion} was refused for this secret
   */
  public record Info(@Nullable String latestSeen, @Nullable Instant expiresAt, @Nullable Instant nextRotationAt,
      boolean rotationTimePassed, Map<String, Long> aliases, Map<String, String> metadata, boolean metadataDenied,
      boolean checksDenied) {
    /** Nothing known. */
    public static final Info NONE = new Info(null, null, null, false, Map.of(), Map.of(), false, false);

    /**
     * Copies the parts.
     *
     * @param latestSeen the version number of {@code latest}, or {@code null}
     * @param expiresAt the expiry, or {@code null}
     * @param nextRotationAt the next rotation, or {@code null}
     * @param rotationTimePassed whether a past rotation time was already re-read
     * @param aliases alias to version number
     * @param metadata labels and annotations
     * @param metadataDenied whether {@code GetSecret} was refused
     * @param checksDenied whether {@code GetSecretVersion} was refused
     */
    public Info {
      aliases = Map.copyOf(aliases);
      metadata = Map.copyOf(metadata);
    }

    /**
     * This entry with {@code GetSecret} marked refused.
     *
     * @return the new entry
     */
    public Info withMetadataDenied() {
      return new Info(latestSeen, expiresAt, nextRotationAt, rotationTimePassed, aliases, metadata, true, checksDenied);
    }

    /**
     * This entry with {@code GetSecretVersion} marked refused.
     *
     * @return the new entry
     */
    public Info withChecksDenied() {
      return new Info(latestSeen, expiresAt, nextRotationAt, rotationTimePassed, aliases, metadata, metadataDenied, true);
    }

    /**
     * This entry with another version of {@code latest}, its metadata kept (when {@code GetSecret}
     * may not be asked).
     *
     * @param latest the version number
     * @return the new entry
     */
    public Info withLatestSeen(@Nullable String latest) {
      return new Info(latest, expiresAt, nextRotationAt, rotationTimePassed, aliases, metadata, metadataDenied,
          checksDenied);
    }
  }
}
