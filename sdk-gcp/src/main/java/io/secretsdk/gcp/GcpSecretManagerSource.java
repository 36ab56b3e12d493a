package io.secretsdk.gcp;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.rpc.StatusCode;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.GetSecretRequest;
import com.google.cloud.secretmanager.v1.GetSecretVersionRequest;
import com.google.cloud.secretmanager.v1.ListSecretVersionsRequest;
import com.google.cloud.secretmanager.v1.ListSecretVersionsResponse;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.protobuf.Timestamp;
import io.secretsdk.BatchResult;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionCheck;
import io.secretsdk.VersionStage;
import io.secretsdk.gcp.internal.GcpClients;
import io.secretsdk.gcp.internal.GcpErrors;
import io.secretsdk.gcp.internal.Payloads;
import io.secretsdk.gcp.internal.GcpCauses;
import io.secretsdk.gcp.internal.SecretInfos;
import io.secretsdk.gcp.internal.SecretInfos.Info;
import io.secretsdk.gcp.internal.SecretName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets from Google Cloud Secret Manager (scheme {@code gcp-sm}).
 *
 * <p><b>References.</b> {@code gcp-sm://NAME} (a secret of the default {@link Builder#project
 * project}, regional if a default {@link Builder#location location} is set), {@code
 * gcp-sm://projects/P/secrets/S} or {@code gcp-sm://projects/P/locations/L/secrets/S}. {@code
 * ?version=N} reads version N, {@code ?version=ALIAS} the version an alias points at, {@code
 * ?stage=current} (the default) Google's {@code latest}, the newest version, and {@code
 * ?stage=previous} the newest enabled version older than {@code latest}. A trailing {@code
 * /versions/V} in the name is the same as {@code ?version=V}. A malformed name is an {@link
 * InvalidSecretRefException}; a short name without a default project is a {@link
 * SecretConfigurationException}.
 *
 * <p><b>What a secret carries.</b> {@link Secret#versionId()} is the version number (Google's
 * answers name the project by number; a project id and its number are the same secret). {@link
 * Secret#expiresAt()} is the secret's {@code expire_time}, {@link Secret#nextRotationAt()} its
 * {@code rotation.next_rotation_time}, {@link Secret#labels()} the aliases pointing at this
 * version (and {@code latest} for the current one), {@link Secret#metadata()} the secret's labels
 * ({@code label.K}), annotations ({@code annotation.K}) and the answered version's resource name
 * ({@code resource}). These come from {@code GetSecret}, asked when a secret is first read, after
 * {@code latest} moved to another version, and once after a published rotation time passed; not
 * on every refresh. A caller who may not call {@code GetSecret} (the {@code secretAccessor} role
 * alone does not allow it) still gets values, without this metadata.
 *
 * <p><b>Values.</b> The payload's CRC32C is checked when the server sends one: a mismatch is a
 * {@link SecretFormatException}. Well-formed UTF-8 becomes a text value, anything else a binary
 * one, decided like the file backend. The payload is decoded straight from the response's buffer
 * into the value (one copy), and that buffer is then zeroed.
 *
 * <p><b>Version checks.</b> {@link #checkVersion} asks {@code GetSecretVersion}, which returns
 * the version's number and state but no payload: a cache that learns this way that {@code latest}
 * has not moved keeps its value and pays for no access operation (what Google bills). A caller who
 * may not call {@code GetSecretVersion} gets empty checks, and the cache fetches instead.
 *
 * <p><b>Batches.</b> Secret Manager has no batch read: {@link #fetchAll} reads up to {@value
 * #PARALLEL_READS} secrets at once, each failure typed on its own.
 *
 * <p><b>Errors</b> of both transports: {@code NOT_FOUND} is {@link SecretNotFoundException};
 * {@code PERMISSION_DENIED} and {@code UNAUTHENTICATED} are {@link
 * io.secretsdk.SecretAccessDeniedException}; a disabled version is a {@code
 * SecretAccessDeniedException} and a destroyed one a {@code SecretNotFoundException}, each saying
 * which and naming the version (gRPC says {@code FAILED_PRECONDITION}, HTTP/JSON {@code
 * INVALID_ARGUMENT}; the state is read with {@code GetSecretVersion}); {@code RESOURCE_EXHAUSTED}
 * is {@link io.secretsdk.SecretThrottledException} with the delay of a {@code RetryInfo} detail;
 * {@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED} and connection failures are {@link
 * SecretUnavailableException}. Messages and causes never hold the server's message or a response
 * body.
 *
 * <p><b>Who retries.</b> This source makes one client call per backend request and does not
 * retry: the cache's {@code ResiliencePolicy} does. A client this source makes has the client
 * library's retries turned off (one attempt, with a deadline); a client passed to {@link
 * Builder#client} is used as it is, its retries included (see the package documentation).
 *
 * <p>Thread-safe. What it returns is owned by the caller.
 */
public final class GcpSecretManagerSource implements SecretSource {
  /** The scheme this source answers for. */
  public static final String SCHEME = "gcp-sm";

  /** How many secrets {@link #fetchAll} reads at once. */
  public static final int PARALLEL_READS = 8;

  private static final Logger LOG = LoggerFactory.getLogger(GcpSecretManagerSource.class);
  /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range of {@code google.protobuf.Timestamp}. */
  private static final long MIN_TIMESTAMP_SECONDS = -62_135_596_800L;
  private static final long MAX_TIMESTAMP_SECONDS = 253_402_300_799L;
  private static final int PAGE_SIZE = 250;
  private static final int MAX_PAGES = 40;
  private static final String ACCESS = "secretmanager.versions.access";

  /** The client library's transports, for a client this source makes. */
  public enum Transport {
    /** gRPC over HTTP/2 (shaded Netty): the client library's default. */
    GRPC,
    /** REST with JSON bodies over HTTP/1.1: runs without a gRPC runtime on the class path. */
    HTTP_JSON
  }

  private final @Nullable SecretManagerServiceClient userClient;
  private final Map<String, SecretManagerServiceClient> madeClients = new ConcurrentHashMap<>();
  private final Builder config;
  private final @Nullable String project;
  private final @Nullable String location;
  private final Clock clock;
  private final SecretInfos infos = new SecretInfos();
  private final Object poolLock = new Object();
  private @Nullable ThreadPoolExecutor pool;
  private volatile boolean closed;

  private GcpSecretManagerSource(Builder b) {
    this.userClient = b.client;
    this.config = b.copy();
    this.project = b.project;
    this.location = b.location;
    this.clock = b.clock;
    if (userClient == null) {
      client(location); // fail now, not at the first read, if no client can be made
    }
  }

  /**
   * Starts a source. Give it a client with {@link Builder#client}, or let it make one.
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
   * The full resource name, so that {@code gcp-sm://db} and {@code
   * gcp-sm://projects/P/secrets/db} (with P the default project) are one cache entry, one set of
   * backend calls and one rotation event: {@code projects/P[/locations/L]/secrets/S}, the version
   * as {@code ?version=} (none for {@code latest}), the stage and field kept. A reference that does
   * not parse is left as it is (its read then fails with the reason).
   */
  @Override
  public SecretRef canonical(SecretRef ref) {
    SecretRef withScheme = ref.scheme().isPresent() ? ref : ref.withScheme(SCHEME);
    if (!SCHEME.equals(withScheme.scheme().orElse(SCHEME))) {
      return withScheme;
    }
    try {
      SecretName n = SecretName.parse(withScheme, project, location);
      SecretRef c = SecretRef.of(n.secretResource()).withScheme(SCHEME);
      if (!n.isLatest()) {
        if (ref.stage().isPresent()) {
          return withScheme; // a version and a stage: left for the read to judge
        }
        c = c.withVersion(n.version());
      } else if (ref.stage().isPresent()) {
        c = c.withStage(ref.stage().get());
      }
      return ref.field().isPresent() ? c.withField(ref.field().get()) : c;
    } catch (SecretException malformed) {
      return withScheme;
    }
  }

  /**
   * Reads one version with {@code AccessSecretVersion}, and the secret's metadata with {@code
   * GetSecret} when it may have changed.
   *
   * @param ref the secret, with an optional version or stage
   * @return the secret, owned by the caller
   */
  @Override
  public Secret fetch(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    checkOpen();
    SecretName n = name(ref);
    if (ref.stage().orElse(VersionStage.CURRENT) == VersionStage.PREVIOUS) {
      return previous(ref, n).orElseThrow(() -> new SecretNotFoundException(
          GcpErrors.SERVICE + " has no enabled version of " + what(ref, n) + " older than latest", ref));
    }
    return access(ref, n, n.isLatest() ? EnumSet.of(VersionStage.CURRENT) : EnumSet.noneOf(VersionStage.class), null);
  }

  /**
   * Reads many secrets, up to {@value #PARALLEL_READS} at once (Secret Manager has no batch read).
   *
   * @param refs the secrets
   * @return what was found and what failed, by reference
   */
  @Override
  public BatchResult fetchAll(Collection<SecretRef> refs) {
    Objects.requireNonNull(refs, "refs");
    checkOpen();
    List<SecretRef> distinct = new ArrayList<>(new LinkedHashSet<>(refs));
    Map<SecretRef, Secret> found = new LinkedHashMap<>();
    Map<SecretRef, SecretException> failed = new LinkedHashMap<>();
    Map<SecretRef, Future<Secret>> futures = new LinkedHashMap<>();
    ThreadPoolExecutor executor = pool();
    for (SecretRef ref : distinct) {
      try {
        futures.put(ref, executor.submit(() -> fetch(ref)));
      } catch (RejectedExecutionException e) {
        futures.values().forEach(f -> f.cancel(true));
        checkOpen();
        throw e;
      }
    }
    boolean interrupted = false;
    for (Map.Entry<SecretRef, Future<Secret>> e : futures.entrySet()) {
      SecretRef ref = e.getKey();
      if (interrupted) {
        e.getValue().cancel(true);
        failed.put(ref, new SecretUnavailableException(
            "reading " + ref.name() + " from " + GcpErrors.SERVICE + " was interrupted", ref));
        continue;
      }
      try {
        found.put(ref, e.getValue().get());
      } catch (java.util.concurrent.CancellationException ex) {
        failed.put(ref, new SecretUnavailableException(
            "reading " + ref.name() + " from " + GcpErrors.SERVICE + " was cancelled: the source was closed", ref));
      } catch (ExecutionException ex) {
        Throwable cause = ex.getCause();
        failed.put(ref, cause instanceof SecretException ? (SecretException) cause
            : new SecretException("reading " + ref.name() + " from " + GcpErrors.SERVICE + " failed ("
                + GcpCauses.describe(Objects.requireNonNull(cause)) + ")", ref, GcpCauses.of(cause)));
      } catch (InterruptedException ex) {
        interrupted = true;
        e.getValue().cancel(true);
        failed.put(ref, new SecretUnavailableException(
            "reading " + ref.name() + " from " + GcpErrors.SERVICE + " was interrupted", ref));
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      // Values that arrived after the interruption are owned by nobody: wipe them.
      for (Future<Secret> f : futures.values()) {
        if (f.isDone() && !f.isCancelled()) {
          try {
            Secret s = f.get();
            if (!found.containsValue(s)) {
              s.value().destroy();
            }
          } catch (ExecutionException | InterruptedException | RuntimeException ignored) {
            // nothing to wipe
          }
        }
      }
    }
    return new BatchResult(found, failed);
  }

  /**
   * Reads the newest enabled version older than {@code latest}, found with {@code
   * ListSecretVersions} (paged).
   *
   * @param ref the secret
   * @return the previous version, owned by the caller, or empty if there is none (or no secret)
   */
  @Override
  public Optional<Secret> fetchPrevious(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    checkOpen();
    SecretName n = name(ref.stage().isPresent() ? SecretRef.of(ref.name()) : ref);
    try {
      return previous(ref, n);
    } catch (SecretNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Tells which version {@code ref} names now with {@code GetSecretVersion}: its number and state,
   * no payload, so no access operation. A disabled or destroyed version is the same typed error a
   * {@link #fetch} would give.
   *
   * @param ref the secret
   * @return the version number now, with the secret's expiry and next rotation; empty for {@code
   *     ?stage=previous} and where the caller may not call {@code GetSecretVersion}
   */
  @Override
  public Optional<VersionCheck> checkVersion(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    checkOpen();
    SecretName n = name(ref);
    if (ref.stage().orElse(VersionStage.CURRENT) == VersionStage.PREVIOUS) {
      return Optional.empty();
    }
    Info known = infos.get(n.secretResource());
    if (known != null && known.checksDenied()) {
      return Optional.empty();
    }
    SecretVersion v;
    try {
      v = client(n.location()).getSecretVersion(GetSecretVersionRequest.newBuilder().setName(n.versionResource()).build());
    } catch (RuntimeException e) {
      if (GcpErrors.codeOf(e) == StatusCode.Code.PERMISSION_DENIED) {
        LOG.info("{} refused GetSecretVersion on '{}'; its version checks will read the value instead "
            + "(grant secretmanager.versions.get, e.g. roles/secretmanager.viewer, to check without an access "
            + "operation)", GcpErrors.SERVICE, n.secretResource());
        Info base = known != null ? known : Info.NONE;
        infos.put(n.secretResource(), base.withChecksDenied());
        return Optional.empty();
      }
      throw GcpErrors.map(e, ref, what(ref, n), "secretmanager.versions.get");
    }
    String number = SecretName.numberOf(v.getName());
    if (number == null) {
      throw new SecretFormatException(
          GcpErrors.SERVICE + " answered the version check of " + what(ref, n) + " without a version number", ref);
    }
    if (v.getState() != SecretVersion.State.ENABLED) {
      throw GcpErrors.versionState(v.getState(), number, ref, what(ref, n), null);
    }
    Info info = info(ref, n, number);
    LOG.debug("checked secret '{}': {} is version {}", ref.name(), n.version(), number);
    return Optional.of(new VersionCheck(number, Optional.ofNullable(info.expiresAt()),
        Optional.ofNullable(info.nextRotationAt())));
  }

  /** Closes the clients this source made and its read threads; a client passed to the builder is left open. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (poolLock) {
      if (pool != null) {
        // Reads not yet started never will be: cancel them, so a fetchAll waiting on them returns.
        for (Runnable never : pool.shutdownNow()) {
          if (never instanceof Future) {
            ((Future<?>) never).cancel(false);
          }
        }
      }
    }
    for (SecretManagerServiceClient c : madeClients.values()) {
      c.close();
    }
  }

  private Optional<Secret> previous(SecretRef ref, SecretName n) {
    long current = -1;
    if (!n.isLatest()) {
      if (!SecretName.isNumber(n.version())) {
        throw new InvalidSecretRefException(
            "secret reference '" + ref.name() + "': the version before an alias cannot be found; ask for "
                + "?stage=previous of the secret, or the version before a version number", ref);
      }
      current = Long.parseLong(n.version());
    }
    // One pass: the newest version of any state (latest), and the two highest enabled ones below
    // the asked-for version, since the highest enabled one may be latest itself.
    long newest = -1;
    SecretVersion first = null;
    SecretVersion second = null;
    String token = "";
    int pages = 0;
    SecretManagerServiceClient c = client(n.location());
    do {
      ListSecretVersionsResponse page;
      try {
        page = c.listSecretVersionsCallable().call(ListSecretVersionsRequest.newBuilder()
            .setParent(n.secretResource()).setPageSize(PAGE_SIZE).setPageToken(token).build());
      } catch (RuntimeException e) {
        throw GcpErrors.map(e, ref, what(ref, n), "secretmanager.versions.list");
      }
      for (SecretVersion v : page.getVersionsList()) {
        long k = numberOrMinus(v);
        if (k < 0) {
          continue;
        }
        newest = Math.max(newest, k);
        if (v.getState() != SecretVersion.State.ENABLED || (current >= 0 && k >= current)) {
          continue;
        }
        if (first == null || k > numberOrMinus(first)) {
          second = first;
          first = v;
        } else if (k != numberOrMinus(first) && (second == null || k > numberOrMinus(second))) {
          second = v;
        }
      }
      token = page.getNextPageToken();
    } while (!token.isEmpty() && ++pages < MAX_PAGES);
    if (!token.isEmpty()) {
      LOG.info("secret '{}' has over {} versions; its previous version was looked for among the first {} listed",
          n.secretResource(), PAGE_SIZE * MAX_PAGES, PAGE_SIZE * MAX_PAGES);
    }
    SecretVersion best = current < 0 && first != null && numberOrMinus(first) == newest ? second : first;
    if (best == null) {
      return Optional.empty();
    }
    SecretName prev = n.withVersion(Long.toString(numberOrMinus(best)));
    return Optional.of(access(ref, prev, EnumSet.of(VersionStage.PREVIOUS),
        best.hasCreateTime() ? instant(best.getCreateTime()) : null));
  }

  private static long numberOrMinus(SecretVersion v) {
    String num = SecretName.numberOf(v.getName());
    return num == null ? -1 : Long.parseLong(num);
  }

  private Secret access(SecretRef ref, SecretName n, Set<VersionStage> stages, @Nullable Instant createdAt) {
    AccessSecretVersionResponse r;
    try {
      r = client(n.location()).accessSecretVersion(
          AccessSecretVersionRequest.newBuilder().setName(n.versionResource()).build());
    } catch (RuntimeException e) {
      throw accessError(e, ref, n);
    }
    SecretValue value = Payloads.toValue(r.getPayload(), ref, what(ref, n));
    try {
      String number = SecretName.numberOf(r.getName());
      if (number == null) {
        throw new SecretFormatException(
            GcpErrors.SERVICE + " answered for " + what(ref, n) + " without a version number; the answer cannot be used",
            ref);
      }
      Info info = info(ref, n, number);
      Set<String> labels = new LinkedHashSet<>();
      if (n.isLatest()) {
        labels.add(SecretName.LATEST);
      }
      for (Map.Entry<String, Long> a : new TreeMap<>(info.aliases()).entrySet()) {
        if (a.getValue().toString().equals(number)) {
          labels.add(a.getKey());
        }
      }
      Set<VersionStage> st = EnumSet.noneOf(VersionStage.class);
      st.addAll(stages);
      if (number.equals(info.latestSeen()) && !st.contains(VersionStage.PREVIOUS)) {
        st.add(VersionStage.CURRENT);
      }
      Map<String, String> metadata = new LinkedHashMap<>(info.metadata());
      metadata.put("resource", r.getName());
      Secret.Builder b = Secret.builder(ref.name()).versionId(number).stages(st).labels(labels).metadata(metadata);
      if (info.expiresAt() != null) {
        b.expiresAt(info.expiresAt());
      }
      if (info.nextRotationAt() != null) {
        b.nextRotationAt(info.nextRotationAt());
      }
      if (createdAt != null) {
        b.createdAt(createdAt);
      }
      Secret s = b.value(value).build();
      LOG.debug("read secret '{}' version {} {} from {}", ref.name(), number, labels, GcpErrors.SERVICE);
      return s;
    } catch (RuntimeException e) {
      value.destroy();
      throw e;
    }
  }

  /** A disabled or destroyed version named by its state, read with GetSecretVersion when the error does not say. */
  private SecretException accessError(RuntimeException e, SecretRef ref, SecretName n) {
    if (GcpErrors.mayBeVersionState(e)) {
      try {
        SecretVersion v = client(n.location()).getSecretVersion(
            GetSecretVersionRequest.newBuilder().setName(n.versionResource()).build());
        if (v.getState() == SecretVersion.State.DISABLED || v.getState() == SecretVersion.State.DESTROYED) {
          return GcpErrors.versionState(v.getState(), SecretName.numberOf(v.getName()), ref, what(ref, n), e);
        }
      } catch (RuntimeException unknown) {
        GcpErrors.StateHint hint = GcpErrors.stateFromMessage(e);
        if (hint != null) {
          return GcpErrors.versionState(hint.state(), hint.number(), ref, what(ref, n), e);
        }
      }
    }
    return GcpErrors.map(e, ref, what(ref, n), ACCESS);
  }

  /** The secret's metadata: remembered, or read with GetSecret when it may have changed. */
  private Info info(SecretRef ref, SecretName n, String number) {
    String key = n.secretResource();
    Info known = infos.get(key);
    Instant now = clock.instant();
    boolean versionMoved = n.isLatest() && (known == null || !number.equals(known.latestSeen()));
    boolean rotationPassed = known != null && known.nextRotationAt() != null && !known.rotationTimePassed()
        && !now.isBefore(known.nextRotationAt());
    if (known != null && !versionMoved && !rotationPassed) {
      return known;
    }
    String latest = n.isLatest() ? number : known == null ? null : known.latestSeen();
    if (known != null && known.metadataDenied()) {
      Info updated = known.withLatestSeen(latest);
      infos.put(key, updated);
      return updated;
    }
    com.google.cloud.secretmanager.v1.Secret s;
    try {
      s = client(n.location()).getSecret(GetSecretRequest.newBuilder().setName(key).build());
    } catch (RuntimeException e) {
      StatusCode.Code code = GcpErrors.codeOf(e);
      if (code == StatusCode.Code.PERMISSION_DENIED) {
        LOG.info("{} refused GetSecret on '{}'; its values are read without expiry, rotation schedule, aliases "
            + "and labels (grant secretmanager.secrets.get, e.g. roles/secretmanager.viewer, to have them)",
            GcpErrors.SERVICE, key);
        Info denied = (known != null ? known : Info.NONE).withLatestSeen(latest).withMetadataDenied();
        infos.put(key, denied);
        return denied;
      }
      LOG.debug("GetSecret on '{}' failed ({}); the value is served without fresh metadata, asked again next read",
          key, GcpCauses.describe(e));
      return known != null ? known : Info.NONE;
    }
    @Nullable Instant expires = s.hasExpireTime() ? instant(s.getExpireTime()) : null;
    Instant next = s.hasRotation() && s.getRotation().hasNextRotationTime()
        ? instant(s.getRotation().getNextRotationTime()) : null;
    Map<String, String> metadata = new TreeMap<>();
    s.getLabelsMap().forEach((k, v) -> metadata.put("label." + k, v));
    s.getAnnotationsMap().forEach((k, v) -> metadata.put("annotation." + k, v));
    boolean passed = next != null && !now.isBefore(next);
    Info info = new Info(latest, expires, next, passed, s.getVersionAliasesMap(), metadata, false,
        known != null && known.checksDenied());
    infos.put(key, info);
    return info;
  }

  /** A timestamp as an instant, or {@code null} for one outside protobuf's valid range (years 1 to 9999). */
  private static @Nullable Instant instant(Timestamp t) {
    if (t.getSeconds() < MIN_TIMESTAMP_SECONDS || t.getSeconds() > MAX_TIMESTAMP_SECONDS || t.getNanos() < 0
        || t.getNanos() > 999_999_999) {
      LOG.debug("{} sent a timestamp outside the valid range; it is ignored", GcpErrors.SERVICE);
      return null;
    }
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  private SecretName name(SecretRef ref) {
    if (ref.stage().orElse(VersionStage.CURRENT) == VersionStage.PENDING) {
      throw new InvalidSecretRefException(
          "secret reference '" + ref.name() + "' asks for the pending stage, which " + GcpErrors.SERVICE
              + " does not have; ask for ?stage=current, ?stage=previous or a ?version=", ref);
    }
    return SecretName.parse(ref, project, location);
  }

  private SecretManagerServiceClient client(@Nullable String loc) {
    if (userClient != null) {
      return userClient;
    }
    String key = config.endpoint != null || config.channel != null || loc == null ? "" : loc;
    SecretManagerServiceClient c = madeClients.computeIfAbsent(key, k -> GcpClients.create(
        config.transport, config.endpoint, k.isEmpty() ? null : k, config.credentials, config.channel, config.timeout));
    if (closed) {
      c.close();
      checkOpen();
    }
    return c;
  }

  private ThreadPoolExecutor pool() {
    synchronized (poolLock) {
      checkOpen();
      if (pool == null) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor p = new ThreadPoolExecutor(PARALLEL_READS, PARALLEL_READS, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
              Thread t = new Thread(r, "secretsdk-gcp-read-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
        p.allowCoreThreadTimeOut(true);
        pool = p;
      }
      return pool;
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this " + SCHEME + " secret source is closed");
    }
  }

  private static String what(SecretRef ref, SecretName n) {
    String base = "secret '" + ref.name() + "'";
    String resource = n.secretResource();
    return (ref.name().equals(resource) || ref.name().startsWith(resource + "/") ? base : base + " (" + resource + ")")
        + " version " + n.version();
  }

  /**
   * Builds a {@link GcpSecretManagerSource}: around a client of yours ({@link #client}), or with
   * clients it makes itself from {@link #transport}, {@link #endpoint}, {@link #credentials} and
   * {@link #timeout}: gRPC, Application Default Credentials, the global endpoint (or a location's
   * regional endpoint), one attempt per call with a 5 second deadline. The source sets no
   * environment variable or system property.
   */
  public static final class Builder {
    private @Nullable SecretManagerServiceClient client;
    private @Nullable String project;
    private @Nullable String location;
    private @Nullable String endpoint;
    private Transport transport = Transport.GRPC;
    private @Nullable CredentialsProvider credentials;
    private @Nullable TransportChannelProvider channel;
    private Duration timeout = GcpClients.DEFAULT_TIMEOUT;
    private Clock clock = Clock.systemUTC();
    private boolean touched;

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.endpoint = endpoint;
      b.transport = transport;
      b.credentials = credentials;
      b.channel = channel;
      b.timeout = timeout;
      return b;
    }

    /**
     * Uses your client, exactly as you built it: its transport, endpoint, credentials and retry
     * settings. The client library retries {@code AccessSecretVersion} on {@code UNAVAILABLE} and
     * {@code RESOURCE_EXHAUSTED} for up to a minute by default, and secretsdk's resilience policy
     * retries too: build the client with retries turned off (see the module README), or give the
     * cache {@code ResiliencePolicy.none()}. Regional secrets need a client made for their
     * region's endpoint. The source never closes a client it was given.
     *
     * @param client the client
     * @return this builder
     */
    public Builder client(SecretManagerServiceClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * The project of short names ({@code gcp-sm://NAME}).
     *
     * @param defaultProject a project id or number
     * @return this builder
     * @throws SecretConfigurationException if it is not a well-formed project id or number
     */
    public Builder project(String defaultProject) {
      Objects.requireNonNull(defaultProject, "defaultProject");
      try {
        SecretName.parse("projects/" + defaultProject + "/secrets/x", null, null, null, null);
      } catch (InvalidSecretRefException e) {
        throw new SecretConfigurationException("'" + defaultProject + "' is not a Google Cloud project id or number");
      }
      this.project = defaultProject;
      return this;
    }

    /**
     * The location of short names: they become regional secrets ({@code
     * projects/P/locations/L/secrets/NAME}), read through the regional endpoint {@code
     * secretmanager.L.rep.googleapis.com:443}. Full regional names are read through their own
     * location's endpoint whether or not this is set.
     *
     * @param location e.g. {@code europe-west1}
     * @return this builder
     * @throws SecretConfigurationException if it is not a well-formed location
     */
    public Builder location(String location) {
      Objects.requireNonNull(location, "location");
      try {
        SecretName.parse("projects/p/locations/" + location + "/secrets/x", null, null, null, null);
      } catch (InvalidSecretRefException e) {
        throw new SecretConfigurationException(
            "'" + location + "' is not a Google Cloud location such as europe-west1");
      }
      this.location = location;
      return this;
    }

    /**
     * The endpoint of the clients the source makes, for every location: a Private Service Connect
     * endpoint, or a test server ({@code host:port}; with HTTP/JSON also {@code http://host:port}
     * for a loopback server).
     *
     * @param endpoint the endpoint
     * @return this builder
     */
    public Builder endpoint(String endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      if (endpoint.isBlank()) {
        throw new SecretConfigurationException("the gcp-sm endpoint must not be blank");
      }
      this.endpoint = endpoint.trim();
      touched = true;
      return this;
    }

    /**
     * The transport of the clients the source makes: {@link Transport#GRPC} (default) or {@link
     * Transport#HTTP_JSON}, which also runs with the gRPC jars left out (see the module README).
     *
     * @param transport the transport
     * @return this builder
     */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      touched = true;
      return this;
    }

    /**
     * The credentials of the clients the source makes; Application Default Credentials unless set.
     * {@code NoCredentialsProvider.create()} suits an emulator.
     *
     * @param credentials the credentials provider
     * @return this builder
     */
    public Builder credentials(CredentialsProvider credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      touched = true;
      return this;
    }

    /**
     * The deadline of each call of the clients the source makes; 5 seconds unless set. There is
     * one attempt per call.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new SecretConfigurationException("the gcp-sm timeout must be positive, was " + timeout);
      }
      this.timeout = timeout;
      touched = true;
      return this;
    }

    /**
     * The time source used to notice that a published rotation time has passed.
     *
     * @param clock the clock; the system UTC clock unless set
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * gRPC takes {@code host:port}; HTTP/JSON also {@code https://host:port}, and {@code http://}
     * only to a loopback host, since the access token would otherwise cross the network in clear.
     */
    private static void checkEndpoint(String endpoint, Transport transport) {
      int sep = endpoint.indexOf("://");
      if (sep < 0) {
        return;
      }
      String scheme = endpoint.substring(0, sep).toLowerCase(java.util.Locale.ROOT);
      if (transport == Transport.GRPC) {
        throw new SecretConfigurationException(
            "the gcp-sm endpoint for gRPC is host:port, such as secretmanager.googleapis.com:443, not " + endpoint);
      }
      if (scheme.equals("https")) {
        return;
      }
      if (scheme.equals("http")) {
        String host = java.net.URI.create(endpoint).getHost();
        if (host != null && (host.equals("localhost") || host.equals("[::1]") || host.equals("::1")
            || host.startsWith("127."))) {
          return;
        }
        throw new SecretConfigurationException(
            "the gcp-sm endpoint " + endpoint + " is plain HTTP to a host that is not loopback; the access token "
                + "would cross the network in clear: use https://");
      }
      throw new SecretConfigurationException(
          "the gcp-sm endpoint " + endpoint + " has an unknown scheme; use host:port or https://host:port");
    }

    /** A transport channel for the clients the source makes (tests: an in-process channel). */
    Builder channel(TransportChannelProvider channel) {
      this.channel = Objects.requireNonNull(channel, "channel");
      touched = true;
      return this;
    }

    /**
     * Builds the source; without {@link #client}, makes its first client now.
     *
     * @return the source
     * @throws SecretConfigurationException if both a client and settings for making one were given,
     *     the endpoint does not suit the transport (plain {@code http://} is for loopback hosts only),
     *     or no client can be made (most often: no Application Default Credentials)
     */
    public GcpSecretManagerSource build() {
      if (endpoint != null) {
        checkEndpoint(endpoint, transport);
      }
      if (client != null && touched) {
        throw new SecretConfigurationException(
            "endpoint, transport, credentials and timeout configure the clients this builder makes; "
                + "with client(...) set them on your own client instead");
      }
      return new GcpSecretManagerSource(this);
    }
  }
}
