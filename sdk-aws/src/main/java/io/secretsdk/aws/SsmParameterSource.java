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
import io.secretsdk.aws.internal.SsmName;
import io.secretsdk.aws.internal.SsmPresence;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterHistoryResponse;
import software.amazon.awssdk.services.ssm.model.GetParametersResponse;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterHistory;

/**
 * Parameters from AWS Systems Manager Parameter Store (scheme {@code aws-ssm}).
 *
 * <p>A reference's name is the parameter's name (such as {@code /app/db/password}) or ARN,
 * optionally followed by a selector: {@code /app/db/password:3} reads version 3 and {@code
 * /app/db/password:blue} the version labelled {@code blue}; {@code ?version=3} is the same as
 * {@code :3}. {@code ?stage=previous} reads the version before the current one, through {@code
 * GetParameterHistory}; parameters have no pending stage. Every read asks for decryption, so
 * {@code SecureString} parameters come back decrypted (this needs {@code kms:Decrypt} on the
 * parameter's key).
 *
 * <p>The version id is the parameter's version number; {@link Secret#createdAt()} is the time that
 * version was written; {@link Secret#metadata()} holds {@code type} ({@code String}, {@code
 * StringList} or {@code SecureString}), {@code arn} and {@code dataType}. A current read is in
 * stage {@link VersionStage#CURRENT}; a read by selector has no stage (Parameter Store does not say
 * whether that version is current), and a label selector is among its {@link Secret#labels()}.
 *
 * <p><b>StringList.</b> The value of a {@code StringList} parameter is its text as stored, items
 * separated by commas; {@link #stringListItems(Secret)} splits it.
 *
 * <p><b>Values.</b> The SDK hands each value over as a {@link String}, which cannot be wiped: this
 * source copies its characters once, into the {@code char[]} that the returned value owns, and
 * keeps no other copy.
 *
 * <p><b>Batches.</b> {@link #fetchAll} reads with {@code GetParameters}, 10 names a call; names
 * Parameter Store reports as invalid are not found; references to a previous version are read one
 * by one. If the caller may not call {@code GetParameters}, the source says so once in the log and
 * reads one by one from then on.
 *
 * <p><b>Version checks</b> use {@code GetParameters} without decryption, 10 names a call (see
 * {@link #checkVersions}); {@link #suggestedTtl} is 15 minutes. With {@link Builder#agent()} the
 * source reads through the AWS Parameters and Secrets Lambda Extension instead of an SDK client.
 *
 * <p><b>Errors</b> are mapped as by {@link AwsSecretsManagerSource}: {@code ParameterNotFound} and
 * {@code ParameterVersionNotFound} are not found; {@code AccessDeniedException} and a KMS key that
 * cannot decrypt ({@code InvalidKeyId}) are access denied, saying which; throttling is throttled;
 * 5xx, timeouts, connection failures and unreadable responses are unavailable. This source makes
 * one SDK call per request and never retries; the package documentation says who does.
 *
 * <p><b>Dependency.</b> The AWS SSM client is an optional dependency of sdk-aws, so that Secrets
 * Manager users do not carry it: add {@code software.amazon.awssdk:ssm} to use this source. Without
 * it, {@link #builder()} (and the {@code aws-ssm} provider) throw a {@link
 * SecretConfigurationException} saying so.
 *
 * <p>Thread-safe. What it returns is owned by the caller.
 */
public final class SsmParameterSource implements SecretSource {
  /** The scheme this source answers for. */
  public static final String SCHEME = "aws-ssm";

  /** The most names one {@code GetParameters} call takes. */
  public static final int BATCH_SIZE = 10;

  private static final Logger LOG = LoggerFactory.getLogger(SsmParameterSource.class);
  private static final AwsBackend BACKEND = AwsBackend.SSM;
  private static final int HISTORY_PAGE = 50;
  private static final int MAX_HISTORY_PAGES = 10;
  private static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
  private static final Duration PINNED_TTL = Duration.ofHours(1);
  private static final Duration AGENT_TTL = Duration.ofMinutes(1);

