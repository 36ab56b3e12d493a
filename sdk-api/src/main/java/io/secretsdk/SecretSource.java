package io.secretsdk;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A backend that secrets are read from: the SPI every provider implements, and what a {@code
 * SecretCache} is built on.
 *
 * <p>Implementations are thread-safe. What they return is owned by the caller, who closes the
 * secret's value when done. Errors are the {@link SecretException} subclasses: not found, access
 * denied, unavailable (transient) with throttled, format; their messages name the secret and the
 * backend and never hold a value or a response body.
 */
public interface SecretSource extends AutoCloseable {

  /**
   * The scheme this source answers for: {@code aws-sm}, {@code aws-ssm}, {@code gcp-sm}, {@code
   * azure-kv}, {@code vault}, {@code file}.
   *
   * @return the scheme
   */
  String scheme();

  /**
   * Reads one version of a secret: the current one, unless the reference names a version or a
   * stage. The reference's field, if any, is ignored: the whole value is returned.
   *
   * @param ref which secret
   * @return the secret, owned by the caller
   * @throws SecretNotFoundException if there is no such secret, version or stage
   * @throws SecretAccessDeniedException if the backend refuses
   * @throws SecretUnavailableException if the backend cannot answer now (transient)
   * @throws SecretFormatException if the backend's answer cannot be read
   */
  Secret fetch(SecretRef ref);

  /**
   * Reads many secrets. The default makes one {@link #fetch} per reference; backends with a batch
   * call override it. A failure of one reference does not fail the others.
   *
   * @param refs which secrets
   * @return what was found and what failed, by reference
   */
  default BatchResult fetchAll(Collection<SecretRef> refs) {
    Map<SecretRef, Secret> found = new LinkedHashMap<>();
    Map<SecretRef, SecretException> failed = new LinkedHashMap<>();
    for (SecretRef ref : refs) {
      try {
        found.put(ref, fetch(ref));
      } catch (SecretException e) {
        failed.put(ref, e);
      }
    }
    return new BatchResult(found, failed);
  }

  /**
   * Reads the version before the current one, where the backend keeps it. The default says none
   * is kept.
   *
   * @param ref which secret
   * @return the previous version, owned by the caller, or empty if there is none
   */
  default Optional<Secret> fetchPrevious(SecretRef ref) {
    return Optional.empty();
  }

  /**
   * Extends a renewable lease.
   *
   * @param lease the lease to renew
   * @param increment how much longer to ask for; the backend may grant less
   * @return the renewed lease, whose ttl may be shorter than asked (a maximum ttl reached)
   * @throws UnsupportedOperationException if this backend has no leases
   */
  default Lease renew(Lease lease, Duration increment) {
    throw new UnsupportedOperationException(scheme() + " secrets have no renewable leases");
  }

  /**
   * Ends a lease now, so its credentials stop working.
   *
   * @param lease the lease to revoke
   * @throws UnsupportedOperationException if this backend has no leases
   */
  default void revoke(Lease lease) {
    throw new UnsupportedOperationException(scheme() + " secrets have no revocable leases");
  }

  /** Releases what the source holds (connections, tokens). The default does nothing. */
  @Override
  default void close() {}
}
