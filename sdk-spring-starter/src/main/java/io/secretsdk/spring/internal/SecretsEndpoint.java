package io.secretsdk.spring.internal;

import io.secretsdk.VersionStage;
import io.secretsdk.cache.CacheSnapshot;
import io.secretsdk.cache.CacheSnapshot.Overlap;
import io.secretsdk.cache.CacheSnapshot.SecretState;
import io.secretsdk.cache.CacheStats;
import io.secretsdk.cache.SecretCache;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The actuator endpoint {@code secrets} ({@code GET /actuator/secrets}): the cache's own view of
 * itself ({@link SecretCache#snapshot()}): every entry with its version, stages, phase, age, next
 * planned step and why, lease remaining and overlap state; every backend with its circuit breaker;
 * and the cache's counters. Never a value, never a lease id.
 */
@Endpoint(id = "secrets")
public final class SecretsEndpoint {
  private final SecretCache cache;
  private final List<String> configured;

  /**
   * An endpoint.
   *
   * @param cache the cache
   * @param configured the configured backends' names
   */
  public SecretsEndpoint(SecretCache cache, List<String> configured) {
    this.cache = cache;
    this.configured = List.copyOf(configured);
  }

  /**
   * The report.
   *
   * @return {@code takenAt}, {@code configuredBackends}, {@code backends}, {@code secrets}, {@code cache}
   */
  @ReadOperation
  public Map<String, Object> report() {
    CacheSnapshot snap = cache.snapshot();
    Instant now = snap.takenAt();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("takenAt", now.toString());
    out.put("configuredBackends", configured);
    Map<String, Object> backends = new LinkedHashMap<>();
    snap.backends().forEach(b -> backends.put(b.scheme(), SecretsHealthIndicator.backend(b)));
    out.put("backends", backends);
    List<Map<String, Object>> secrets = new ArrayList<>();
    snap.secrets().forEach(s -> secrets.add(secret(s, now)));
    out.put("secrets", secrets);
    out.put("cache", stats(snap.stats()));
    return out;
  }

  private static Map<String, Object> secret(SecretState s, Instant now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ref", s.ref().toUri());
    m.put("backend", s.backend());
    m.put("phase", s.phase().name());
    m.put("version", s.versionId());
    List<String> stages = new ArrayList<>();
    for (VersionStage st : new TreeSet<>(s.stages())) {
      stages.add(st.name());
    }
    m.put("stages", stages);
    m.put("createdAt", text(s.createdAt()));
    m.put("fetchedAt", text(s.fetchedAt()));
    m.put("ageSeconds", s.age(now).map(Duration::toSeconds).orElse(null));
    m.put("lifetimeEndsAt", text(s.endsAt()));
    m.put("servableUntil", text(s.serveUntil()));
    m.put("nextStep", s.nextStep() == null ? null : s.nextStep().name());
    m.put("nextStepAt", text(s.nextStepAt()));
    m.put("nextRotationAt", text(s.nextRotationAt()));
    Map<String, Object> lease = null;
    if (s.lease() != null) {
      lease = new LinkedHashMap<>();
      lease.put("expiresAt", s.lease().expiresAt().toString());
      lease.put("remainingSeconds", s.lease().remaining(now).toSeconds());
      lease.put("renewable", s.lease().renewable());
    }
    m.put("lease", lease);
    Map<String, Object> overlap = new LinkedHashMap<>();
    Overlap previous = s.previous();
    overlap.put("active", previous != null);
    overlap.put("previousVersion", previous == null ? null : previous.versionId());
    overlap.put("until", previous == null ? null : previous.until().toString());
    List<Map<String, Object>> retired = new ArrayList<>();
    for (Overlap r : s.retired()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("version", r.versionId());
      one.put("until", r.until().toString());
      retired.add(one);
    }
    overlap.put("retired", retired);
    m.put("overlap", overlap);
    m.put("consecutiveFailures", s.consecutiveFailures());
    m.put("lastFailure", s.lastFailure());
    m.put("lastFailureAt", text(s.lastFailureAt()));
    return m;
  }

  private static Map<String, Object> stats(CacheStats st) {
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
    return stats;
  }

  private static @Nullable String text(@Nullable Instant i) {
    return i == null ? null : i.toString();
  }
}