  private final @Nullable SsmClient client;
  private final @Nullable AgentTransport agent;
  private final boolean ownsClient;
  private volatile boolean batchDenied;
  private volatile boolean checkDenied;
  private volatile boolean closed;

  private SsmParameterSource(Builder b) {
    if (b.agent != null) {
      this.agent = new AgentTransport(b.agent.endpoint(), b.agent.tokenFile().orElse(null), b.agent.timeout(),
          AwsAgent.TOKEN_VARIABLES, System::getenv);
      this.client = null;
      this.ownsClient = false;
    } else if (b.client != null) {
      this.agent = null;
      this.client = b.client;
      this.ownsClient = false;
    } else {
      this.agent = null;
      this.client = b.settings.ssm();
      this.ownsClient = true;
    }
  }

  /** The SDK client; every caller has returned before this in agent mode. */
  private SsmClient sdk() {
    return Objects.requireNonNull(client, "client");
  }

  /**
   * Starts a source. Give it a client with {@link Builder#client}, or let it make one.
   *
   * @return a builder
   * @throws SecretConfigurationException if the AWS SSM client ({@code software.amazon.awssdk:ssm},
   *     an optional dependency of sdk-aws) is not on the class path
   */
  public static Builder builder() {
    SsmPresence.require();
    return new Builder();
  }

