package io.secretsdk.spring.internal;

import io.secretsdk.spring.SecretsProperties;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The health contributor {@code secrets}. For every secret the cache holds, by the times the cache
 * itself uses ({@link SecretTimes}):
 *
 * <ul>
 *   <li><b>DOWN</b> when a secret's last read failed and it is past the last instant it may be
 *       served (its lease end, or {@code max-stale} past its lifetime): the cache no longer has a
 *       usable value for it;
 *   <li><b>OUT_OF_SERVICE</b> when a secret's last read failed and it is past its lifetime (served
 *       stale) or within the last 10% of its lease;
 *   <li><b>UP</b> otherwise, even while refreshes fail, as long as every value is within its
 *       lifetime.
 * </ul>
 *
 * <p>Details: per backend its calls, failures and consecutive failures; the references that are
 * stale or down. Never a value.
 */
public final class SecretsHealthIndicator implements HealthIndicator {
  private final SecretsActivity activity;
  private final SecretsProperties properties;

  /**
   * An indicator.
   *
   * @param activity the recorder
   * @param properties the cache's timing
   */
  public SecretsHealthIndicator(SecretsActivity activity, SecretsProperties properties) {
    this.activity = activity;
    this.properties = properties;
  }

  @Override
  public Health health() {
    Instant now = activity.clock().instant();
    List<String> down = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    int held = 0;
    for (SecretsActivity.SecretState s : activity.secrets().values()) {
      if (s.fetchedAt() == null) {
        continue;
      }
      held++;
      if (s.consecutiveFailures() == 0) {
        continue;
      }
      SecretTimes t = SecretTimes.of(s, properties.getCache());
      if (!now.isBefore(t.servableUntil())) {
        down.add(s.ref().toUri());
      } else if (now.isAfter(t.lifetimeEndsAt()) || t.leaseNearlyOver(now)) {
        stale.add(s.ref().toUri());
      }
    }
    Status status = !down.isEmpty() ? Status.DOWN : !stale.isEmpty() ? Status.OUT_OF_SERVICE : Status.UP;
    Map<String, Object> backends = new LinkedHashMap<>();
    activity.backends().forEach((scheme, b) -> backends.put(scheme, b.counts()));
    Health.Builder h = Health.status(status).withDetail("secrets", held).withDetail("backends", backends);
    if (!down.isEmpty()) {
      h.withDetail("unavailable", down);
    }
    if (!stale.isEmpty()) {
      h.withDetail("stale", stale);
    }
    return h.build();
  }
}
