package io.secretsdk;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

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

  /**
   * Tells which version a reference names now, without reading, copying or decrypting the value:
   * the cheap "did it change?" question a cache asks before it pays for a {@link #fetch}. Backends
   * answer it with a metadata call (AWS DescribeSecret, GCP GetSecretVersion, Vault KV v2 {@code
   * metadata/}, SSM GetParameters without decryption); a check that says "unchanged" lets the
   * caller keep the value it holds.
   *
   * <p>The default, and any backend without such a call, returns empty: the caller then fetches.
   * A source returns empty too for references it cannot check cheaply (a leased credential, a ref
   * whose version id is a content hash).
   *
   * @param ref which secret; its field, if any, is ignored
   * @return the version the reference names now and what the backend says of its end, or empty if
   *     this source cannot tell without a fetch
   * @throws SecretNotFoundException if there is no such secret, version or stage
   * @throws SecretAccessDeniedException if the backend refuses
   * @throws SecretUnavailableException if the backend cannot answer now (transient)
   * @throws SecretFormatException if the backend's answer cannot be read
   */
  default Optional<VersionCheck> checkVersion(SecretRef ref) {
    return Optional.empty();
  }

  /**
   * Checks many references at once. The default asks {@link #checkVersion} for each; backends with
   * a bulk metadata call (AWS ListSecrets) override it. A reference missing from the answer could
   * not be checked cheaply (fetch it); a failure of one reference does not fail the others.
   *
   * @param refs which secrets
   * @return the checks made, and the failures, by reference
   */
  default VersionChecks checkVersions(Collection<SecretRef> refs) {
    Map<SecretRef, VersionCheck> found = new LinkedHashMap<>();
    Map<SecretRef, SecretException> failed = new LinkedHashMap<>();
    for (SecretRef ref : refs) {
      try {
        checkVersion(ref).ifPresent(check -> found.put(ref, check));
      } catch (SecretException e) {
        failed.put(ref, e);
      }
    }
    return new VersionChecks(found, failed);
  }

  /**
   * How long a value this backend returned without a lease may be served before a cache asks the
   * backend again, when the cache's user did not set a lifetime of their own: a per-backend default
   * instead of one generic lifetime for all. A backend whose "did it change?" question is cheap or
   * batched (see {@link #checkVersions}) can suggest a short one; one where every check is a paid
   * call per secret a longer one. The default, empty, leaves the cache's own default in force.
   *
   * @param ref which secret (a router answers for the backend that serves it)
   * @return the suggested lifetime, positive, or empty for no suggestion
   */
  default Optional<Duration> suggestedTtl(SecretRef ref) {
    return Optional.empty();
  }

  /**
   * The form this source keys a reference by, so that two spellings of one secret are one entry in
   * a cache: a reference without a scheme gets the scheme that would serve it. The default adds
   * {@link #scheme()}; a router adds its default scheme, and leaves a reference it could not route
   * as it is (its fetch then fails with the reason).
   *
   * @param ref a reference as the user wrote it
   * @return the same secret, with its scheme
   */
  default SecretRef canonical(SecretRef ref) {
    return ref.scheme().isPresent() ? ref : ref.withScheme(scheme());
  }

  /**
   * Starts telling {@code listener} when the backend signals that secrets may have changed (a
   * watched directory saw a Kubernetes {@code ..data} swap, a push notification arrived), so that a
   * cache refreshes them at once instead of at its next scheduled refresh. Sources that cannot
   * watch return empty; the cache then relies on its schedule alone, which stays in force either way
   * (a watch is a hint, never the only way a change is seen).
   *
   * <p>The listener is called from a thread of the source's; it must return quickly and must not
   * throw.
   *
   * @param listener told which references may have changed
   * @return a handle that stops watching, or empty if this source cannot watch
   */
  default Optional<Watch> watch(ChangeListener listener) {
    return Optional.empty();
  }

  /**
   * Told by {@link SecretSource#watch} that some secrets may have changed.
   */
  @FunctionalInterface
  interface ChangeListener {
    /**
     * Some secrets may have changed: those whose references {@code affected} accepts (references
     * as {@link SecretSource#canonical} forms them).
     *
     * @param affected accepts the references that may have changed
     */
    void changed(Predicate<SecretRef> affected);
  }

  /** A running {@link SecretSource#watch}; closing it stops the watch and never throws a checked exception. */
  interface Watch extends AutoCloseable {
    /** Stops watching; idempotent. */
    @Override
    void close();
  }

  /** Releases what the source holds (connections, tokens). The default does nothing. */
  @Override
  default void close() {}
}