  /**
   * Splits the value of a {@code StringList} parameter into its items, each a new value owned by
   * the caller. The secret's own value is left as it is.
   *
   * @param secret a parameter read by this source (any text value is split the same way)
   * @return the items in order; one item for a value without commas
   * @throws IllegalStateException if the value is binary or destroyed
   */
  public static List<SecretValue> stringListItems(Secret secret) {
    Objects.requireNonNull(secret, "secret");
    return secret.value().withChars(chars -> {
      List<SecretValue> items = new ArrayList<>();
      int start = 0;
      for (int i = 0; i <= chars.length; i++) {
        if (i == chars.length || chars[i] == ',') {
          items.add(SecretValue.copyOf(Arrays.copyOfRange(chars, start, i)));
          start = i + 1;
        }
      }
      return Collections.unmodifiableList(items);
    });
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  /**
   * Reads one version with {@code GetParameter} and decryption, or the previous version through
   * {@code GetParameterHistory}.
   *
   * @param ref the parameter's name or ARN, with an optional selector or stage
   * @return the parameter, owned by the caller
   */
  @Override
  public Secret fetch(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    checkOpen();
    SsmName name = SsmName.of(ref);
    VersionStage stage = ref.stage().orElse(VersionStage.CURRENT);
    if (stage == VersionStage.PENDING) {
      throw new SecretNotFoundException(
          BACKEND.displayName() + " has no pending version of parameter '" + name.parameter()
              + "': a new parameter version is current as soon as it is written", ref);
    }
    if (agent != null) {
      return viaAgent(agent, ref, name, stage);
    }
    if (stage == VersionStage.PREVIOUS) {
      return fetchPrevious(ref).orElseThrow(() -> new SecretNotFoundException(
          BACKEND.displayName() + " keeps no version before the current one of parameter '" + name.parameter() + "'",
          ref));
    }
    Parameter p;
    try {
      p = sdk().getParameter(b -> b.name(name.requestName()).withDecryption(true)).parameter();
    } catch (SdkException | UncheckedIOException e) {
      throw AwsErrors.map(e, ref, BACKEND, what(name));
    }
    Secret secret = toSecret(ref, name, p);
    LOG.debug("read parameter {} version {} from {}", ref, Printable.text(secret.versionId()), BACKEND.displayName());
    return secret;
  }

  /**
   * Reads many parameters with {@code GetParameters}, 10 a call; previous versions one by one.
   * References that name the same parameter get separate copies of it.
   *
   * @param refs the parameters
   * @return what was found and what failed, by reference
   */
  @Override
  public BatchResult fetchAll(Collection<SecretRef> refs) {
    Objects.requireNonNull(refs, "refs");
    checkOpen();
    Map<SecretRef, Secret> found = new LinkedHashMap<>();
    Map<SecretRef, SecretException> failed = new LinkedHashMap<>();
    Map<String, List<SecretRef>> byRequestName = new LinkedHashMap<>();
    Map<String, SsmName> names = new LinkedHashMap<>();
    List<SecretRef> oneByOne = new ArrayList<>();
    for (SecretRef ref : new LinkedHashSet<>(refs)) {
      if (agent != null || (ref.stage().isPresent() && ref.stage().get() != VersionStage.CURRENT)) {
        oneByOne.add(ref);
        continue;
      }
      SsmName name;
      try {
        name = SsmName.of(ref);
      } catch (SecretException e) {
        failed.put(ref, e);
        continue;
      }
      names.putIfAbsent(name.requestName(), name);
      byRequestName.computeIfAbsent(name.requestName(), k -> new ArrayList<>()).add(ref);
    }
    List<String> requestNames = new ArrayList<>(byRequestName.keySet());
    for (int from = 0; from < requestNames.size(); from += BATCH_SIZE) {
      List<String> chunk = requestNames.subList(from, Math.min(requestNames.size(), from + BATCH_SIZE));
      if (batchDenied) {
        chunk.forEach(n -> oneByOne.addAll(byRequestName.get(n)));
      } else {
        batch(chunk, names, byRequestName, found, failed, oneByOne);
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

  private void batch(List<String> chunk, Map<String, SsmName> names, Map<String, List<SecretRef>> refsByName,
      Map<SecretRef, Secret> found, Map<SecretRef, SecretException> failed, List<SecretRef> oneByOne) {
    GetParametersResponse r;
    try {
      r = sdk().getParameters(b -> b.names(chunk).withDecryption(true));
    } catch (SdkException | UncheckedIOException e) {
      SecretException mapped = AwsErrors.map(e, refsByName.get(chunk.get(0)).get(0), BACKEND, "a batch of parameters");
      if (mapped instanceof SecretAccessDeniedException) {
        batchDenied = true;
        LOG.info("{} refused GetParameters; reading parameters one by one from now on "
            + "(grant ssm:GetParameters to read them in batches of {})", BACKEND.displayName(), BATCH_SIZE);
        chunk.forEach(n -> oneByOne.addAll(refsByName.get(n)));
      } else if (mapped instanceof InvalidSecretRefException) {
        // One malformed name fails the whole call: read this chunk one by one, so only it fails.
        LOG.debug("GetParameters rejected a chunk as malformed; reading its {} names one by one", chunk.size());
        chunk.forEach(n -> oneByOne.addAll(refsByName.get(n)));
      } else {
        for (String n : chunk) {
          for (SecretRef ref : refsByName.get(n)) {
            failed.put(ref, AwsErrors.map(e, ref, BACKEND, what(names.get(n))));
          }
        }
      }
      return;
    }
    Set<String> invalid = r.hasInvalidParameters() ? new LinkedHashSet<>(r.invalidParameters()) : Set.of();
    List<Parameter> parameters = r.hasParameters() ? r.parameters() : List.of();
    LOG.debug("GetParameters of {} names: {} found, {} invalid", chunk.size(), parameters.size(), invalid.size());
    for (String n : chunk) {
      SsmName name = names.get(n);
      List<SecretRef> refs = refsByName.get(n);
      Parameter match = null;
      for (Parameter p : parameters) {
        if (name.matches(p.name(), p.arn(), p.selector())) {
          match = p;
          break;
        }
      }
      if (match != null) {
        Secret secret;
        try {
          secret = toSecret(refs.get(0), name, match);
        } catch (SecretFormatException e) {
          refs.forEach(ref -> failed.put(ref, new SecretFormatException(e.getMessage(), ref)));
          continue;
        }
        found.put(refs.get(0), secret);
        for (SecretRef other : refs.subList(1, refs.size())) {
          found.put(other, secret.toBuilder().value(SecretValue.wrap(secret.value().toCharArray())).build());
        }
      } else if (invalid.contains(n)) {
        for (SecretRef ref : refs) {
          failed.put(ref, new SecretNotFoundException(
              BACKEND.displayName() + " has no " + what(name) + " (reported invalid by GetParameters); "
                  + "check the name, the region and the version or label", ref));
        }
      } else {
        oneByOne.addAll(refs);
      }
    }
  }

  /**
   * Tells which version a reference names now with {@code GetParameters} and {@code
   * WithDecryption=false}; see {@link #checkVersions}. A previous or pending stage is not answered
   * (the caller fetches).
   *
   * @param ref the parameter
   * @return its version number now, or empty
   */
  @Override
  public Optional<VersionCheck> checkVersion(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    VersionChecks checks = checkVersions(List.of(ref));
    SecretException failure = checks.failed().get(ref);
    if (failure != null) {
      throw failure;
    }
    return Optional.ofNullable(checks.found().get(ref));
  }

  /**
   * Checks many parameters with {@code GetParameters}, 10 names a call, without decryption: a
   * {@code SecureString} comes back as ciphertext, which needs no {@code kms:Decrypt} and is not
   * read. A {@code String} or {@code StringList} parameter's value is in clear in the answer
   * whatever the flag says (Parameter Store ignores it for them): it is never copied and is dropped
   * with the response (the SDK holds it as a {@code String}, which cannot be wiped). The version is
   * the parameter's version number; selectors ({@code name:3}, {@code name:label}) are asked as
   * they are. Previous and pending stages are left out (the caller fetches), and so is a name the
   * answer does not mention; a name reported invalid is not found. If {@code GetParameters} is
   * refused, the source says so once in the log and checks no more (the caller fetches).
   *
   * @param refs the parameters
   * @return the checks made and the failures, by reference
   */
  @Override
  public VersionChecks checkVersions(Collection<SecretRef> refs) {
    Objects.requireNonNull(refs, "refs");
    checkOpen();
    Map<SecretRef, VersionCheck> found = new LinkedHashMap<>();
    Map<SecretRef, SecretException> failed = new LinkedHashMap<>();
    if (checkDenied || agent != null) {
      return new VersionChecks(found, failed);
    }
    Map<String, List<SecretRef>> byRequestName = new LinkedHashMap<>();
    Map<String, SsmName> names = new LinkedHashMap<>();
    for (SecretRef ref : new LinkedHashSet<>(refs)) {
      if (ref.stage().isPresent() && ref.stage().get() != VersionStage.CURRENT) {
        continue;
      }
      SsmName name;
      try {
        name = SsmName.of(ref);
      } catch (SecretException e) {
        failed.put(ref, e);
        continue;
      }
      names.putIfAbsent(name.requestName(), name);
      byRequestName.computeIfAbsent(name.requestName(), k -> new ArrayList<>()).add(ref);
    }
    List<String> requestNames = new ArrayList<>(byRequestName.keySet());
    for (int from = 0; from < requestNames.size() && !checkDenied; from += BATCH_SIZE) {
      List<String> chunk = requestNames.subList(from, Math.min(requestNames.size(), from + BATCH_SIZE));
      check(chunk, names, byRequestName, found, failed);
    }
    return new VersionChecks(found, failed);
  }

  private void check(List<String> chunk, Map<String, SsmName> names, Map<String, List<SecretRef>> refsByName,
      Map<SecretRef, VersionCheck> found, Map<SecretRef, SecretException> failed) {
    GetParametersResponse r;
    try {
      r = sdk().getParameters(b -> b.names(chunk).withDecryption(false));
    } catch (SdkException | UncheckedIOException e) {
      SecretException mapped = AwsErrors.map(e, refsByName.get(chunk.get(0)).get(0), BACKEND, "a batch of parameters");
      if (mapped instanceof SecretAccessDeniedException) {
        checkDenied = true;
        LOG.info("{} refused GetParameters for a version check; refreshes read the values from now on "
            + "(grant ssm:GetParameters to check {} parameters a call)", BACKEND.displayName(), BATCH_SIZE);
      } else if (!(mapped instanceof InvalidSecretRefException)) {
        for (String n : chunk) {
          for (SecretRef ref : refsByName.get(n)) {
            failed.put(ref, AwsErrors.map(e, ref, BACKEND, what(names.get(n))));
          }
        }
      }
      return;
    }
    Set<String> invalid = r.hasInvalidParameters() ? new LinkedHashSet<>(r.invalidParameters()) : Set.of();
    List<Parameter> parameters = r.hasParameters() ? r.parameters() : List.of();
    for (String n : chunk) {
      SsmName name = names.get(n);
      for (Parameter p : parameters) {
        if (p.version() != null && name.matches(p.name(), p.arn(), p.selector())) {
          VersionCheck c = VersionCheck.of(String.valueOf(p.version()));
          refsByName.get(n).forEach(ref -> found.put(ref, c));
          break;
        }
      }
      if (invalid.contains(n)) {
        for (SecretRef ref : refsByName.get(n)) {
          failed.put(ref, new SecretNotFoundException(
              BACKEND.displayName() + " has no " + what(name) + " (reported invalid by GetParameters); "
                  + "check the name, the region and the version or label", ref));
        }
      }
    }
    LOG.debug("checked {} parameter names with GetParameters without decryption", chunk.size());
  }

  /**
   * Fifteen minutes, an hour for a parameter read by version number: with {@link #checkVersions}
   * a refresh of 100 unchanged parameters is 10 {@code GetParameters} calls without decryption, so
   * 53 calls an hour for them (a round at 75 % of the lifetime).
   *
   * @param ref which parameter
   * @return the suggested lifetime
   */
  @Override
  public Optional<Duration> suggestedTtl(SecretRef ref) {
    if (agent != null) {
      return Optional.of(AGENT_TTL);
    }
    boolean pinned = ref.version().isPresent();
    if (!pinned) {
      try {
        pinned = SsmName.of(ref).selectsVersion();
      } catch (SecretException e) {
        pinned = false;
      }
    }
    return Optional.of(pinned ? PINNED_TTL : DEFAULT_TTL);
  }

  /**
   * Reads the version before the current one from {@code GetParameterHistory}, with decryption.
   * Any selector in the reference is ignored: the previous version is relative to the current.
   *
   * @param ref the parameter
   * @return the previous version, owned by the caller, or empty if the parameter has one version
   *     only (or does not exist)
   */
  @Override
  public Optional<Secret> fetchPrevious(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    checkOpen();
    if (agent != null) {
      return Optional.empty(); // the Lambda extension serves no history
    }
    String parameter = SsmName.of(ref.withStage(VersionStage.CURRENT)).parameter();
    ParameterHistory newest = null;
    ParameterHistory previous = null;
    String token = null;
    int pages = 0;
    try {
      do {
        String pageToken = token;
        GetParameterHistoryResponse r = sdk().getParameterHistory(
            b -> b.name(parameter).withDecryption(true).maxResults(HISTORY_PAGE).nextToken(pageToken));
        for (ParameterHistory h : r.hasParameters() ? r.parameters() : List.<ParameterHistory>of()) {
          if (h.version() == null) {
            continue;
          }
          if (newest == null || h.version() > newest.version()) {
            previous = newest;
            newest = h;
          } else if (h.version() < newest.version() && (previous == null || h.version() > previous.version())) {
            previous = h;
          }
        }
        token = r.nextToken();
      } while (token != null && ++pages < MAX_HISTORY_PAGES);
    } catch (SdkException | UncheckedIOException e) {
      SecretException mapped = AwsErrors.map(e, ref, BACKEND, "the history of parameter '" + parameter + "'");
      if (mapped instanceof SecretNotFoundException) {
        return Optional.empty();
      }
      throw mapped;
    }
    if (previous == null) {
      return Optional.empty();
    }
    if (previous.value() == null) {
      throw new SecretFormatException(
          BACKEND.displayName() + " returned version " + previous.version() + " of parameter '" + parameter
              + "' without a value", ref);
    }
    Secret.Builder b = Secret.builder(previous.name() == null ? parameter : previous.name())
        .versionId(String.valueOf(previous.version()))
        .stages(Set.of(VersionStage.PREVIOUS))
        .labels(previous.hasLabels() ? new LinkedHashSet<>(previous.labels()) : Set.of())
        .metadata(metadata(previous.typeAsString(), null, previous.dataType()));
    if (previous.lastModifiedDate() != null) {
      b.createdAt(previous.lastModifiedDate());
    }
    LOG.debug("read parameter '{}' previous version {} from {}", Printable.text(parameter), previous.version(),
        BACKEND.displayName());
    return Optional.of(b.value(SecretValue.wrap(previous.value().toCharArray())).build());
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

  private static String what(SsmName name) {
    if (name.selector() == null) {
      return "parameter '" + name.parameter() + "'";
    }
    return "parameter '" + name.parameter() + "' " + (name.selectsVersion() ? "version " : "label ") + name.selector();
  }

  private static Map<String, String> metadata(@Nullable String type, @Nullable String arn, @Nullable String dataType) {
    Map<String, String> m = new LinkedHashMap<>();
    if (type != null) {
      m.put("type", type);
    }
    if (arn != null) {
      m.put("arn", arn);
    }
    if (dataType != null) {
      m.put("dataType", dataType);
    }
    return m;
  }

  /**
   * One read through the Lambda extension: {@code GET /systemsmanager/parameters/get} with
   * decryption, a GetParameter answer.
   */
  private static Secret viaAgent(AgentTransport agent, SecretRef ref, SsmName name, VersionStage stage) {
    if (stage == VersionStage.PREVIOUS) {
      throw new SecretConfigurationException("the AWS Parameters and Secrets Lambda Extension serves no parameter"
          + " history, so " + what(name) + " cannot be read at ?stage=previous through the agent at "
          + agent.endpoint() + "; read it without the agent, or by its version number (name:N)", ref);
    }
    Map<String, String> query = new LinkedHashMap<>();
    query.put("name", name.parameter());
    if (name.selector() != null) {
      query.put(name.selectsVersion() ? "version" : "label", name.selector());
    }
    query.put("withDecryption", "true");
    byte[] body = agent.get("/systemsmanager/parameters/get", query, ref, BACKEND, what(name));
    try {
      JsonReader r = JsonReader.parse(body, "the AWS agent's answer for " + what(name), ref);
      int p = r.kind(r.root()) == JsonReader.OBJECT ? r.field(r.root(), "Parameter") : -1;
      if (p < 0 || r.kind(p) != JsonReader.OBJECT) {
        throw new SecretFormatException("the AWS agent at " + agent.endpoint() + " answered for " + what(name)
            + " without a Parameter object; the answer cannot be used", ref);
      }
      int v = r.field(p, "Version");
      Long version = v < 0 ? null : r.kind(v) == JsonReader.NUMBER ? r.integer(v)
          : r.kind(v) == JsonReader.STRING ? r.digits(v) : null;
      int value = r.field(p, "Value");
      if (version == null || value < 0 || r.kind(value) != JsonReader.STRING) {
        throw new SecretFormatException("the AWS agent at " + agent.endpoint() + " answered for " + what(name)
            + " without a value or version; the answer cannot be used", ref);
      }
      String returned = AgentTransport.text(r, p, "Name");
      Secret.Builder b = Secret.builder(returned == null || returned.isBlank() ? name.parameter() : returned)
          .versionId(String.valueOf(version))
          .stages(name.selector() == null ? Set.of(VersionStage.CURRENT) : Set.of())
          .labels(name.selector() != null && !name.selectsVersion() ? Set.of(name.selector()) : Set.of())
          .metadata(metadata(AgentTransport.text(r, p, "Type"), AgentTransport.text(r, p, "ARN"),
              AgentTransport.text(r, p, "DataType")));
      Instant modified = AgentTransport.instant(r, r.field(p, "LastModifiedDate"));
      if (modified != null) {
        b.createdAt(modified);
      }
      Secret secret = b.value(SecretValue.wrap(r.chars(value))).build();
      LOG.debug("read parameter {} version {} through the AWS agent at {}", ref, version, agent.endpoint());
      return secret;
    } finally {
      Arrays.fill(body, (byte) 0);
    }
  }

  private static Secret toSecret(SecretRef ref, SsmName name, @Nullable Parameter p) {
    if (p == null || p.value() == null || p.version() == null) {
      throw new SecretFormatException(
          BACKEND.displayName() + " answered for " + what(name) + " without a value or version; the answer cannot be used",
          ref);
    }
    Secret.Builder b = Secret.builder(p.name() == null || p.name().isBlank() ? name.parameter() : p.name())
        .versionId(String.valueOf(p.version()))
        .stages(name.selector() == null ? Set.of(VersionStage.CURRENT) : Set.of())
        .labels(name.selector() != null && !name.selectsVersion() ? Set.of(name.selector()) : Set.of())
        .metadata(metadata(p.typeAsString(), p.arn(), p.dataType()));
    Instant modified = p.lastModifiedDate();
    if (modified != null) {
      b.createdAt(modified);
    }
    // The one unavoidable copy: out of the SDK's String into an array the value owns.
    return b.value(SecretValue.wrap(p.value().toCharArray())).build();
  }

  /**
   * Builds an {@link SsmParameterSource}: either around a client of yours ({@link #client}), or
   * with a client it makes from {@link #region}, {@link #endpoint}, {@link #credentials}, {@link
   * #profile} and {@link #timeout}, using the url-connection HTTP client, the SDK's default
   * credential and region chains for what is not set, and no SDK retries.
   */
  public static final class Builder {
    private @Nullable SsmClient client;
    private final AwsClientSettings settings = new AwsClientSettings();
    private @Nullable AwsAgent agent;

    private Builder() {}

    /**
     * Reads through the AWS Parameters and Secrets Lambda Extension at its defaults, {@code
     * http://localhost:2773}, with the SSRF token from {@code AWS_SESSION_TOKEN}: see {@link
     * AwsAgent}. The same references and errors; no AWS SDK client is made, no batches, no version
     * checks, and no {@code ?stage=previous} (the extension serves no history). The AWS Secrets
     * Manager Agent does not serve Parameter Store.
     *
     * @return this builder
     */
    public Builder agent() {
      return agent(AwsAgent.local());
    }

    /**
     * Reads through the extension at another loopback endpoint (its {@code
     * PARAMETERS_SECRETS_EXTENSION_HTTP_PORT}).
     *
     * @param endpoint the extension's base URI
     * @return this builder
     */
    public Builder agent(URI endpoint) {
      return agent(AwsAgent.at(endpoint));
    }

    /**
     * Reads through the extension with these settings.
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
    public Builder client(SsmClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * The region of the client the source makes; without it, the SDK's default region chain
     * decides.
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
     * Builds the source.
     *
     * @return the source
     * @throws SecretConfigurationException if both a client and settings for making one were
     *     given, no client can be made (most often: no region is configured anywhere), or the
     *     client's region is one the SDK does not know (misspelled) and it has no explicit endpoint
     */
    public SsmParameterSource build() {
      if (agent != null) {
        if (client != null || settings.touched()) {
          throw new SecretConfigurationException(
              "an " + SCHEME + " source that reads through the AWS agent makes no AWS client: the agent holds the"
                  + " region and credentials; drop client(...), region, endpoint, credentials, profile and timeout"
                  + " (the agent's own timeout is AwsAgent.timeout)");
        }
        agent.check(SCHEME);
        return new SsmParameterSource(this);
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
      return new SsmParameterSource(this);
    }
  }
}
