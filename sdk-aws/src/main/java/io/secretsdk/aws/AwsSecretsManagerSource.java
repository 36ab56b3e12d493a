package io.secretsdk.aws;

import io.secretsdk.BatchResult;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionCheck;
import io.secretsdk.VersionChecks;
import io.secretsdk.VersionStage;
import io.secretsdk.aws.internal.AgentTransport;
import io.secretsdk.aws.internal.AwsBackend;
import io.secretsdk.internal.JsonReader;
import io.secretsdk.internal.Printable;
import io.secretsdk.aws.internal.AwsClientSettings;
import io.secretsdk.aws.internal.AwsErrors;
import io.secretsdk.aws.internal.RotationSchedules;
import io.secretsdk.aws.internal.SecretListing;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.APIErrorType;
import software.amazon.awssdk.services.secretsmanager.model.BatchGetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretValueEntry;

/**
 * Secrets from AWS Secrets Manager (scheme {@code aws-sm}).
 *
 * <p>A reference's name is the secret's name or ARN (full, or partial without the six random
 * characters AWS appends). {@code ?stage=current|previous|pending} reads the version labelled
 * {@code AWSCURRENT}, {@code AWSPREVIOUS} or {@code AWSPENDING}; {@code ?version=V} reads the
 * version with that {@code VersionId}; otherwise the current version is read. A secret's {@link
 * Secret#labels()} are all its staging labels (custom ones too), {@link Secret#stages()} the three
 * AWS ones normalized, {@link Secret#createdAt()} when the version was created, and {@link
 * Secret#metadata()} holds its {@code arn}.
 *
 * <p><b>Values.</b> A {@code SecretBinary} becomes a binary value; the SDK's decoded buffer is
 * copied and then zeroed. A {@code SecretString} becomes a text value. The SDK hands the string
 * over as a {@link String}, which cannot be wiped: this source copies its characters once, into the
 * {@code char[]} that the returned value owns, and keeps no other copy; the SDK's {@code String}
 * is dropped with the response and left to the garbage collector.
 *
 * <p><b>Batches.</b> {@link #fetchAll} reads current versions with {@code BatchGetSecretValue}, 20
 * secrets a call; each secret's error is mapped on its own, and references naming a version or a
 * stage are read one by one. If the caller may not call {@code BatchGetSecretValue}, the source
 * says so once in the log and reads one by one from then on.
 *
 * <p><b>Rotation schedule.</b> Where rotation is enabled, {@link Secret#nextRotationAt()} of a
 * current version comes from {@code DescribeSecret}, which is asked when a secret is first loaded
 * and after each rotation (a new current version id), not on every refresh; a {@link #fetchAll}
 * of many secrets reads the schedules from {@code ListSecrets} pages instead. See {@link
 * Builder#rotationSchedule(boolean)}.
 *
 * <p><b>Version checks.</b> {@link #checkVersion} asks {@code DescribeSecret}, {@link
 * #checkVersions} {@code ListSecrets} (100 secrets under one folder in one call; it may lag five
 * minutes, see there), so that a refresh of an unchanged secret moves no value. {@link
 * #suggestedTtl} is 10 minutes.
 *
 * <p><b>Through the local agent.</b> With {@link Builder#agent()} the source reads from the AWS
 * Secrets Manager Agent (or the Lambda extension) on {@code localhost:2773} instead of an SDK
 * client; see {@link AwsAgent}.
 *
 * <p><b>Errors.</b> {@code ResourceNotFoundException}, and a secret scheduled for deletion, are
 * {@link SecretNotFoundException}; {@code AccessDeniedException}, rejected credentials and {@code
 * DecryptionFailure} (KMS) are {@link SecretAccessDeniedException}, whose message says which;
 * throttling is {@link io.secretsdk.SecretThrottledException}; 5xx, timeouts, connection failures
 * and unreadable (truncated, non-JSON) responses are {@link io.secretsdk.SecretUnavailableException};
 * a well-formed answer without a value or version id is {@link SecretFormatException}. Messages
 * and causes never carry the service's message or any part of a response body.
 *
 * <p><b>Who retries.</b> This source makes exactly one SDK call per backend request and does not
 * retry: the cache's {@code ResiliencePolicy} does. A client built by {@link Builder} has the SDK's
 * retries turned off; a client passed to {@link Builder#client} is used as it is, retries
 * included (see the package documentation).
 *
 * <p>Thread-safe. What it returns is owned by the caller.
 */
public final class AwsSecretsManagerSource implements SecretSource {
  /** The scheme this source answers for. */
  public static final String SCHEME = "aws-sm";

