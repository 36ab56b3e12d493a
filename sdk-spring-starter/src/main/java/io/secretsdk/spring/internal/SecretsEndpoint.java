package io.secretsdk.spring.internal;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.VersionStage;
import io.secretsdk.cache.CacheStats;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.spring.SecretsProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The actuator endpoint {@code secrets} ({@code GET /actuator/secrets}): every secret the cache
 * has read, with its version, stages, age, planned refresh, lease remaining and overlap state, the
 * calls of each backend, and the cache's statistics. Never a value: only what {@link
 * SecretsActivity} records (metadata) and the version id of {@link SecretCache#previous}.
 */
@Endpoint(id = "secrets")
public final class SecretsEndpoint {
  private final SecretCache cache;
  private final SecretsActivity activity;
  private final SecretsProperties properties;
  private final List<String> configured;

  /**
   * An endpoint.
   *
   * @param cache the cache
   * @param activity the recorder
   * @param properties the cache's timing
   * @param configured the configured backends' names
   */
  public SecretsEndpoint(SecretCache cache, SecretsActivity activity, SecretsProperties properties,
      List<String> configured) {
    this.cache = cache;
    this.activity = activity;
    this.properties = properties;
    this.configured = List.copyOf(configured);
  }

  /**
   * The report.
   *
   * @return {@code configuredBackends}, {@code backends}, {@code secrets}, {@code cache}
   */
  @ReadOperation
  public Map<String, Object> report() {
    Instant now = activity.clock().instant();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("configuredBackends", configured);
    Map<String, Object> backends = new LinkedHashMap<>();
    activity.backends().forEach((scheme, b) -> {
      Map<String, Object> m = b.counts();
      m.put("lastSuccessAt", text(b.lastSuccessAt()));
      m.put("lastFailureAt", text(b.lastFailureAt()));
      backends.put(scheme, m);
    });
    out.put("backends", backends);
    List<Map<String, Object>> secrets = new ArrayList<>();
    activity.secrets().forEach((uri, s) -> secrets.add(secret(s, now)));
    out.put("secrets", secrets);
    CacheStats st = cache.stats();
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("hits", st.hits());
    stats.put("misses", st.misses());
    stats.put("loads", st.loads());
    stats.put("loadFailures", st.loadFailures());
    stats.put("refreshes", st.refreshes());
    stats.put("refreshFailures", st.refreshFailures());
    stats.put("rotations", st.rotations());
    stats.put("staleServed", st.staleServed());
    stats.put("evictions", st.evictions());
    out.put("cache", stats);
    return out;
  }

  private Map<String, Object> secret(SecretsActivity.SecretState s, Instant now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ref", s.ref().toUri());
    m.put("scheme", s.scheme());
    m.put("version", s.versionId());
    List<String> stages = new ArrayList<>();
    for (VersionStage st : new TreeSet<>(s.stages())) {
      stages.add(st.name());
    }
    m.put("stages", stages);
    m.put("createdAt", text(s.createdAt()));
    m.put("fetchedAt", text(s.fetchedAt()));
    if (s.fetchedAt() != null) {
      SecretTimes t = SecretTimes.of(s, properties.getCache());
      m.put("ageSeconds", Duration.between(s.fetchedAt(), now).toSeconds());
      m.put("nextRefreshAt", text(t.refreshAt()));
      m.put("lifetimeEndsAt", text(t.lifetimeEndsAt()));
      m.put("servableUntil", text(t.servableUntil()));
      m.put("leaseRemainingSeconds", t.leaseEndsAt() == null ? null
          : Math.max(0, Duration.between(now, t.leaseEndsAt()).toSeconds()));
      m.put("renewable", s.lease() == null ? null : s.lease().renewable());
    }
    m.put("expiresAt", text(s.expiresAt()));
    m.put("nextRotationAt", text(s.nextRotationAt()));
    Map<String, Object> overlap = new LinkedHashMap<>();
    Optional<Secret> previous = previous(s.ref());
    boolean active = previous.isPresent();
    overlap.put("active", active);
    overlap.put("previousVersion", previous.map(Secret::versionId).orElse(active ? s.previousVersion() : null));
    overlap.put("until", active && s.overlapUntil() != null ? s.overlapUntil().toString() : null);
    m.put("overlap", overlap);
    m.put("rotations", s.rotations());
    m.put("lastFailure", s.lastFailure());
    m.put("consecutiveFailures", s.consecutiveFailures());
    return m;
  }

  private Optional<Secret> previous(SecretRef ref) {
    try {
      return cache.previous(ref);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static @Nullable String text(@Nullable Instant i) {
    return i == null ? null : i.toString();
  }
}
