package io.secretsdk.spring.internal;

import io.secretsdk.Lease;
import io.secretsdk.spring.SecretsProperties;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The instants of one held secret's life, computed as the cache computes them from the time it was
 * fetched: the end of its lifetime (lease end, expiry, or {@code default-ttl} after the fetch), the
 * planned refresh ({@code refresh-ahead} of that lifetime, jitter aside) and the last instant it
 * may be served (the lease end for a leased value, else {@code max-stale} past its lifetime).
 *
 * @param fetchedAt when it was fetched
 * @param lifetimeEndsAt the end of its lifetime
 * @param refreshAt the planned refresh, before jitter
 * @param servableUntil the last instant it may be served
 * @param leaseEndsAt the lease's end, or null without a lease
 * @param leaseTtl the lease's duration, or null without a lease
 */
public record SecretTimes(Instant fetchedAt, Instant lifetimeEndsAt, Instant refreshAt, Instant servableUntil,
    @Nullable Instant leaseEndsAt, @Nullable Duration leaseTtl) {

  /**
   * The times of a state that was fetched at least once.
   *
   * @param s the state, with a fetch time
   * @param cache the cache's timing
   * @return the times
   */
  public static SecretTimes of(SecretsActivity.SecretState s, SecretsProperties.Cache cache) {
    Instant fetched = s.fetchedAt() == null ? Instant.EPOCH : s.fetchedAt();
    Lease lease = s.lease();
    Instant hard = Instant.MAX;
    if (lease != null) {
      hard = lease.expiresAt();
    }
    if (s.expiresAt() != null && s.expiresAt().isBefore(hard)) {
      hard = s.expiresAt();
    }
    Instant ends;
    Instant servable;
    if (lease != null) {
      ends = hard;
      servable = hard;
    } else {
      ends = min(plus(fetched, cache.getDefaultTtl()), hard);
      servable = min(plus(ends, cache.getMaxStale()), hard);
    }
    long life = Math.max(1, Duration.between(fetched, ends).toMillis());
    Instant refresh = fetched.plusMillis((long) (life * cache.getRefreshAhead()));
    if (s.nextRotationAt() != null && s.nextRotationAt().isAfter(fetched) && s.nextRotationAt().isBefore(refresh)) {
      refresh = s.nextRotationAt();
    }
    return new SecretTimes(fetched, ends, refresh, servable, lease == null ? null : lease.expiresAt(),
        lease == null ? null : lease.ttl());
  }

  /**
   * Whether the lease is within its last 10%.
   *
   * @param now the time now
   * @return true when leased and less than a tenth of the lease's duration remains
   */
  public boolean leaseNearlyOver(Instant now) {
    if (leaseEndsAt == null || leaseTtl == null) {
      return false;
    }
    return !now.isBefore(leaseEndsAt.minusMillis(leaseTtl.toMillis() / 10));
  }

  private static Instant plus(Instant i, Duration d) {
    try {
      return i.plus(d);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return Instant.MAX;
    }
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
