package io.secretsdk;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A backend's promise that a value is valid for a while: a Vault lease, a static role's time to
 * live, or any other bounded validity.
 *
 * @param id the backend's lease id, or {@code null} where there is none to renew or revoke
 * @param issuedAt when the lease was issued (or last renewed), as seen by this process
 * @param ttl how long from {@code issuedAt} the lease lasts
 * @param renewable whether {@link SecretSource#renew} can extend it
 */
public record Lease(@Nullable String id, Instant issuedAt, Duration ttl, boolean renewable) {

  /**
   * Validates the parts.
   *
   * @param id the backend's lease id, or {@code null}
   * @param issuedAt when the lease was issued
   * @param ttl how long it lasts; never negative
   * @param renewable whether it can be renewed
   */
  public Lease {
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("lease ttl must not be negative: " + ttl);
    }
  }

  /**
   * The instant the lease ends.
   *
   * @return {@code issuedAt + ttl}
   */
  public Instant expiresAt() {
    return issuedAt.plus(ttl);
  }
}