  /** The most secret ids one {@code BatchGetSecretValue} call takes. */
  public static final int BATCH_SIZE = 20;

  private static final Logger LOG = LoggerFactory.getLogger(AwsSecretsManagerSource.class);
  private static final AwsBackend BACKEND = AwsBackend.SECRETS_MANAGER;
  private static final int MAX_BATCH_PAGES = 20;
  private static final Duration DEFAULT_TTL = Duration.ofMinutes(10);
  private static final Duration PINNED_TTL = Duration.ofHours(1);
  private static final Duration AGENT_TTL = Duration.ofMinutes(1);

  private final @Nullable SecretsManagerClient client;
  private final boolean ownsClient;
  private final @Nullable RotationSchedules schedules;
  private final @Nullable SecretListing listing;
  private final @Nullable AgentTransport agent;
  private final Clock clock;
  private volatile boolean batchDenied;
  private volatile boolean describeDenied;
  private volatile boolean closed;

  private AwsSecretsManagerSource(Builder b) {
    this.clock = b.clock;
    if (b.agent != null) {
      this.agent = new AgentTransport(b.agent.endpoint(), b.agent.tokenFile().orElse(null), b.agent.timeout(),
          AwsAgent.TOKEN_VARIABLES, System::getenv);
      this.client = null;
      this.ownsClient = false;
      this.schedules = null;
      this.listing = null;
      return;
    }
    this.agent = null;
    SecretsManagerClient c;
    if (b.client != null) {
      c = b.client;
      this.ownsClient = false;
    } else {
      c = b.settings.secretsManager();
      this.ownsClient = true;
    }
    this.client = c;
    this.schedules = b.rotationSchedule ? new RotationSchedules(c, b.clock) : null;
    this.listing = new SecretListing(c);
  }

  /** The SDK client; every caller has returned before this in agent mode. */
  private SecretsManagerClient sdk() {
    return Objects.requireNonNull(client, "client");
  }

