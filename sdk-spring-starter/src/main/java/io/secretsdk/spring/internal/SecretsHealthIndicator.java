package io.secretsdk.spring.internal;

import io.secretsdk.SecretNotFoundException;
import io.secretsdk.cache.CacheSnapshot;
import io.secretsdk.cache.CacheSnapshot.BackendState;
import io.secretsdk.cache.CacheSnapshot.Circuit;
import io.secretsdk.cache.CacheSnapshot.Phase;
import io.secretsdk.cache.CacheSnapshot.SecretState;
import io.secretsdk.cache.SecretCache;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The health contributor {@code secrets}, from the cache's own view of itself ({@link
 * SecretCache#snapshot()}), the first rule that applies deciding:
 *
 * <ul>
 *   <li><b>DOWN</b> when a secret the application reads can no longer be served: its last load or
 *       refresh failed and nothing servable is held (the value is past its lease end or {@code
 *       max-stale}, or was never loaded). Reads of it throw. A secret the backend says does not
 *       exist does not count (listed under {@code missing}): that is the caller's mistake, not the
 *       store's health.
 *   <li><b>OUT_OF_SERVICE</b> when a secret is served stale (past its lifetime after failed
 *       refreshes, within {@code max-stale}); or its refresh failed and less than 10% of its lease is
 *       left; or a backend's circuit breaker is open: it answers no call until it half-opens, so no
 *       refresh, renewal or new secret can succeed, although the values held are still served.
 *   <li><b>UP</b> otherwise, also while refreshes fail within a value's lifetime (listed under
 *       {@code failing}) and while a circuit is half-open.
 * </ul>
 *
 * <p>Details: {@code secrets} (how many the cache holds), per backend its circuit state, the
 * calls and failures in its breaker's window, its entries and failing entries; the references that
 * are {@code unavailable}, {@code stale}, {@code leaseEnding}, {@code failing} or {@code missing}.
 * Never a value.
 */
public final class SecretsHealthIndicator implements HealthIndicator {
  /** The fraction of a lease below which a failing refresh counts against health. */
  static final double LEASE_END_FRACTION = 0.1;

  private final SecretCache cache;

  /**
   * An indicator.
   *
   * @param cache the cache whose snapshot is judged
   */
  public SecretsHealthIndicator(SecretCache cache) {
    this.cache = cache;
  }

  @Override
  public Health health() {
    CacheSnapshot snap = cache.snapshot();
    Instant now = snap.takenAt();
    List<String> unavailable = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    List<String> leaseEnding = new ArrayList<>();
    List<String> failing = new ArrayList<>();
    int held = 0;
    for (SecretState s : snap.secrets()) {
      String ref = s.ref().toUri();
      if (s.servable()) {
        held++;
      }
      if (s.consecutiveFailures() == 0) {
        continue;
      }
      if (!s.servable()) {
        (SecretNotFoundException.class.getSimpleName().equals(s.lastFailure()) ? missing : unavailable).add(ref);
      } else if (s.phase() == Phase.STALE) {
        stale.add(ref);
      } else if (s.lease() != null && s.lease().fractionLeft(now) < LEASE_END_FRACTION) {
        leaseEnding.add(ref);
      } else {
        failing.add(ref);
      }
    }
    Map<String, Object> backends = new LinkedHashMap<>();
    boolean open = false;
    for (BackendState b : snap.backends()) {
      backends.put(b.scheme(), backend(b));
      open |= b.circuit() == Circuit.OPEN;
    }
    Status status = !unavailable.isEmpty() ? Status.DOWN
        : !stale.isEmpty() || !leaseEnding.isEmpty() || open ? Status.OUT_OF_SERVICE
        : Status.UP;
    Health.Builder h = Health.status(status).withDetail("secrets", held).withDetail("backends", backends);
    detail(h, "unavailable", unavailable);
    detail(h, "stale", stale);
    detail(h, "leaseEnding", leaseEnding);
    detail(h, "failing", failing);
    detail(h, "missing", missing);
    return h.build();
  }

  /** A backend as the endpoint and the health details show it. */
  static Map<String, Object> backend(BackendState b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("circuit", b.circuit().name());
    m.put("windowCalls", b.windowCalls());
    m.put("windowFailures", b.windowFailures());
    m.put("entries", b.entries());
    m.put("failingEntries", b.failingEntries());
    return m;
  }

  private static void detail(Health.Builder h, String name, List<String> refs) {
    if (!refs.isEmpty()) {
      h.withDetail(name, refs);
    }
  }
}
