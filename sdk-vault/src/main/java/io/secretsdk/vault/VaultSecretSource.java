package io.secretsdk.vault;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Lease;
import io.secretsdk.Secret;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretExpiredException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.VersionCheck;
import io.secretsdk.VersionStage;
import io.secretsdk.vault.internal.JsonBody;
import io.secretsdk.vault.internal.Responses;
import io.secretsdk.vault.internal.Route;
import io.secretsdk.vault.internal.Tls;
import io.secretsdk.vault.internal.Tokens;
import io.secretsdk.vault.internal.VaultErrors;
import io.secretsdk.vault.internal.VaultHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HashiCorp Vault as a {@link SecretSource} (scheme {@code vault}), on {@code java.net.http} and
 * Jackson's streaming parser, with no third-party Vault client.
 *
 * <h2>Which path a reference reads</h2>
 *
 * A reference's name is a Vault path, {@code <mount>/<path>} (a leading {@code /} or {@code v1/}
 * is ignored). The mount is the longest configured mount the name starts with:
 *
 * <ul>
 *   <li>a <b>KV v2 mount</b> ({@link Builder#kvV2Mounts}, default {@code secret}):
 *       {@code vault://secret/data/app} and {@code vault://secret/app} both read {@code
 *       secret/data/app}. A name whose path inside the mount starts with {@code data/} has that
 *       segment taken as the API's, so a secret whose own path starts with {@code data/} is written
 *       {@code secret/data/data/...}. {@code ?version=N} reads version {@code N}; {@code
 *       ?stage=previous} reads the newest version before the current one that is neither deleted
 *       nor destroyed (from {@code <mount>/metadata/<path>}, which the token must be allowed to
 *       read). The version id is Vault's version number; {@code custom_metadata} becomes metadata.
 *   <li>a <b>database mount</b> ({@link Builder#databaseMounts}, default {@code database}):
 *       {@code database/creds/<role>} gives new dynamic credentials under a {@link Lease} (its id
 *       is the version id), which {@link #renew} and {@link #revoke} act on; {@code
 *       database/static-creds/<role>} gives a static role's credentials with {@link
 *       Secret#nextRotationAt()} at Vault's next rotation and {@code last_vault_rotation} as the
 *       version id.
 *   <li>a <b>KV v1 mount</b> ({@link Builder#kvV1Mounts}), or any path no other rule claims: read
 *       as is; {@code lease_duration}, an advisory TTL, becomes {@link Secret#nextRotationAt()}
 *       (a hint to read again then), and a {@code lease_id}, where there is one, a lease. The
 *       version id is a keyed hash of the content.
 * </ul>
 *
 * <p>Names under {@code auth/} and {@code sys/} are refused with {@link InvalidSecretRefException}
 * before any request: they are Vault's own API ({@code auth/token/lookup-self} answers with the
 * SDK's token), not secrets.
 *
 * <h2>Values</h2>
 *
 * A secret's value is the JSON object Vault holds its data in ({@code data.data} for KV v2, {@code
 * data} otherwise), byte for byte, so {@link Secret#field(String)} reads one key: {@code
 * secret.field("password")}, or {@code vault://database/creds/app#password} through a cache. The
 * object is parsed from the response bytes and decoded straight into the value's {@code char[]}:
 * no value ever becomes a {@link String}, and every buffer this class owns (response bodies,
 * request bodies carrying secrets, parse buffers) is wiped once used. The one exception is the
 * client token, which java.net.http accepts only as a {@code String} header: each token has one
 * such copy, dropped when the token is replaced. One copy of an answer's bytes is out of this
 * class's reach: java.net.http reads each pooled connection into a buffer of its own and hands the
 * body over as read-only views, so the last answer read on a connection stays in that buffer
 * while the connection is kept alive (see {@code jdk.httpclient.keepalive.timeout}); on Java 21
 * and later, {@link #close()} closes the client this source built, and its connections with it.
 *
 * <h2>Authentication</h2>
 *
 * See {@link VaultAuth}. The token is renewed ({@code auth/token/renew-self}) at two thirds of its
 * remaining life on the {@linkplain Builder#scheduler scheduler}; when renewal stops extending it
 * (its max TTL), fails, or a request is refused because of the token (403 saying the token is
 * invalid, or a 403 after which {@code lookup-self} refuses the token too), the source logs in
 * again and retries the request once. Concurrent requests during a login share that login.
 *
 * <h2>Errors</h2>
 *
 * 400 is {@link InvalidSecretRefException}, 401/403 {@link io.secretsdk.SecretAccessDeniedException},
 * 404 {@link SecretNotFoundException} (a deleted or destroyed KV v2 version says so, with its
 * number); 412, 5xx (503: sealed or standby), redirects, timeouts and network failures are
 * {@link io.secretsdk.SecretUnavailableException}, 429 {@link io.secretsdk.SecretThrottledException}
 * with Vault's Retry-After. Messages name the path and never hold a value or a response body; of
 * Vault's {@code errors}, only fixed phrases that cannot hold input are quoted.
 *
 * <h2>Safe by default</h2>
 *
 * {@link Builder#build()} refuses, with {@link SecretConfigurationException}: an {@link
 * Builder#httpClient HTTP client} that follows redirects (it would send the token to the redirect's
 * target); {@code http://} to a host that is not loopback unless {@link
 * Builder#allowPlainHttp(boolean)}; an address with a user name or password (never shown); a
 * namespace with a character a header cannot carry (CR, LF, space, non-ASCII). Network failures
 * say whether the host is unknown, the port refused the connection or the connect or answer timed
 * out, and keep the JDK's exception as the cause.
 *
 * <p>Thread-safe. {@link #close()} stops renewals, wipes the token and login secrets, and revokes
 * the leases this source handed out if {@link Builder#revokeOnClose(boolean)} is set.
 */
public final class VaultSecretSource implements SecretSource {
  private static final Logger LOG = LoggerFactory.getLogger(VaultSecretSource.class);
  /** Set once Vault refused reading a {@code metadata/} path: checks answer empty from then on. */
  private volatile boolean metadataRefused;

  private final VaultHttp http;
  private final @Nullable HttpClient ownedClient;
  private final Tokens tokens;
  private final Clock clock;
  private final @Nullable ScheduledExecutorService ownedScheduler;
  private final Set<String> kv2Mounts;
  private final Set<String> kv1Mounts;
  private final Set<String> databaseMounts;
  private final boolean revokeOnClose;
  private final String description;
  private final Map<String, Lease> held = new ConcurrentHashMap<>();

  private VaultSecretSource(Builder b, URI address, VaultAuth auth) {
    HttpClient client = b.httpClient;
    if (client == null) {
      HttpClient.Builder cb = HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(b.requestTimeout);
      if (b.sslContext != null) {
        cb.sslContext(b.sslContext);
      }
      client = cb.build();
      this.ownedClient = client;
    } else {
      this.ownedClient = null;
    }
    this.http = new VaultHttp(client, address, b.namespace, b.requestTimeout);
    this.clock = b.clock;
    ScheduledExecutorService scheduler = b.scheduler;
    if (scheduler == null) {
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "secretsdk-vault-token");
        t.setDaemon(true);
        return t;
      });
      this.ownedScheduler = scheduler;
    } else {
      this.ownedScheduler = null;
    }
    this.tokens = new Tokens(auth.takeLogin(), http, clock, scheduler);
    this.kv2Mounts = Set.copyOf(b.kv2Mounts);
    this.kv1Mounts = Set.copyOf(b.kv1Mounts);
    this.databaseMounts = Set.copyOf(b.databaseMounts);
    this.revokeOnClose = b.revokeOnClose;
    this.description = "VaultSecretSource[" + address + (b.namespace == null ? "" : ", namespace " + b.namespace)
        + ", " + auth + "]";
  }

  /**
   * Starts a source; {@link Builder#address} and {@link Builder#auth} are required.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String scheme() {
    return "vault";
  }

  @Override
  public Secret fetch(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    Route route = route(ref);
    Optional<VersionStage> stage = ref.stage();
    switch (route.kind()) {
      case KV2:
        if (stage.isPresent() && stage.get() == VersionStage.PREVIOUS) {
          return fetchPrevious(ref.withoutField()).orElseThrow(() -> new SecretNotFoundException(
              "vault secret '" + ref.name() + "' has no readable version before the current one", ref));
        }
        if (stage.isPresent() && stage.get() == VersionStage.PENDING) {
          throw new SecretNotFoundException("vault secret '" + ref.name() + "': Vault has no pending versions", ref);
        }
        if (ref.version().isPresent()) {
          String v = ref.version().get();
          if (!isKvVersion(v)) {
            throw new InvalidSecretRefException(
                "vault secret '" + ref.name() + "': a KV v2 version is a positive whole number, not '" + v + "'", ref);
          }
          return readKv2(ref, route, Long.parseLong(v), Set.of());
        }
        return readKv2(ref, route, null, Set.of(VersionStage.CURRENT));
      case DATABASE_CREDS: {
        currentOnly(ref, "dynamic database credentials are new at every read and have no older versions");
        if (ref.version().isPresent()) {
          throw new InvalidSecretRefException("vault secret '" + ref.name()
              + "': dynamic database credentials are new at every read; a version cannot be asked for", ref);
        }
        Secret s = read(ref, route, (body, now) -> Responses.databaseCreds(body, ref, route, now));
        s.lease().ifPresent(this::hold);
        return s;
      }
      case DATABASE_STATIC:
        currentOnly(ref, "Vault keeps only a static role's current password");
        return checkVersion(ref, read(ref, route, (body, now) -> Responses.databaseStatic(body, ref, route, now)));
      default: {
        currentOnly(ref, "this path keeps only its current value");
        Secret s = read(ref, route, (body, now) -> Responses.kv1(body, ref, route, now));
        s.lease().ifPresent(this::hold);
        return checkVersion(ref, s);
      }
    }
  }

  private Route route(SecretRef ref) {
    if (ref.scheme().isPresent() && !ref.scheme().get().equals("vault")) {
      throw new InvalidSecretRefException(
          "secret reference '" + ref + "' is for scheme '" + ref.scheme().get() + "', not vault", ref);
    }
    return Route.of(ref, kv2Mounts, kv1Mounts, databaseMounts);
  }

  /** A KV v2 version: a positive whole number of at most 18 digits. */
  private static boolean isKvVersion(String v) {
    return !v.isEmpty() && v.length() <= 18 && v.chars().allMatch(c -> c >= '0' && c <= '9') && Long.parseLong(v) >= 1;
  }

  private static void currentOnly(SecretRef ref, String why) {
    if (ref.stage().isPresent() && ref.stage().get() != VersionStage.CURRENT) {
      throw new SecretNotFoundException("vault secret '" + ref.name() + "' has no " + ref.stage().get()
          + " version: " + why, ref);
    }
  }

  private static Secret checkVersion(SecretRef ref, Secret s) {
    if (ref.version().isPresent() && !ref.version().get().equals(s.versionId())) {
      s.value().destroy();
      throw new SecretNotFoundException("vault secret '" + ref.name() + "' is no longer at version "
          + ref.version().get() + "; this path keeps only its current value", ref);
    }
    return s;
  }

  /** Parses a 200 answer; {@code now} is when the request was sent. */
  @FunctionalInterface
  private interface Parser {
    Secret parse(byte[] body, Instant now);
  }

  private Secret read(SecretRef ref, Route route, Parser parser) {
    String what = "reading vault secret '" + ref.name() + "'";
    Instant now = clock.instant();
    try (VaultHttp.Response r = call("GET", VaultHttp.encodePath(route.apiPath()), null, what, ref)) {
      if (r.status() == 200) {
        return parser.parse(r.body(), now);
      }
      if (r.status() == 404) {
        throw new SecretNotFoundException(
            "vault secret '" + ref.name() + "' does not exist (HTTP 404 for v1/" + route.apiPath()
                + "); check the path and the mount", ref);
      }
      throw VaultErrors.toException(r, what, ref);
    }
  }

  private Secret readKv2(SecretRef ref, Route route, @Nullable Long version, Set<VersionStage> stages) {
    String what = "reading vault secret '" + ref.name() + "'" + (version == null ? "" : " version " + version);
    String path = VaultHttp.encodePath(route.apiPath()) + (version == null ? "" : "?version=" + version);
    SecretRef named = version == null ? ref : ref.withVersion(Long.toString(version));
    try (VaultHttp.Response r = call("GET", path, null, what, named)) {
      if (r.status() == 200) {
        return Responses.kv2(r.body(), named, route, stages);
      }
      if (r.status() == 404) {
        throw Responses.notFound(r.body(), named, route);
      }
      throw VaultErrors.toException(r, what, named);
    }
  }

  /**
   * The newest version before the current one that is neither deleted nor destroyed, for a KV v2
   * secret; empty for every other kind of path, which keeps no older versions.
   *
   * @param ref which secret
   * @return the previous version, with stage {@link VersionStage#PREVIOUS}, owned by the caller
   * @throws SecretNotFoundException if the secret does not exist
   */
  @Override
  public Optional<Secret> fetchPrevious(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    Route route = route(ref);
    if (route.kind() != Route.Kind.KV2) {
      return Optional.empty();
    }
    String what = "reading the metadata of vault secret '" + ref.name() + "'";
    Long previous;
    try (VaultHttp.Response r = call("GET", VaultHttp.encodePath(route.metadataPath()), null, what, ref)) {
      if (r.status() == 404) {
        throw new SecretNotFoundException("vault secret '" + ref.name() + "' does not exist (HTTP 404 for v1/"
            + route.metadataPath() + ")", ref);
      }
      if (r.status() != 200) {
        throw VaultErrors.toException(r, what, ref);
      }
      previous = Responses.kv2Metadata(r.body(), ref).previousReadable();
    }
    if (previous == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(readKv2(ref.withoutField(), route, previous, Set.of(VersionStage.PREVIOUS)));
    } catch (SecretNotFoundException e) {
      // Deleted between the two reads.
      return Optional.empty();
    }
  }

  /**
   * Tells which version a KV v2 secret is at with one read of its {@code metadata/} path (no value
   * moves): the current version for a reference without version, the version itself while it is
   * neither deleted nor destroyed for a pinned one. Every other kind of path (KV v1, database
   * credentials, static roles) answers empty: the caller fetches. A deleted or destroyed version
   * answers empty too, so that the fetch reports it.
   *
   * <p>Reading {@code metadata/} needs {@code read} on {@code <mount>/metadata/<path>}, which
   * policies often grant apart from {@code data/}: when Vault refuses it, the source logs that once
   * and answers empty from then on (every refresh a plain read, as without this check).
   */
  @Override
  public Optional<VersionCheck> checkVersion(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    Route route = route(ref);
    if (route.kind() != Route.Kind.KV2 || metadataRefused
        || ref.stage().filter(st -> st != VersionStage.CURRENT).isPresent()) {
      return Optional.empty();
    }
    String what = "checking the version of vault secret '" + ref.name() + "'";
    Responses.Kv2Metadata metadata;
    try (VaultHttp.Response r = call("GET", VaultHttp.encodePath(route.metadataPath()), null, what, ref)) {
      if (r.status() == 404) {
        throw new SecretNotFoundException("vault secret '" + ref.name() + "' does not exist (HTTP 404 for v1/"
            + route.metadataPath() + ")", ref);
      }
      if (r.status() == 403) {
        if (!metadataRefused) {
          metadataRefused = true;
          LOG.info("Vault refused reading v1/{} (no 'read' on the metadata path); refreshes of KV v2 secrets read "
              + "their values from now on (grant 'read' on <mount>/metadata/* to make them cheap checks)",
              route.metadataPath());
        }
        return Optional.empty();
      }
      if (r.status() != 200) {
        throw VaultErrors.toException(r, what, ref);
      }
      metadata = Responses.kv2Metadata(r.body(), ref);
    }
    long version = metadata.currentVersion();
    if (ref.version().isPresent()) {
      String v = ref.version().get();
      if (!isKvVersion(v)) {
        return Optional.empty(); // the fetch says what is wrong with it
      }
      version = Long.parseLong(v);
    }
    Responses.VersionState state = metadata.versions().get(version);
    if (state == null || state.deleted() || state.destroyed()) {
      return Optional.empty();
    }
    return Optional.of(VersionCheck.of(Long.toString(version)));
  }

  /**
   * Renews a lease through {@code sys/leases/renew}. Vault caps a renewal at the role's maximum
   * TTL: when it grants less than asked, or the lease's end does not move later, the lease
   * returned is marked not renewable, so a cache fetches new credentials while these still work.
   *
   * @param lease the lease, from a secret this source returned
   * @param increment how much longer to ask for, from now
   * @return the renewed lease, issued now, possibly shorter than asked
   * @throws UnsupportedOperationException if the lease has no id (an advisory TTL)
   * @throws SecretExpiredException if Vault no longer knows the lease (expired or revoked)
   */
  @Override
  public Lease renew(Lease lease, Duration increment) {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(increment, "increment");
    String id = lease.id();
    if (id == null) {
      throw new UnsupportedOperationException("this Vault value has an advisory TTL, not a lease to renew");
    }
    String what = "renewing Vault lease '" + id + "'";
    Instant now = clock.instant();
    byte[] request = new JsonBody().field("lease_id", id).field("increment", Math.max(0, increment.getSeconds())).toBytes();
    try (VaultHttp.Response r = call("PUT", "sys/leases/renew", request, what, null)) {
      if (r.status() == 400 || r.status() == 404) {
        held.remove(id);
        throw new SecretExpiredException(what + ": Vault no longer knows the lease (HTTP " + r.status()
            + "): it expired or was revoked; fetch new credentials");
      }
      if (r.status() != 200) {
        throw VaultErrors.toException(r, what, null);
      }
      Lease renewed = Responses.renewedLease(r.body(), lease, increment, now);
      if (!renewed.renewable()) {
        LOG.debug("Vault lease {} renewal capped at {}: new credentials are due before it ends", id, renewed.expiresAt());
      }
      hold(renewed);
      return renewed;
    } finally {
      Arrays.fill(request, (byte) 0);
    }
  }

  /**
   * Revokes a lease through {@code sys/leases/revoke}, so its credentials stop working. A lease
   * Vault no longer knows counts as revoked.
   *
   * @param lease the lease
   * @throws UnsupportedOperationException if the lease has no id (an advisory TTL)
   */
  @Override
  public void revoke(Lease lease) {
    Objects.requireNonNull(lease, "lease");
    String id = lease.id();
    if (id == null) {
      throw new UnsupportedOperationException("this Vault value has an advisory TTL, not a lease to revoke");
    }
    String what = "revoking Vault lease '" + id + "'";
    byte[] request = new JsonBody().field("lease_id", id).toBytes();
    try (VaultHttp.Response r = call("PUT", "sys/leases/revoke", request, what, null)) {
      if (r.status() != 200 && r.status() != 204 && r.status() != 400) {
        throw VaultErrors.toException(r, what, null);
      }
      held.remove(id);
    } finally {
      Arrays.fill(request, (byte) 0);
    }
  }

  private void hold(Lease lease) {
    String id = lease.id();
    if (id == null) {
      return;
    }
    Instant now = clock.instant();
    held.values().removeIf(l -> !l.expiresAt().isAfter(now));
    held.put(id, lease);
  }

  /**
   * Sends a request with the token; when Vault refuses it because of the token, logs in again
   * (once, shared with concurrent callers) and retries once.
   */
  private VaultHttp.Response call(String method, String apiPath, byte @Nullable [] body, String what, @Nullable SecretRef ref) {
    Tokens.State token = tokens.current();
    VaultHttp.Response r = http.send(method, apiPath, token.header(), body, what, ref);
    if (r.status() != 403 && r.status() != 401) {
      return r;
    }
    if (!tokens.canLogInAgain() && !tokens.mayLookUpSelf()) {
      // No token, or one that may not look itself up: nothing to probe, nothing to replace it with.
      return r;
    }
    if (!refusedForToken(token, r)) {
      return r;
    }
    r.close();
    LOG.debug("Vault refused token {} while {}; obtaining a new one", token.generation(), what);
    tokens.invalidate(token);
    Tokens.State fresh = tokens.current();
    return http.send(method, apiPath, fresh.header(), body, what, ref);
  }

  private boolean refusedForToken(Tokens.State token, VaultHttp.Response r) {
    if (VaultErrors.saysTokenInvalid(r.body())) {
      return true;
    }
    // A bare "permission denied" may be a missing policy or a dead token: ask about the token.
    try (VaultHttp.Response probe =
        http.send("GET", "auth/token/lookup-self", token.header(), null, "checking the Vault token", null)) {
      return probe.status() == 403 || probe.status() == 401;
    } catch (SecretException e) {
      return false;
    }
  }

  /**
   * The leases this source handed out that have not ended, been revoked or been closed.
   *
   * @return a snapshot
   */
  public List<Lease> heldLeases() {
    Instant now = clock.instant();
    List<Lease> out = new ArrayList<>();
    for (Lease l : held.values()) {
      if (l.expiresAt().isAfter(now)) {
        out.add(l);
      }
    }
    return out;
  }

  /**
   * Stops token renewal, revokes the leases this source handed out if {@link
   * Builder#revokeOnClose(boolean)} is set, and wipes the token and the login's secrets.
   * Idempotent.
   */
  @Override
  public void close() {
    try {
      if (revokeOnClose) {
        for (Lease l : heldLeases()) {
          try {
            revoke(l);
          } catch (RuntimeException e) {
            LOG.warn("Vault lease {} could not be revoked at close ({}: {})", l.id(), e.getClass().getSimpleName(),
                e.getMessage());
          }
        }
      }
    } catch (IllegalStateException alreadyClosed) {
      // closed before
    } finally {
      held.clear();
      tokens.close();
      if (ownedScheduler != null) {
        ownedScheduler.shutdownNow();
      }
      closeClient();
    }
  }

  /**
   * Closes the HTTP client this source built, where the JDK can (Java 21 and later), so that its
   * pooled connections and their read buffers, which hold the last answers' bytes, go away.
   */
  private void closeClient() {
    Object client = ownedClient;
    if (client instanceof AutoCloseable) {
      try {
        ((AutoCloseable) client).close();
      } catch (Exception e) {
        LOG.debug("closing the Vault HTTP client failed ({})", e.getClass().getSimpleName());
      }
    }
  }

  /**
   * Names the address, namespace and authentication method; never a secret.
   *
   * @return a description
   */
  @Override
  public String toString() {
    return description;
  }

  /** {@code scheme://host:port} of an address, never its user-info, path or query. */
  static String redacted(URI address) {
    String host = address.getHost();
    if (host == null) {
      return "(" + (address.getScheme() == null ? "no scheme" : address.getScheme() + " URL") + " without a host)";
    }
    return address.getScheme() + "://" + host + (address.getPort() < 0 ? "" : ":" + address.getPort());
  }

  /** Text with control and non-ASCII characters as {@code \\uXXXX}, for messages. */
  static String escaped(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c >= 0x7F) {
        sb.append(String.format("\\u%04X", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Whether a host is loopback, judged from its text alone (no DNS look-up). */
  static boolean loopback(@Nullable String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(java.util.Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** Configures a {@link VaultSecretSource}. Not thread-safe; {@link #build()} may be called once per {@link VaultAuth}. */
  public static final class Builder {
    private @Nullable URI address;
    private @Nullable VaultAuth auth;
    private @Nullable String namespace;
    private Set<String> kv2Mounts = Set.of("secret");
    private Set<String> kv1Mounts = Set.of();
    private Set<String> databaseMounts = Set.of("database");
    private Clock clock = Clock.systemUTC();
    private @Nullable ScheduledExecutorService scheduler;
    private @Nullable SSLContext sslContext;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private boolean revokeOnClose;
    private @Nullable HttpClient httpClient;
    private boolean allowPlainHttp;

    private Builder() {}

    /**
     * Vault's address. {@code https} is expected; {@code http} is accepted for a loopback host (a
     * Vault Agent, a test server) and, with {@link #allowPlainHttp(boolean)}, for any other.
     *
     * @param address e.g. {@code https://vault.example.com:8200}
     * @return this builder
     * @throws SecretConfigurationException if it is not an http or https URL with a host, or holds a
     *     user name or password ({@code https://user:pw@host}: Vault never uses them, and they would
     *     show in messages); the message never repeats the user-info
     */
    public Builder address(URI address) {
      Objects.requireNonNull(address, "address");
      if (address.getRawUserInfo() != null || (address.getRawAuthority() != null && address.getRawAuthority().contains("@"))) {
        throw new SecretConfigurationException("the Vault address " + redacted(address)
            + " holds a user name or password; Vault never uses them: give https://host:port and authenticate with VaultAuth");
      }
      if (!"https".equals(address.getScheme()) && !"http".equals(address.getScheme())) {
        throw new SecretConfigurationException("the Vault address must be an http or https URL, e.g. https://vault:8200, not "
            + redacted(address));
      }
      if (address.getHost() == null || address.getHost().isEmpty()) {
        throw new SecretConfigurationException("the Vault address " + redacted(address) + " has no host, e.g. https://vault:8200");
      }
      this.address = address;
      return this;
    }

    /**
     * Allows {@code http://} to a host that is not loopback. Off by default: the token and every
     * secret would cross the network in clear text. Turn it on only where something else encrypts
     * the traffic (a service mesh sidecar, an IPsec or WireGuard link) or for a throw-away test
     * server. Loopback hosts ({@code localhost}, {@code 127.0.0.0/8}, {@code ::1}) are always allowed.
     *
     * @param allow whether plain HTTP to a non-loopback host is allowed
     * @return this builder
     */
    public Builder allowPlainHttp(boolean allow) {
      this.allowPlainHttp = allow;
      return this;
    }

    /**
     * How to authenticate; the source takes it over.
     *
     * @param auth the authentication
     * @return this builder
     */
    public Builder auth(VaultAuth auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    /**
     * The Vault Enterprise namespace, sent as {@code X-Vault-Namespace} with every request.
     *
     * @param namespace e.g. {@code team-a}, or {@code team-a/prod}
     * @return this builder
     * @throws SecretConfigurationException if it holds a character an HTTP header cannot carry as is
     *     (a control character such as CR or LF, a space, anything outside printable ASCII)
     */
    public Builder namespace(String namespace) {
      Objects.requireNonNull(namespace, "namespace");
      String ns = namespace;
      for (int i = 0; i < ns.length(); i++) {
        char c = ns.charAt(i);
        if (c <= 0x20 || c >= 0x7F) {
          throw new SecretConfigurationException("the Vault namespace '" + escaped(ns) + "' holds the character "
              + String.format("U+%04X", (int) c) + " at index " + i
              + "; a namespace is printable ASCII without spaces (it is sent as the X-Vault-Namespace header)");
        }
      }
      this.namespace = ns.isEmpty() ? null : ns;
      return this;
    }

    /**
     * The KV v2 mounts, replacing the default {@code secret}.
     *
     * @param mounts mount paths without slashes at the ends, e.g. {@code secret}, {@code kv/team-a}
     * @return this builder
     */
    public Builder kvV2Mounts(String... mounts) {
      this.kv2Mounts = mounts(mounts);
      return this;
    }

    /**
     * The KV v1 mounts (none by default; unclaimed paths are read the same way).
     *
     * @param mounts mount paths
     * @return this builder
     */
    public Builder kvV1Mounts(String... mounts) {
      this.kv1Mounts = mounts(mounts);
      return this;
    }

    /**
     * The database secrets engine mounts, replacing the default {@code database}.
     *
     * @param mounts mount paths
     * @return this builder
     */
    public Builder databaseMounts(String... mounts) {
      this.databaseMounts = mounts(mounts);
      return this;
    }

    private static Set<String> mounts(String... mounts) {
      Set<String> out = new LinkedHashSet<>();
      for (String m : mounts) {
        String t = m.strip();
        while (t.startsWith("/")) {
          t = t.substring(1);
        }
        while (t.endsWith("/")) {
          t = t.substring(0, t.length() - 1);
        }
        if (t.isEmpty()) {
          throw new IllegalArgumentException("a Vault mount must not be empty");
        }
        out.add(t);
      }
      return out;
    }

    /**
     * The clock that token and lease times are measured with.
     *
     * @param clock the clock; the system UTC clock by default
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where token renewals run. By default the source starts one daemon thread and stops it at
     * close; a scheduler given here is not shut down by the source.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Trusts the CA certificates of a PEM file (instead of the JDK's defaults) for Vault's TLS.
     *
     * @param pemFile one or more {@code -----BEGIN CERTIFICATE-----} blocks
     * @return this builder
     * @throws IllegalArgumentException if the file cannot be read or holds no certificate
     */
    public Builder caCertificates(Path pemFile) {
      this.sslContext = Tls.trustingPem(Objects.requireNonNull(pemFile, "pemFile"));
      return this;
    }

    /**
     * Trusts the certificates of a trust store (instead of the JDK's defaults) for Vault's TLS.
     *
     * @param trustStore a loaded key store of trusted certificates
     * @return this builder
     */
    public Builder trustStore(KeyStore trustStore) {
      this.sslContext = Tls.trusting(Objects.requireNonNull(trustStore, "trustStore"));
      return this;
    }

    /**
     * Uses this TLS context (client certificates, pinned trust) for Vault's TLS.
     *
     * @param sslContext the context
     * @return this builder
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /**
     * How long one request (and connecting) may take; 10 seconds by default.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder requestTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be positive: " + timeout);
      }
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Whether {@link VaultSecretSource#close()} revokes the leases the source handed out (dynamic
     * credentials then stop working at once); off by default.
     *
     * @param revoke whether to revoke
     * @return this builder
     */
    public Builder revokeOnClose(boolean revoke) {
      this.revokeOnClose = revoke;
      return this;
    }

    /**
     * Uses this HTTP client instead of one built from the TLS and timeout settings (which are then
     * the client's own business, except the per-request timeout). The client must not follow
     * redirects ({@link HttpClient.Redirect#NEVER}, the default of {@link HttpClient#newBuilder()}):
     * a client that follows them would send the token to wherever a redirect points and take that
     * answer as the secret. A redirect from Vault is reported as unavailable instead.
     *
     * @param client the client; checked at {@link #build()}
     * @return this builder
     */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Builds the source. Nothing is sent to Vault until the first call.
     *
     * @return the source
     * @throws IllegalStateException if the address or authentication is missing, TLS settings are
     *     combined with an HTTP client, or the {@link VaultAuth} is used by another source
     * @throws SecretConfigurationException if the HTTP client follows redirects, or the address is
     *     {@code http://} to a host that is not loopback without {@link #allowPlainHttp(boolean)}
     */
    public VaultSecretSource build() {
      if (address == null) {
        throw new IllegalStateException("VaultSecretSource needs an address");
      }
      if (auth == null) {
        throw new IllegalStateException("VaultSecretSource needs an auth (VaultAuth.token, appRole, kubernetes or jwt)");
      }
      if (httpClient != null && httpClient.followRedirects() != HttpClient.Redirect.NEVER) {
        throw new SecretConfigurationException("the HTTP client given to VaultSecretSource follows redirects ("
            + httpClient.followRedirects() + "): it would send the Vault token to wherever a redirect points;"
            + " build it with followRedirects(HttpClient.Redirect.NEVER)");
      }
      if ("http".equals(address.getScheme()) && !allowPlainHttp && !loopback(address.getHost())) {
        throw new SecretConfigurationException("the Vault address " + address + " is plain http:// to a host that is not"
            + " loopback: the token and the secrets would cross the network unencrypted. Use https://, or"
            + " allowPlainHttp(true) (property vault.allow-plain-http=true) where something else encrypts the traffic");
      }
      if (httpClient != null && sslContext != null) {
        throw new IllegalStateException(
            "give VaultSecretSource either an httpClient or TLS settings, not both: configure TLS on your client");
      }
      return new VaultSecretSource(this, address, auth);
    }
  }
}