  private SecretListing listing() {
    return Objects.requireNonNull(listing, "listing");
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
   * Reads one version with {@code GetSecretValue}, and for the current version the rotation
   * schedule when it may have changed.
   *
   * @param ref the secret's name or ARN, with an optional version or stage
   * @return the secret, owned by the caller
   */
  @Override
  public Secret fetch(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    checkOpen();
    if (agent != null) {
      return viaAgent(agent, ref);
    }
    GetSecretValueRequest.Builder request = GetSecretValueRequest.builder().secretId(ref.name());
    if (ref.version().isPresent()) {
      request.versionId(ref.version().get());
    } else {
      request.versionStage(label(ref.stage().orElse(VersionStage.CURRENT)));
    }
    GetSecretValueResponse r;
    try {
      r = sdk().getSecretValue(request.build());
    } catch (SdkException | UncheckedIOException e) {
      throw AwsErrors.map(e, ref, BACKEND, what(ref));
    }
    Secret secret = toSecret(ref, r.name(), r.arn(), r.versionId(), r.secretString(), r.secretBinary(),
        r.hasVersionStages() ? r.versionStages() : List.of(), r.createdDate());
    LOG.debug("read secret {} version {} {} from {}", ref, Printable.text(secret.versionId()),
        Printable.text(secret.labels().toString()),
        BACKEND.displayName());
    return isCurrent(ref) ? withSchedule(ref, secret) : secret;
  }

  /**
   * Reads many secrets: current versions with {@code BatchGetSecretValue}, 20 a call, the others
   * one by one. References that name the same secret get separate copies of it.
   *
   * @param refs the secrets
   * @return what was found and what failed, by reference
   */
  @Override
  public BatchResult fetchAll(Collection<SecretRef> refs) {
    Objects.requireNonNull(refs, "refs");
    checkOpen();
    Map<SecretRef, Secret> found = new LinkedHashMap<>();
    Map<SecretRef, SecretException> failed = new LinkedHashMap<>();
    Map<String, List<SecretRef>> currentById = new LinkedHashMap<>();
    List<SecretRef> oneByOne = new ArrayList<>();
    for (SecretRef ref : new LinkedHashSet<>(refs)) {
      if (isCurrent(ref) && agent == null) {
        currentById.computeIfAbsent(ref.name(), k -> new ArrayList<>()).add(ref);
      } else {
        oneByOne.add(ref);
      }
    }
    learnSchedules(currentById);
    List<String> ids = new ArrayList<>(currentById.keySet());
    for (int from = 0; from < ids.size(); from += BATCH_SIZE) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + BATCH_SIZE));
      if (batchDenied) {
        chunk.forEach(id -> oneByOne.addAll(currentById.get(id)));
      } else {
        batch(chunk, currentById, found, failed, oneByOne);
      }
    }
    for (SecretRef ref : oneByOne) {
      try {
        found.put(ref, fetch(ref));
      } catch (SecretException e) {
        failed.put(ref, e);
      }
    }
    return new BatchResult(found, failed);
  }

  private void batch(List<String> chunk, Map<String, List<SecretRef>> refsById, Map<SecretRef, Secret> found,
      Map<SecretRef, SecretException> failed, List<SecretRef> oneByOne) {
    Map<String, Secret> got = new LinkedHashMap<>();
    Map<String, Function<SecretRef, SecretException>> errors = new LinkedHashMap<>();
    RuntimeException callFailure = null;
    try {
      String token = null;
      int pages = 0;
      do {
        String pageToken = token;
        BatchGetSecretValueResponse r =
            sdk().batchGetSecretValue(b -> b.secretIdList(chunk).nextToken(pageToken));
        if (r.hasSecretValues()) {
          for (SecretValueEntry e : r.secretValues()) {
            String id = matchId(chunk, e.name(), e.arn());
            if (id == null || got.containsKey(id)) {
              LOG.debug("ignored an unasked-for entry '{}' in a BatchGetSecretValue answer", Printable.text(e.name()));
              continue;
            }
            SecretRef ref = refsById.get(id).get(0);
            try {
              got.put(id, toSecret(ref, e.name(), e.arn(), e.versionId(), e.secretString(), e.secretBinary(),
                  e.hasVersionStages() ? e.versionStages() : List.of(), e.createdDate()));
            } catch (SecretFormatException fe) {
              errors.put(id, rf -> new SecretFormatException(fe.getMessage(), rf));
            }
          }
        }
        if (r.hasErrors()) {
          for (APIErrorType e : r.errors()) {
            String id = matchId(chunk, e.secretId(), e.secretId());
            if (id != null && !got.containsKey(id)) {
              errors.putIfAbsent(id, rf -> AwsErrors.fromBatchError(e.errorCode(), e.message(), rf, BACKEND, what(rf)));
            }
          }
        }
        token = r.nextToken();
      } while (token != null && ++pages < MAX_BATCH_PAGES);
    } catch (SdkException | UncheckedIOException e) {
      callFailure = e;
    }
    if (callFailure != null && got.isEmpty()) {
      SecretException mapped = AwsErrors.map(callFailure, refsById.get(chunk.get(0)).get(0), BACKEND, "a batch of secrets");
      if (mapped instanceof SecretAccessDeniedException) {
        batchDenied = true;
        LOG.info("{} refused BatchGetSecretValue; reading secrets one by one from now on "
            + "(grant secretsmanager:BatchGetSecretValue to warm caches in batches of {})",
            BACKEND.displayName(), BATCH_SIZE);
        chunk.forEach(id -> oneByOne.addAll(refsById.get(id)));
        return;
      }
      if (mapped instanceof InvalidSecretRefException) {
        // One malformed id fails the whole call: read this chunk one by one, so only it fails.
        LOG.debug("BatchGetSecretValue rejected a chunk as malformed; reading its {} secrets one by one", chunk.size());
        chunk.forEach(id -> oneByOne.addAll(refsById.get(id)));
        return;
      }
    }
    LOG.debug("BatchGetSecretValue of {} secrets: {} found, {} errors{}", chunk.size(), got.size(), errors.size(),
        callFailure == null ? "" : ", then the call failed");
    for (String id : chunk) {
      List<SecretRef> refs = refsById.get(id);
      Secret secret = got.get(id);
      Function<SecretRef, SecretException> error = errors.get(id);
      if (secret != null) {
        secret = withSchedule(refs.get(0), secret);
        found.put(refs.get(0), secret);
        for (SecretRef other : refs.subList(1, refs.size())) {
          found.put(other, secret.toBuilder().value(copy(secret.value())).build());
        }
      } else if (error != null) {
        for (SecretRef ref : refs) {
          failed.put(ref, error.apply(ref));
        }
      } else if (callFailure != null) {
        for (SecretRef ref : refs) {
          failed.put(ref, AwsErrors.map(callFailure, ref, BACKEND, what(ref)));
        }
      } else {
        // Neither a value nor an error for this id: ask for it on its own.
        oneByOne.addAll(refs);
      }
    }
  }

  /**
   * Before a batch: the rotation schedules of the secrets about to be loaded, from {@code
   * ListSecrets} pages (up to 100 secrets a call) instead of one {@code DescribeSecret} each. A
   * secret the listing does not answer for, or answers for with another current version than the
   * batch then reads, is described on its own as before.
   */
  private void learnSchedules(Map<String, List<SecretRef>> currentById) {
    RotationSchedules known = schedules;
    if (known == null || listing().denied()) {
      return;
    }
    List<String> names = new ArrayList<>();
    for (String id : currentById.keySet()) {
      if (SecretListing.listable(id) && known.needs(id, null)) {
        names.add(id);
      }
    }
    if (names.size() < 2) {
      return; // one DescribeSecret costs the same and is not eventually consistent
    }
    SecretListing.Result r = listing().find(names, n -> currentById.get(n).get(0));
    for (Map.Entry<String, SecretListEntry> e : r.found.entrySet()) {
      String current = versionWith(e.getValue().hasSecretVersionsToStages()
          ? e.getValue().secretVersionsToStages() : Map.of(), "AWSCURRENT");
      if (current != null) {
        known.learn(e.getKey(), current, nextRotation(e.getValue().rotationEnabled(), e.getValue().nextRotationDate()));
      }
    }
    LOG.debug("rotation schedules of {} secrets from {} ListSecrets calls ({} found)", names.size(), r.calls,
        r.found.size());
  }

  /**
   * Tells which version a reference names now with {@code DescribeSecret} ({@code
   * VersionIdsToStages}, {@code RotationEnabled}, {@code NextRotationDate}), without reading the
   * value. A reference naming a version id is unchanged for as long as the secret exists. A secret
   * scheduled for deletion, or a stage no version carries, is not answered: the caller fetches and
   * gets the typed error. With {@link Builder#rotationSchedule(boolean) rotationSchedule(false)}
   * no {@code DescribeSecret} is made and nothing is answered; if {@code DescribeSecret} is refused,
   * the source says so once in the log and answers nothing from then on (the caller fetches).
   *
   * @param ref which secret
   * @return the version it names now, with the next rotation of a current version, or empty
   */
  @Override
  public Optional<VersionCheck> checkVersion(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    checkOpen();
    if (agent != null) {
      return Optional.empty(); // the agent has no metadata call: the caller reads it, from the agent's cache
    }
    if (schedules == null || describeDenied) {
      return Optional.empty(); // rotationSchedule(false), or DescribeSecret refused: the caller fetches
    }
    DescribeSecretResponse d;
    try {
      d = sdk().describeSecret(b -> b.secretId(ref.name()));
    } catch (SdkException | UncheckedIOException e) {
      SecretException mapped = AwsErrors.map(e, ref, BACKEND, what(ref));
      if (mapped instanceof SecretAccessDeniedException) {
        describeDenied = true;
        LOG.info("{} refused DescribeSecret; refreshes read the values from now on (grant "
            + "secretsmanager:DescribeSecret, or secretsmanager:ListSecrets, to check versions without reading them)",
            BACKEND.displayName());
        return Optional.empty();
      }
      throw mapped;
    }
    if (d.deletedDate() != null) {
      return Optional.empty();
    }
    Optional<VersionCheck> check = toCheck(ref, d.hasVersionIdsToStages() ? d.versionIdsToStages() : Map.of(),
        d.rotationEnabled(), d.nextRotationDate(), null);
    if (schedules != null && isCurrent(ref) && check.isPresent()) {
      schedules.learn(ref.name(), check.get().versionId(), check.get().nextRotationAt().orElse(null));
    }
    return check;
  }

  /**
   * Checks many references with {@code ListSecrets}: up to 10 name prefixes and 100 secrets a
   * call (see the class documentation for how names are grouped), so 100 secrets under one folder
   * cost one call. ARNs, names the filter cannot express, and every reference once {@code
   * ListSecrets} was refused are checked one by one with {@link #checkVersion}. A secret the listing
   * does not show (deleted, scheduled for deletion, or created in the last minutes) is left out, so
   * the caller fetches it.
   *
   * <p>ListSecrets may lag up to five minutes behind: a reference whose secret's published rotation
   * time passed less than five minutes ago is left out too (the caller fetches it), so that a lagging
   * listing cannot hide a scheduled rotation; an out-of-band change ({@code PutSecretValue}) may be
   * seen up to five minutes after the check that would otherwise have seen it.
   *
   * @param refs which secrets
   * @return the checks made, and the failures, by reference
   */
  @Override
  public VersionChecks checkVersions(Collection<SecretRef> refs) {
    Objects.requireNonNull(refs, "refs");
    checkOpen();
    Map<SecretRef, VersionCheck> found = new LinkedHashMap<>();
    Map<SecretRef, SecretException> failed = new LinkedHashMap<>();
    if (agent != null) {
      return new VersionChecks(found, failed);
    }
    Map<String, List<SecretRef>> byName = new LinkedHashMap<>();
    List<SecretRef> oneByOne = new ArrayList<>();
    for (SecretRef ref : new LinkedHashSet<>(refs)) {
      if (SecretListing.listable(ref.name()) && !listing().denied()) {
        byName.computeIfAbsent(ref.name(), k -> new ArrayList<>()).add(ref);
      } else {
        oneByOne.add(ref);
      }
    }
    if (byName.size() == 1) {
      oneByOne.addAll(byName.values().iterator().next()); // one DescribeSecret: same cost, fresher
      byName.clear();
    }
    if (!byName.isEmpty()) {
      SecretListing.Result r = listing().find(byName.keySet(), n -> byName.get(n).get(0));
      Instant now = clock.instant();
      for (Map.Entry<String, List<SecretRef>> e : byName.entrySet()) {
        String name = e.getKey();
        SecretListEntry entry = r.found.get(name);
        if (entry != null) {
          Map<String, List<String>> versions =
              entry.hasSecretVersionsToStages() ? entry.secretVersionsToStages() : Map.of();
          for (SecretRef ref : e.getValue()) {
            Optional<VersionCheck> check = toCheck(ref, versions, entry.rotationEnabled(), entry.nextRotationDate(), now);
            check.ifPresent(c -> found.put(ref, c));
            if (schedules != null && isCurrent(ref) && check.isPresent()) {
              // A changed version fetched next then needs no DescribeSecret for its schedule.
              schedules.learn(name, check.get().versionId(), check.get().nextRotationAt().orElse(null));
            }
          }
        } else if (r.failed.containsKey(name)) {
          for (SecretRef ref : e.getValue()) {
            failed.put(ref, AwsErrors.map(r.failed.get(name), ref, BACKEND, what(ref)));
          }
        } else if (r.unanswered.contains(name)) {
          oneByOne.addAll(e.getValue());
        }
      }
      LOG.debug("checked {} secrets with {} ListSecrets calls: {} answered", byName.size(), r.calls, found.size());
    }
    for (SecretRef ref : oneByOne) {
      try {
        checkVersion(ref).ifPresent(c -> found.put(ref, c));
      } catch (SecretException e) {
        failed.put(ref, e);
      }
    }
    return new VersionChecks(found, failed);
  }

  /**
   * Ten minutes for a stage (the current version included), an hour for a pinned version id. With
   * {@link #checkVersions} a refresh of 100 unchanged secrets under one folder is one {@code
   * ListSecrets} call, so these are 8 calls an hour for them (a round at 75 % of the lifetime); a
   * scheduled rotation does not wait for this lifetime (the cache refreshes at {@link Secret#nextRotationAt()}). Through the local
   * agent ({@link Builder#agent()}), one minute: a refresh is a local call served from the agent's
   * own cache, which decides how often AWS is asked.
   *
   * @param ref which secret
   * @return the suggested lifetime
   */
  @Override
  public Optional<Duration> suggestedTtl(SecretRef ref) {
    if (agent != null) {
      return Optional.of(ref.version().isPresent() ? PINNED_TTL : AGENT_TTL);
    }
    return Optional.of(ref.version().isPresent() ? PINNED_TTL : DEFAULT_TTL);
  }

  /**
   * The check of one reference from a secret's versions and schedule. {@code listedAt} is set for
   * a ListSecrets answer, which may lag: within {@link SecretListing#LAG} after a published
   * rotation time it is not trusted for a stage.
   */
  private static Optional<VersionCheck> toCheck(SecretRef ref, Map<String, List<String>> versions,
      @Nullable Boolean rotationEnabled, @Nullable Instant nextRotationDate, @Nullable Instant listedAt) {
    if (ref.version().isPresent()) {
      return Optional.of(VersionCheck.of(ref.version().get()));
    }
    Instant next = nextRotation(rotationEnabled, nextRotationDate);
    if (listedAt != null && next != null && !listedAt.isBefore(next)
        && listedAt.isBefore(next.plus(SecretListing.LAG))) {
      return Optional.empty();
    }
    String versionId = versionWith(versions, label(ref.stage().orElse(VersionStage.CURRENT)));
    if (versionId == null || versionId.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new VersionCheck(versionId, Optional.empty(),
        isCurrent(ref) ? Optional.ofNullable(next) : Optional.empty()));
  }

  private static @Nullable Instant nextRotation(@Nullable Boolean enabled, @Nullable Instant next) {
    return Boolean.TRUE.equals(enabled) ? next : null;
  }

  private static @Nullable String versionWith(Map<String, List<String>> versions, String label) {
    for (Map.Entry<String, List<String>> e : versions.entrySet()) {
      if (e.getValue() != null && e.getValue().contains(label)) {
        return e.getKey();
      }
    }
    return null;
  }

  /**
   * Reads the version labelled {@code AWSPREVIOUS}.
   *
   * @param ref the secret
   * @return the previous version, owned by the caller, or empty if the secret has none (or does
   *     not exist)
   */
  @Override
  public Optional<Secret> fetchPrevious(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    try {
      return Optional.of(fetch(ref.withStage(VersionStage.PREVIOUS)));
    } catch (SecretNotFoundException e) {
      return Optional.empty();
    }
  }

  /** Closes the client if this source made it; a client passed to the builder is left open. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (ownsClient && client != null) {
      client.close();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this " + SCHEME + " secret source is closed");
    }
  }

  private Secret withSchedule(SecretRef ref, Secret secret) {
    if (schedules == null) {
      return secret;
    }
    Instant next;
    try {
      next = schedules.nextRotation(ref.name(), secret.versionId(), ref);
    } catch (RuntimeException e) {
      secret.value().destroy();
      throw e;
    }
    return next == null ? secret : secret.toBuilder().value(secret.value()).nextRotationAt(next).build();
  }

  /** One read through the local agent: {@code GET /secretsmanager/get}, a GetSecretValue answer. */
  private static Secret viaAgent(AgentTransport agent, SecretRef ref) {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("secretId", ref.name());
    if (ref.version().isPresent()) {
      query.put("versionId", ref.version().get());
    } else {
      query.put("versionStage", label(ref.stage().orElse(VersionStage.CURRENT)));
    }
    byte[] body = agent.get("/secretsmanager/get", query, ref, BACKEND, what(ref));
    try {
      JsonReader r = JsonReader.parse(body, "the AWS agent's answer for " + what(ref), ref);
      int root = r.root();
      if (r.kind(root) != JsonReader.OBJECT) {
        throw r.shapeError("the answer is not a JSON object", root);
      }
      String versionId = AgentTransport.text(r, root, "VersionId");
      if (versionId == null || versionId.isEmpty()) {
        throw new SecretFormatException("the AWS agent at " + agent.endpoint() + " answered for " + what(ref)
            + " without a version id; the answer cannot be used", ref);
      }
      int text = r.field(root, "SecretString");
      int binary = r.field(root, "SecretBinary");
      boolean hasText = text >= 0 && r.kind(text) == JsonReader.STRING;
      boolean hasBinary = binary >= 0 && r.kind(binary) == JsonReader.STRING;
      if (!hasText && !hasBinary) {
        throw new SecretFormatException("the AWS agent at " + agent.endpoint() + " answered for " + what(ref)
            + " with neither SecretString nor SecretBinary; check that the version has a value", ref);
      }
      List<String> labels = new ArrayList<>();
      int stages = r.field(root, "VersionStages");
      if (stages >= 0 && r.kind(stages) == JsonReader.ARRAY) {
        for (int i = r.firstItem(stages); i >= 0; i = r.nextItem(i)) {
          if (r.kind(i) == JsonReader.STRING) {
            labels.add(r.text(i));
          }
        }
      }
      SecretValue value = hasText ? SecretValue.wrap(r.chars(text)) : base64(r.chars(binary), ref);
      Secret secret = build(ref, AgentTransport.text(r, root, "Name"), AgentTransport.text(r, root, "ARN"),
          versionId, labels, AgentTransport.instant(r, r.field(root, "CreatedDate")), value);
      LOG.debug("read secret {} version {} through the AWS agent at {}", ref, Printable.text(versionId),
          agent.endpoint());
      return secret;
    } finally {
      Arrays.fill(body, (byte) 0);
    }
  }

  /** Base64 characters into a binary value; every intermediate array is wiped. */
  private static SecretValue base64(char[] chars, SecretRef ref) {
    byte[] ascii = new byte[chars.length];
    try {
      for (int i = 0; i < chars.length; i++) {
        ascii[i] = (byte) chars[i];
      }
      byte[] raw;
      try {
        raw = java.util.Base64.getDecoder().decode(ascii);
      } catch (IllegalArgumentException e) {
        throw new SecretFormatException("SecretBinary of " + what(ref) + " is not base64", ref);
      }
      try {
        return SecretValue.copyOfBinary(raw);
      } finally {
        Arrays.fill(raw, (byte) 0);
      }
    } finally {
      Arrays.fill(chars, '\0');
      Arrays.fill(ascii, (byte) 0);
    }
  }

  private static boolean isCurrent(SecretRef ref) {
    return ref.version().isEmpty() && ref.stage().map(s -> s == VersionStage.CURRENT).orElse(true);
  }

  private static String label(VersionStage stage) {
    switch (stage) {
      case PREVIOUS:
        return "AWSPREVIOUS";
      case PENDING:
        return "AWSPENDING";
      default:
        return "AWSCURRENT";
    }
  }

  private static String what(SecretRef ref) {
    String base = "secret '" + ref.name() + "'";
    if (ref.version().isPresent()) {
      return base + " version " + ref.version().get();
    }
    return base + " (stage " + label(ref.stage().orElse(VersionStage.CURRENT)) + ")";
  }

  /** Which asked-for id an answer is for: by name, full ARN, or partial ARN. */
  private static @Nullable String matchId(List<String> ids, @Nullable String name, @Nullable String arn) {
    for (String id : ids) {
      if (id.equals(name) || id.equals(arn)
          || (arn != null && id.startsWith("arn:") && arn.startsWith(id + "-") && arn.length() == id.length() + 7)) {
        return id;
      }
    }
    return null;
  }

  private static Secret toSecret(SecretRef ref, @Nullable String name, @Nullable String arn,
      @Nullable String versionId, @Nullable String text, @Nullable SdkBytes binary, List<String> labels,
      @Nullable Instant createdAt) {
    if (versionId == null || versionId.isEmpty()) {
      throw new SecretFormatException(
          BACKEND.displayName() + " answered for " + what(ref) + " without a version id; the answer cannot be used", ref);
    }
    if (text == null && binary == null) {
      throw new SecretFormatException(
          BACKEND.displayName() + " answered for " + what(ref)
              + " with neither SecretString nor SecretBinary; check that the version has a value", ref);
    }
    return build(ref, name, arn, versionId, labels, createdAt, valueOf(text, binary));
  }

  private static Secret build(SecretRef ref, @Nullable String name, @Nullable String arn, String versionId,
      List<String> labels, @Nullable Instant createdAt, SecretValue value) {
    Set<VersionStage> stages = EnumSet.noneOf(VersionStage.class);
    for (String label : labels) {
      switch (label) {
        case "AWSCURRENT":
          stages.add(VersionStage.CURRENT);
          break;
        case "AWSPREVIOUS":
          stages.add(VersionStage.PREVIOUS);
          break;
        case "AWSPENDING":
          stages.add(VersionStage.PENDING);
          break;
        default:
          break;
      }
    }
    Secret.Builder b = Secret.builder(name == null || name.isBlank() ? ref.name() : name)
        .versionId(versionId)
        .stages(stages)
        .labels(new LinkedHashSet<>(labels));
    if (createdAt != null) {
      b.createdAt(createdAt);
    }
    if (arn != null) {
      b.metadata(Map.of("arn", arn));
    }
    return b.value(value).build();
  }

  private static SecretValue valueOf(@Nullable String text, @Nullable SdkBytes binary) {
    if (text != null) {
      // The one unavoidable copy: out of the SDK's String into an array the value owns.
      return SecretValue.wrap(text.toCharArray());
    }
    byte[] raw = Objects.requireNonNull(binary).asByteArrayUnsafe();
    try {
      return SecretValue.copyOfBinary(raw);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private static SecretValue copy(SecretValue v) {
    return v.isBinary() ? v.withBytes(SecretValue::copyOfBinary) : SecretValue.wrap(v.toCharArray());
  }

  /**
   * Builds an {@link AwsSecretsManagerSource}: either around a client of yours ({@link #client}),
   * or with a client it makes from {@link #region}, {@link #endpoint}, {@link #credentials},
   * {@link #profile} and {@link #timeout}, using the url-connection HTTP client, the SDK's
   * default credential and region chains for what is not set, and no SDK retries.
   */
  public static final class Builder {
    private @Nullable SecretsManagerClient client;
    private final AwsClientSettings settings = new AwsClientSettings();
    private boolean rotationSchedule = true;
    private Clock clock = Clock.systemUTC();
    private @Nullable AwsAgent agent;

    private Builder() {}

    /**
     * Reads through the AWS Secrets Manager Agent (or the AWS Parameters and Secrets Lambda
     * Extension) at its defaults, {@code http://localhost:2773}, with the SSRF token from the
     * environment: see {@link AwsAgent}. The same references, the same errors; no AWS SDK client
     * is made (the agent holds the credentials), there are no batches and no version checks (a
     * refresh is a local call the agent answers from its cache), and no rotation schedule.
     *
     * @return this builder
     */
    public Builder agent() {
      return agent(AwsAgent.local());
    }

    /**
     * Reads through the agent at another loopback endpoint, such as {@code http://127.0.0.1:2775}.
     *
     * @param endpoint the agent's base URI
     * @return this builder
     */
    public Builder agent(URI endpoint) {
      return agent(AwsAgent.at(endpoint));
    }

    /**
     * Reads through the agent with these settings (endpoint, token file, timeout).
     *
     * @param agent the agent's settings
     * @return this builder
     */
    public Builder agent(AwsAgent agent) {
      this.agent = Objects.requireNonNull(agent, "agent");
      return this;
    }

    /**
     * Uses your client, exactly as you built it: its HTTP client, region, credentials and retry
     * settings. The SDK retries up to three attempts by default, and secretsdk's resilience
     * policy retries too; build the client with {@code AwsRetryStrategy.doNotRetry()} (or give
     * the cache {@code ResiliencePolicy.none()}) so that retries do not multiply. The source does
     * not close a client it was given.
     *
     * @param client the client
     * @return this builder
     */
    public Builder client(SecretsManagerClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * The region of the client the source makes; without it, the SDK's default region chain
     * (environment, system property, profile, instance metadata) decides.
     *
     * <p>A region the SDK does not know ({@code eu-wset-1}) is refused by {@link #build()}, since
     * the SDK would accept it and send every call to a host that does not exist; with {@link
     * #endpoint} set as well, any region name is accepted (a region newer than the SDK).
     *
     * @param region the region
     * @return this builder
     */
    public Builder region(Region region) {
      settings.region(region);
      return this;
    }

    /**
     * The endpoint of the client the source makes: a VPC interface endpoint, a FIPS endpoint, or
     * a test server.
     *
     * @param endpoint an absolute URI
     * @return this builder
     */
    public Builder endpoint(URI endpoint) {
      settings.endpoint(endpoint);
      return this;
    }

    /**
     * The credentials of the client the source makes; without them, the SDK's default credential
     * chain decides.
     *
     * @param credentials a credentials provider
     * @return this builder
     */
    public Builder credentials(AwsCredentialsProvider credentials) {
      settings.credentials(credentials);
      return this;
    }

    /**
     * The profile of the shared AWS files that the default region and credential chains read.
     *
     * @param profile the profile's name
     * @return this builder
     */
    public Builder profile(String profile) {
      settings.profile(profile);
      return this;
    }

    /**
     * How long one call of the client the source makes may take; 5 seconds unless set.
     * Connecting is capped at 2 seconds of it.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      settings.timeout(timeout);
      return this;
    }

    /**
     * Whether to read each secret's rotation schedule with {@code DescribeSecret} (on by
     * default), to fill {@link Secret#nextRotationAt()}. It costs one call when a secret is
     * first loaded and one after each rotation (a warm-up through {@link #fetchAll} reads the
     * schedules from {@code ListSecrets} pages instead), and needs {@code
     * secretsmanager:DescribeSecret}; without that permission the values are still read, without
     * a schedule. It also lets {@link #checkVersion} describe a secret.
     *
     * @param enabled {@code false} to never call {@code DescribeSecret}
     * @return this builder
     */
    public Builder rotationSchedule(boolean enabled) {
      this.rotationSchedule = enabled;
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
     * Builds the source.
     *
     * @return the source
     * @throws SecretConfigurationException if both a client and settings for making one were
     *     given, no client can be made (most often: no region is configured anywhere), the
     *     client's region is one the SDK does not know (misspelled) and it has no explicit endpoint,
     *     or an agent was set with client settings or with an endpoint that is not loopback
     */
    public AwsSecretsManagerSource build() {
      if (agent != null) {
        if (client != null || settings.touched()) {
          throw new SecretConfigurationException(
              "an " + SCHEME + " source that reads through the AWS agent makes no AWS client: the agent holds the"
                  + " region and credentials; drop client(...), region, endpoint, credentials, profile and timeout"
                  + " (the agent's own timeout is AwsAgent.timeout)");
        }
        agent.check(SCHEME);
        return new AwsSecretsManagerSource(this);
      }
      if (client != null && settings.touched()) {
        throw new SecretConfigurationException(
            "region, endpoint, credentials, profile and timeout configure the client this builder makes; "
                + "with client(...) set them on your own client instead");
      }
      if (client != null) {
        AwsClientSettings.checkResolvedRegion(SCHEME, client.serviceClientConfiguration().region(),
            client.serviceClientConfiguration().endpointOverride().isPresent());
      }
      return new AwsSecretsManagerSource(this);
    }
  }
}
