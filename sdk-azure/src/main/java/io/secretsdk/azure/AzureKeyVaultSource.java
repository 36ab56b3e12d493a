package io.secretsdk.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.rest.PagedResponse;
import com.azure.core.util.Context;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import com.azure.security.keyvault.secrets.models.SecretProperties;
import io.secretsdk.BatchResult;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretExpiredException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionStage;
import io.secretsdk.azure.internal.AzureClients;
import io.secretsdk.azure.internal.AzureErrors;
import io.secretsdk.azure.internal.KeyVaultNames;
import io.secretsdk.azure.internal.KeyVaultNames.Target;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets from Azure Key Vault (scheme {@code azure-kv}).
 *
 * <p><b>References.</b> {@code azure-kv://NAME} reads the current version of secret {@code NAME}
 * in this source's vault; {@code ?version=V} reads version {@code V}; {@code ?stage=previous} reads
 * the version before the current one (see {@link #fetchPrevious}). A full secret identifier, as the
 * portal and {@code az keyvault secret show} print it, works too: {@code
 * azure-kv://https://my-vault.vault.azure.net/secrets/NAME[/VERSION]}, as long as it names this
 * source's vault. Key Vault has no pending stage.
 *
 * <p><b>What a secret carries.</b> {@link Secret#versionId()} and the name are parsed from the
 * {@code id} Key Vault returns; {@link Secret#createdAt()} is the version's {@code created}; {@link
 * Secret#expiresAt()} its {@code exp}, so that a cache refreshes before the secret lapses; {@link
 * Secret#metadata()} holds {@code id}, {@code content-type}, {@code updated} and {@code not-before}
 * (ISO-8601 instants) where set, and each tag as {@code tag.<name>}. A current read has the stage
 * {@link VersionStage#CURRENT}, a previous one {@link VersionStage#PREVIOUS}.
 *
 * <p><b>Validity.</b> Key Vault refuses a disabled version ({@code 403}, inner code {@code
 * SecretDisabled}), but returns a version outside its {@code nbf}..{@code exp} window. This source
 * does not: a version whose {@code nbf} is in the future or whose {@code exp} has passed is a
 * {@link SecretExpiredException} saying which, and a disabled one a {@link
 * SecretAccessDeniedException} saying it is disabled.
 *
 * <p><b>Errors.</b> {@code 404} is {@link SecretNotFoundException}; {@code 401} and {@code 403} are
 * {@link SecretAccessDeniedException} telling "disabled" from "forbidden" (the client reports a 403
 * on a read as {@code ResourceModifiedException}; it is mapped by status, not by type); {@code 429}
 * is {@link io.secretsdk.SecretThrottledException} with the {@code Retry-After} the vault gave;
 * {@code 5xx}, timeouts, connection failures and unreadable answers are {@link
 * SecretUnavailableException}; a credential that cannot be had at all is {@link
 * SecretConfigurationException}. Messages and causes never carry the service's message or any part
 * of a response body.
 *
 * <p><b>Who retries.</b> This source makes one client call per backend request and does not retry:
 * the cache's {@code ResiliencePolicy} does. A client the builder makes has azure-core's retries off;
 * a client passed to {@link Builder#client} is used as it is, retries included (see the package
 * documentation).
 *
 * <p><b>Values.</b> The client hands a value over as a {@link String}, which cannot be wiped: this
 * source copies its characters once, into the {@code char[]} the returned value owns, and keeps no
 * other copy.
 *
 * <p>Thread-safe. What it returns is owned by the caller.
 */
public final class AzureKeyVaultSource implements SecretSource {
  /** The scheme this source answers for. */
  public static final String SCHEME = "azure-kv";

  /** How many secrets {@link #fetchAll} reads at once unless {@link Builder#parallelism} says otherwise. */
  public static final int DEFAULT_PARALLELISM = 8;

  private static final Logger LOG = LoggerFactory.getLogger(AzureKeyVaultSource.class);
  /** Key Vault pages versions 25 at a time; this bounds a listing at 25,000 versions. */
  private static final int MAX_VERSION_PAGES = 1000;

  private final SecretClient client;
  private final String vaultUrl;
  private final Clock clock;
  private final int parallelism;
  private final AtomicInteger fetchThreads = new AtomicInteger();
  private volatile boolean closed;

  private AzureKeyVaultSource(SecretClient client, String vaultUrl, Clock clock, int parallelism) {
    this.client = client;
    this.vaultUrl = vaultUrl;
    this.clock = clock;
    this.parallelism = parallelism;
  }

  /**
   * Starts a source. Give it a client with {@link Builder#client}, or a vault URL with {@link
   * Builder#vaultUrl}.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  /**
   * The vault this source reads.
   *
   * @return its URL, {@code https://host}
   */
  public String vaultUrl() {
    return vaultUrl;
  }

  /**
   * Reads one version with {@code getSecret}: the current one, the one the reference names, or for
   * {@code ?stage=previous} the one {@link #fetchPrevious} finds.
   *
   * @param ref the secret's name or identifier, with an optional version or stage
   * @return the secret, owned by the caller
   * @throws SecretNotFoundException if there is no such secret or version (or no previous version)
   * @throws SecretAccessDeniedException if the version is disabled, or the caller may not read it
   * @throws SecretExpiredException if the version is not valid yet, or no longer
   */
  @Override
  public Secret fetch(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    checkOpen();
    VersionStage stage = ref.stage().orElse(VersionStage.CURRENT);
    if (stage == VersionStage.PENDING) {
      throw new InvalidSecretRefException(
          "azure-kv reference '" + ref.toUri() + "' asks for the pending stage, which Key Vault does not have;"
              + " ask for the current version, ?stage=previous or ?version=V", ref);
    }
    Target target = KeyVaultNames.target(ref, vaultUrl);
    if (stage == VersionStage.PREVIOUS) {
      return previous(ref, target).orElseThrow(() -> new SecretNotFoundException(
          AzureErrors.SERVICE + " " + vaultUrl + " has no enabled, valid version of secret '" + target.name()
              + "' older than " + (target.version() == null ? "the current one" : "version " + target.version()),
          ref));
    }
    KeyVaultSecret s = get(ref, target.name(), target.version());
    return toSecret(ref, target, s,
        target.version() == null ? EnumSet.of(VersionStage.CURRENT) : EnumSet.noneOf(VersionStage.class));
  }

  /**
   * Reads many secrets, at most {@link Builder#parallelism} at once; each reference fails or
   * succeeds on its own, with the same typed errors as {@link #fetch}. References that are equal
   * are read once.
   *
   * @param refs the secrets
   * @return what was found and what failed, by reference
   */
  @Override
  public BatchResult fetchAll(Collection<SecretRef> refs) {
    Objects.requireNonNull(refs, "refs");
    checkOpen();
    List<SecretRef> unique = new ArrayList<>(new LinkedHashSet<>(refs));
    Map<SecretRef, Secret> found = new LinkedHashMap<>();
    Map<SecretRef, SecretException> failed = new LinkedHashMap<>();
    if (unique.size() <= 1 || parallelism == 1) {
      for (SecretRef ref : unique) {
        try {
          found.put(ref, fetch(ref));
        } catch (SecretException e) {
          failed.put(ref, e);
        }
      }
      return new BatchResult(found, failed);
    }
    int threads = Math.min(parallelism, unique.size());
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "secretsdk-azure-kv-fetch-" + fetchThreads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      Map<SecretRef, Future<Secret>> futures = new LinkedHashMap<>();
      for (SecretRef ref : unique) {
        futures.put(ref, pool.submit(() -> fetch(ref)));
      }
      boolean interrupted = false;
      for (Map.Entry<SecretRef, Future<Secret>> e : futures.entrySet()) {
        SecretRef ref = e.getKey();
        try {
          if (interrupted) {
            discard(e.getValue());
            throw new InterruptedException();
          }
          found.put(ref, e.getValue().get());
        } catch (InterruptedException ie) {
          interrupted = true;
          failed.put(ref, new SecretUnavailableException(
              "the read of secret '" + ref.name() + "' from " + AzureErrors.SERVICE + " " + vaultUrl
                  + " was interrupted", ref));
        } catch (ExecutionException ee) {
          Throwable cause = ee.getCause();
          if (cause instanceof SecretException) {
            failed.put(ref, (SecretException) cause);
          } else {
            failed.put(ref, new SecretUnavailableException(
                "reading secret '" + ref.name() + "' from " + AzureErrors.SERVICE + " " + vaultUrl
                    + " failed unexpectedly (" + (cause == null ? "unknown" : cause.getClass().getName()) + ")",
                ref));
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    } finally {
      pool.shutdownNow();
    }
    return new BatchResult(found, failed);
  }

  /** A read the caller no longer waits for: cancelled, or, if it already finished, its value wiped. */
  private static void discard(Future<Secret> f) {
    if (!f.cancel(true) && f.isDone()) {
      try {
        f.get().value().destroy();
      } catch (ExecutionException | InterruptedException | java.util.concurrent.CancellationException ignored) {
        // nothing was read, or nothing is left to wipe
      }
    }
  }

  /**
   * Reads the newest version that is older than the current one (or than the version the
   * reference names) and is enabled and valid now. The versions are listed with {@code
   * listPropertiesOfSecretVersions}, every page of it (Key Vault lists them in no particular order,
   * without values); only the chosen version's value is read.
   *
   * @param ref the secret
   * @return that version, owned by the caller, with the stage {@link VersionStage#PREVIOUS}, or
   *     empty if there is none (or no such secret)
   */
  @Override
  public Optional<Secret> fetchPrevious(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    checkOpen();
    return previous(ref, KeyVaultNames.target(ref, vaultUrl));
  }

  private Optional<Secret> previous(SecretRef ref, Target target) {
    List<SecretProperties> versions;
    try {
      versions = listVersions(ref, target.name());
    } catch (SecretNotFoundException e) {
      return Optional.empty();
    }
    SecretProperties current = null;
    for (SecretProperties p : versions) {
      if (target.version() != null ? target.version().equalsIgnoreCase(p.getVersion()) : isNewer(p, current)) {
        current = p;
      }
    }
    if (current == null || current.getCreatedOn() == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    SecretProperties best = null;
    for (SecretProperties p : versions) {
      if (p.getCreatedOn() != null && p.getCreatedOn().isBefore(current.getCreatedOn()) && usable(p, now)
          && isNewer(p, best)) {
        best = p;
      }
    }
    if (best == null) {
      LOG.debug("secret '{}' has no enabled, valid version older than {} among {} versions", target.name(),
          current.getVersion(), versions.size());
      return Optional.empty();
    }
    KeyVaultSecret s;
    try {
      s = get(ref, target.name(), best.getVersion());
    } catch (SecretNotFoundException | SecretAccessDeniedException e) {
      // Deleted or disabled between the listing and the read: as if there were none.
      LOG.debug("previous version {} of secret '{}' could not be read ({})", best.getVersion(), target.name(),
          e.getClass().getSimpleName());
      return Optional.empty();
    }
    return Optional.of(toSecret(ref, new Target(target.name(), best.getVersion()), s, EnumSet.of(VersionStage.PREVIOUS)));
  }

  private static boolean isNewer(SecretProperties p, @Nullable SecretProperties than) {
    if (p.getCreatedOn() == null) {
      return false;
    }
    return than == null || than.getCreatedOn() == null || p.getCreatedOn().isAfter(than.getCreatedOn());
  }

  private static boolean usable(SecretProperties p, Instant now) {
    return !Boolean.FALSE.equals(p.isEnabled()) && p.getVersion() != null
        && (p.getNotBefore() == null || !p.getNotBefore().toInstant().isAfter(now))
        && (p.getExpiresOn() == null || p.getExpiresOn().toInstant().isAfter(now));
  }

  private List<SecretProperties> listVersions(SecretRef ref, String name) {
    List<SecretProperties> out = new ArrayList<>();
    try {
      Iterator<PagedResponse<SecretProperties>> pages =
          client.listPropertiesOfSecretVersions(name, Context.NONE).iterableByPage().iterator();
      int count = 0;
      java.util.Set<String> links = new java.util.HashSet<>();
      while (pages.hasNext()) {
        if (++count > MAX_VERSION_PAGES) {
          LOG.warn("stopped listing the versions of secret '{}' after {} pages", name, MAX_VERSION_PAGES);
          break;
        }
        try (PagedResponse<SecretProperties> page = pages.next()) {
          out.addAll(page.getValue());
          String next = page.getContinuationToken();
          if (next != null && !links.add(next)) {
            // Key Vault's links differ page to page: one seen before would page forever.
            LOG.warn("stopped listing the versions of secret '{}': the vault sent a page link it had sent before",
                name);
            break;
          }
        }
      }
    } catch (RuntimeException e) {
      throw AzureErrors.map(e, ref, vaultUrl, "the versions of secret '" + name + "'");
    } catch (java.io.IOException e) {
      throw new SecretUnavailableException(
          "could not finish listing the versions of secret '" + name + "' in " + AzureErrors.SERVICE, ref);
    }
    return out;
  }

  private KeyVaultSecret get(SecretRef ref, String name, @Nullable String version) {
    try {
      return client.getSecretWithResponse(name, version == null ? "" : version, Context.NONE).getValue();
    } catch (RuntimeException e) {
      throw AzureErrors.map(e, ref, vaultUrl, what(name, version));
    }
  }

  /** Closes nothing the user gave; a source-made client holds no resource that needs closing. */
  @Override
  public void close() {
    closed = true;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this " + SCHEME + " secret source is closed");
    }
  }

  private static String what(String name, @Nullable String version) {
    return "secret '" + name + "'" + (version == null ? " (current version)" : " version " + version);
  }

  private Secret toSecret(SecretRef ref, Target asked, @Nullable KeyVaultSecret s, Set<VersionStage> stages) {
    if (s == null) {
      throw new SecretFormatException(AzureErrors.SERVICE + " answered for secret '" + ref.name()
          + "' without a body; the answer cannot be used", ref);
    }
    SecretProperties p = s.getProperties();
    Target id = KeyVaultNames.parseId(s.getId());
    if (id == null) {
      throw new SecretFormatException(AzureErrors.SERVICE + " answered for secret '" + ref.name()
          + "' with an id that names no version; the answer cannot be used", ref);
    }
    if (!id.name().equalsIgnoreCase(asked.name())
        || (asked.version() != null && !id.version().equalsIgnoreCase(asked.version()))) {
      // A proxy or gateway answering for another request: never hand over someone else's value.
      throw new SecretFormatException(AzureErrors.SERVICE + " " + vaultUrl + " answered the read of "
          + what(asked.name(), asked.version()) + " with another secret or version; the answer is not used (check"
          + " proxies between this process and the vault)", ref);
    }
    // The answered version is named in messages only when it looks like one (32 hex digits).
    String what = what(asked.name(), isVersionId(id.version()) ? id.version() : "(answered, not a Key Vault version id)");
    if (p != null && Boolean.FALSE.equals(p.isEnabled())) {
      throw new SecretAccessDeniedException(AzureErrors.SERVICE + " " + vaultUrl + " has " + what
          + " disabled; enable it, or read another version", ref);
    }
    Instant now = clock.instant();
    Instant notBefore = instant(p == null ? null : p.getNotBefore());
    if (notBefore != null && notBefore.isAfter(now)) {
      throw new SecretExpiredException(AzureErrors.SERVICE + " " + vaultUrl + " has " + what
          + " not valid yet: its activation date (nbf) is " + notBefore + "; wait for it, or read another version",
          ref);
    }
    Instant expires = instant(p == null ? null : p.getExpiresOn());
    if (expires != null && !expires.isAfter(now)) {
      throw new SecretExpiredException(AzureErrors.SERVICE + " " + vaultUrl + " has " + what
          + " expired: its expiration date (exp) was " + expires + "; set a new version, or extend its expiry",
          ref);
    }
    String text = s.getValue();
    if (text == null) {
      throw new SecretFormatException(AzureErrors.SERVICE + " answered for " + what
          + " without a value; the answer cannot be used", ref);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("id", s.getId());
    if (p != null) {
      if (p.getContentType() != null) {
        metadata.put("content-type", p.getContentType());
      }
      Instant updated = instant(p.getUpdatedOn());
      if (updated != null) {
        metadata.put("updated", updated.toString());
      }
      if (notBefore != null) {
        metadata.put("not-before", notBefore.toString());
      }
      if (p.getTags() != null) {
        p.getTags().forEach((k, v) -> {
          if (k != null && v != null) {
            metadata.put("tag." + k, v);
          }
        });
      }
    }
    Secret.Builder b = Secret.builder(id.name()).versionId(id.version()).stages(stages).metadata(metadata);
    Instant created = instant(p == null ? null : p.getCreatedOn());
    if (created != null) {
      b.createdAt(created);
    }
    if (expires != null) {
      b.expiresAt(expires);
    }
    LOG.debug("read {} from {} {}", what, AzureErrors.SERVICE, vaultUrl);
    // The one unavoidable copy: out of the client's String into an array the value owns.
    return b.value(SecretValue.wrap(text.toCharArray())).build();
  }

  private static boolean isVersionId(String v) {
    if (v.length() != 32) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      if (Character.digit(v.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static @Nullable Instant instant(@Nullable OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  /** {@code https://host[:port]}, lowercase, of a URL a user's client was built with. */
  private static String origin(String url) {
    java.net.URI u = java.net.URI.create(url.trim());
    String scheme = u.getScheme() == null ? "https" : u.getScheme().toLowerCase(Locale.ROOT);
    String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
    return scheme + "://" + host + (u.getPort() > 0 && u.getPort() != 443 ? ":" + u.getPort() : "");
  }

  /**
   * Builds an {@link AzureKeyVaultSource}: either around a {@link SecretClient} of yours ({@link
   * #client}), or with a client it makes for {@link #vaultUrl}: the JDK's HTTP client with {@link
   * #timeout}, no azure-core retries, Key Vault's challenge authentication, and {@link #credential}
   * or else {@code DefaultAzureCredential} (with {@link #tenantId} and {@link
   * #managedIdentityClientId}).
   */
  public static final class Builder {
    private @Nullable SecretClient client;
    private @Nullable String vaultUrl;
    private @Nullable TokenCredential credential;
    private @Nullable String tenantId;
    private @Nullable String managedIdentityClientId;
    private @Nullable HttpClient httpClient;
    private @Nullable Duration timeout;
    private Clock clock = Clock.systemUTC();
    private int parallelism = DEFAULT_PARALLELISM;

    private Builder() {}

    /**
     * Uses your client, exactly as you built it: its vault, HTTP client, credential and retry
     * policy. azure-core retries by default (three retries); so does secretsdk's resilience
     * policy: build the client with {@code retryOptions(new RetryOptions(new FixedDelayOptions(0,
     * Duration.ofMillis(1))))}, or give the cache {@code ResiliencePolicy.none()}, so that retries
     * do not multiply. The vault URL of your client is not checked to be a Key Vault host.
     *
     * @param client the client
     * @return this builder
     */
    public Builder client(SecretClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * The vault of the client the source makes.
     *
     * @param url {@code https://<name>.vault.azure.net} (or the China, US Government or Germany
     *     cloud's suffix)
     * @return this builder
     * @throws SecretConfigurationException if the URL is not HTTPS, has a path, or its host is not
     *     a Key Vault vault
     */
    public Builder vaultUrl(String url) {
      this.vaultUrl = KeyVaultNames.checkVaultUrl(Objects.requireNonNull(url, "url"));
      return this;
    }

    /**
     * The credential of the client the source makes; {@code DefaultAzureCredential} unless set.
     *
     * @param credential a credential, e.g. {@code ManagedIdentityCredential} or {@code
     *     WorkloadIdentityCredential}
     * @return this builder
     */
    public Builder credential(TokenCredential credential) {
      this.credential = Objects.requireNonNull(credential, "credential");
      return this;
    }

    /**
     * The tenant that {@code DefaultAzureCredential} authenticates in; the environment's unless set.
     *
     * @param tenantId a tenant id
     * @return this builder
     */
    public Builder tenantId(String tenantId) {
      this.tenantId = nonBlank(tenantId, "tenantId");
      return this;
    }

    /**
     * The client id of a user-assigned managed identity for {@code DefaultAzureCredential}; the
     * system-assigned identity (or {@code AZURE_CLIENT_ID}) unless set.
     *
     * @param clientId the identity's client id
     * @return this builder
     */
    public Builder managedIdentityClientId(String clientId) {
      this.managedIdentityClientId = nonBlank(clientId, "clientId");
      return this;
    }

    /**
     * The azure-core HTTP client of the client the source makes (one with a proxy, or Netty's);
     * the JDK's HTTP client with {@link #timeout} unless set. The source still turns azure-core's
     * retries off; the timeouts are this client's own.
     *
     * @param httpClient the HTTP client
     * @return this builder
     */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * How long the JDK HTTP client the source makes waits: to connect (at most 2 seconds of it),
     * for an answer, and between reads of its body; 5 seconds unless set.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new SecretConfigurationException("timeout must be positive, was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * How many secrets {@link AzureKeyVaultSource#fetchAll} reads at once.
     *
     * @param parallelism 1 to 64; 8 unless set
     * @return this builder
     */
    public Builder parallelism(int parallelism) {
      if (parallelism < 1 || parallelism > 64) {
        throw new SecretConfigurationException("parallelism must be 1 to 64, was " + parallelism);
      }
      this.parallelism = parallelism;
      return this;
    }

    /**
     * The time source that activation ({@code nbf}) and expiry ({@code exp}) dates are checked
     * against.
     *
     * @param clock the clock; the system UTC clock unless set
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the source. Nothing is sent to the vault or to Microsoft Entra ID yet.
     *
     * @return the source
     * @throws SecretConfigurationException if neither a client nor a vault URL was given, or
     *     settings for making a client were given with a client of yours
     */
    public AzureKeyVaultSource build() {
      if (client != null) {
        if (vaultUrl != null || credential != null || tenantId != null || managedIdentityClientId != null
            || httpClient != null || timeout != null) {
          throw new SecretConfigurationException(
              "vaultUrl, credential, tenantId, managedIdentityClientId, httpClient and timeout configure the"
                  + " client this builder makes; with client(...) set them on your own SecretClient instead");
        }
        return new AzureKeyVaultSource(client, origin(client.getVaultUrl()), clock, parallelism);
      }
      if (vaultUrl == null) {
        throw new SecretConfigurationException(
            "an azure-kv source needs a vault: set vaultUrl(\"https://<name>.vault.azure.net\") or give it a"
                + " SecretClient with client(...)");
      }
      if (credential != null && (tenantId != null || managedIdentityClientId != null)) {
        throw new SecretConfigurationException(
            "tenantId and managedIdentityClientId configure DefaultAzureCredential; with credential(...) set"
                + " them on your own credential instead");
      }
      HttpClient http = httpClient != null ? httpClient
          : AzureClients.jdkHttpClient(timeout == null ? AzureClients.DEFAULT_TIMEOUT : timeout);
      TokenCredential cred = credential != null ? credential
          : AzureClients.defaultCredential(tenantId, managedIdentityClientId, null);
      return new AzureKeyVaultSource(AzureClients.secretClient(vaultUrl, cred, http), vaultUrl, clock, parallelism);
    }

    private static String nonBlank(String s, String what) {
      Objects.requireNonNull(s, what);
      if (s.isBlank()) {
        throw new SecretConfigurationException(what + " must not be blank");
      }
      return s.trim();
    }
  }
}
