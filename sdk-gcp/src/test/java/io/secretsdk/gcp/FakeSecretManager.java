package io.secretsdk.gcp;

import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.ListSecretVersionsResponse;
import com.google.cloud.secretmanager.v1.Rotation;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import com.google.rpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secret Manager's state and its four read methods, independent of the transport: {@link
 * GrpcFront} serves it over in-process gRPC, {@link HttpFront} over loopback HTTP with the REST
 * JSON of Secret Manager v1. Answers name the project by number, as Google's do. Every error
 * message holds {@link #SERVER_CANARY}, which must never reach a secretsdk message.
 */
final class FakeSecretManager {
  static final String PROJECT = "acme-prod";
  static final String PROJECT_NUMBER = "123456789012";
  /** Put in every server error message; secretsdk must never repeat it. */
  static final String SERVER_CANARY = "server-said-Zq9-topsecret";

  private static final Pattern VERSION_NAME =
      Pattern.compile("projects/([^/]+)/(?:locations/([^/]+)/)?secrets/([^/]+)/versions/([^/]+)");
  private static final Pattern SECRET_NAME = Pattern.compile("projects/([^/]+)/(?:locations/([^/]+)/)?secrets/([^/]+)");

  static final class Version {
    final long number;
    final byte[] data;
    volatile SecretVersion.State state = SecretVersion.State.ENABLED;
    volatile boolean corruptChecksum;
    volatile boolean noChecksum;
    final Instant created;

    Version(long number, byte[] data, Instant created) {
      this.number = number;
      this.data = data;
      this.created = created;
    }
  }

  static final class FakeSecret {
    final String location;
    final String id;
    final List<Version> versions = new CopyOnWriteArrayList<>();
    final Map<String, Long> aliases = new ConcurrentHashMap<>();
    final Map<String, String> labels = new ConcurrentHashMap<>();
    final Map<String, String> annotations = new ConcurrentHashMap<>();
    volatile Instant expireTime;
    volatile Instant nextRotationTime;

    FakeSecret(String location, String id) {
      this.location = location;
      this.id = id;
    }

    Version add(String text) {
      return add(text.getBytes(StandardCharsets.UTF_8));
    }

    synchronized Version add(byte[] data) {
      Version v = new Version(versions.size() + 1, data.clone(), Instant.parse("2026-11-01T00:00:00Z").plusSeconds(versions.size()));
      versions.add(v);
      return v;
    }

    Version version(long n) {
      return versions.get((int) n - 1);
    }
  }

  /** An error the fake answers with: a google.rpc.Status. */
  static final class FakeError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Status status;

    FakeError(Code code, String message, Any... details) {
      super(message, null, false, false);
      Status.Builder b = Status.newBuilder().setCode(code.getNumber()).setMessage(message);
      for (Any d : details) {
        b.addDetails(d);
      }
      this.status = b.build();
    }

    Code code() {
      return Code.forNumber(status.getCode());
    }
  }

  private final Map<String, FakeSecret> secrets = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  final List<String> accessedNames = new CopyOnWriteArrayList<>();
  /** Errors to answer next, per method, one each call. */
  private final Map<String, Deque<FakeError>> failNext = new ConcurrentHashMap<>();
  /** Methods answered with PERMISSION_DENIED. */
  final Set<String> denied = ConcurrentHashMap.newKeySet();
  /** While set, AccessSecretVersion never answers (the front ends hold the call). */
  volatile boolean stallAccess;
  /** While set, AccessSecretVersion waits on it before answering (concurrency tests). */
  volatile CountDownLatch accessGate;
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  /** The payloads last sent, as sent (a client that wipes them wipes these). */
  final List<ByteString> sentPayloads = new CopyOnWriteArrayList<>();

  FakeSecret secret(String id) {
    return secret("", id);
  }

  FakeSecret secret(String location, String id) {
    return secrets.computeIfAbsent(location + "/" + id, k -> new FakeSecret(location, id));
  }

  int calls(String method) {
    AtomicInteger c = calls.get(method);
    return c == null ? 0 : c.get();
  }

  void failNext(String method, int times, FakeError error) {
    Deque<FakeError> q = failNext.computeIfAbsent(method, k -> new ArrayDeque<>());
    synchronized (q) {
      for (int i = 0; i < times; i++) {
        q.add(error);
      }
    }
  }

  static FakeError unavailable() {
    return new FakeError(Code.UNAVAILABLE, "backend unavailable " + SERVER_CANARY);
  }

  static FakeError throttled(long seconds) {
    return new FakeError(Code.RESOURCE_EXHAUSTED, "quota exceeded " + SERVER_CANARY,
        Any.pack(RetryInfo.newBuilder().setRetryDelay(Duration.newBuilder().setSeconds(seconds)).build()));
  }

  private void enter(String method) {
    calls.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
    if (denied.contains(method)) {
      throw new FakeError(Code.PERMISSION_DENIED, "Permission '" + method + "' denied " + SERVER_CANARY);
    }
    Deque<FakeError> q = failNext.get(method);
    if (q != null) {
      FakeError e;
      synchronized (q) {
        e = q.poll();
      }
      if (e != null) {
        throw e;
      }
    }
  }

  AccessSecretVersionResponse access(String name) {
    enter("AccessSecretVersion");
    accessedNames.add(name);
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      CountDownLatch gate = accessGate;
      if (gate != null) {
        try {
          gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      FakeSecret s = secretOf(name, VERSION_NAME);
      Version v = resolve(s, versionPart(name));
      if (v.state != SecretVersion.State.ENABLED) {
        throw new FakeError(Code.FAILED_PRECONDITION,
            "Secret Version [" + versionName(s, v) + "] is in " + v.state + " state. " + SERVER_CANARY);
      }
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(v.data);
      // A fresh ByteString per answer: the client may wipe what it is given.
      ByteString data = ByteString.copyFrom(v.data);
      sentPayloads.add(data);
      SecretPayload.Builder p = SecretPayload.newBuilder().setData(data);
      if (!v.noChecksum) {
        p.setDataCrc32C(v.corruptChecksum ? crc.getValue() ^ 0x10 : crc.getValue());
      }
      return AccessSecretVersionResponse.newBuilder().setName(versionName(s, v)).setPayload(p).build();
    } finally {
      inFlight.decrementAndGet();
    }
  }

  Secret getSecret(String name) {
    enter("GetSecret");
    FakeSecret s = secretOf(name, SECRET_NAME);
    Secret.Builder b = Secret.newBuilder().setName(secretName(s)).putAllVersionAliases(s.aliases)
        .putAllLabels(s.labels).putAllAnnotations(s.annotations).setEtag("\"e" + s.versions.size() + "\"");
    if (s.expireTime != null) {
      b.setExpireTime(ts(s.expireTime));
    }
    if (s.nextRotationTime != null) {
      b.setRotation(Rotation.newBuilder().setNextRotationTime(ts(s.nextRotationTime))
          .setRotationPeriod(Duration.newBuilder().setSeconds(86400)));
    }
    return b.build();
  }

  SecretVersion getSecretVersion(String name) {
    enter("GetSecretVersion");
    FakeSecret s = secretOf(name, VERSION_NAME);
    return versionMeta(s, resolve(s, versionPart(name)));
  }

  ListSecretVersionsResponse list(String parent, int pageSize, String pageToken) {
    enter("ListSecretVersions");
    FakeSecret s = secretOf(parent, SECRET_NAME);
    List<Version> newestFirst = new ArrayList<>(s.versions);
    newestFirst.sort(Comparator.comparingLong((Version v) -> v.number).reversed());
    int from = pageToken.isEmpty() ? 0 : Integer.parseInt(pageToken);
    int size = pageSize <= 0 ? 25 : Math.min(pageSize, 100);
    ListSecretVersionsResponse.Builder b = ListSecretVersionsResponse.newBuilder().setTotalSize(newestFirst.size());
    for (int i = from; i < Math.min(newestFirst.size(), from + size); i++) {
      b.addVersions(versionMeta(s, newestFirst.get(i)));
    }
    if (from + size < newestFirst.size()) {
      b.setNextPageToken(Integer.toString(from + size));
    }
    return b.build();
  }

  private static SecretVersion versionMeta(FakeSecret s, Version v) {
    SecretVersion.Builder b = SecretVersion.newBuilder().setName(versionName(s, v)).setState(v.state)
        .setCreateTime(ts(v.created));
    if (v.state == SecretVersion.State.DESTROYED) {
      b.setDestroyTime(ts(v.created.plusSeconds(60)));
    }
    return b.build();
  }

  private FakeSecret secretOf(String name, Pattern pattern) {
    Matcher m = pattern.matcher(name);
    if (!m.matches()) {
      throw new FakeError(Code.INVALID_ARGUMENT, "Invalid resource field value in the request. " + SERVER_CANARY);
    }
    String project = m.group(1);
    String location = m.group(2) == null ? "" : m.group(2);
    FakeSecret s = secrets.get(location + "/" + m.group(3));
    if (!(project.equals(PROJECT) || project.equals(PROJECT_NUMBER)) || s == null || s.versions.isEmpty()) {
      throw new FakeError(Code.NOT_FOUND, "Secret [" + name + "] not found or has no versions. " + SERVER_CANARY);
    }
    return s;
  }

  private static String versionPart(String name) {
    return name.substring(name.lastIndexOf('/') + 1);
  }

  private static Version resolve(FakeSecret s, String version) {
    if (version.equals("latest")) {
      return s.versions.get(s.versions.size() - 1);
    }
    Long n = s.aliases.get(version);
    if (n == null) {
      try {
        n = Long.parseLong(version);
      } catch (NumberFormatException e) {
        throw new FakeError(Code.NOT_FOUND, "Alias [" + version + "] not found " + SERVER_CANARY);
      }
    }
    if (n < 1 || n > s.versions.size()) {
      throw new FakeError(Code.NOT_FOUND, "Secret Version [" + version + "] not found. " + SERVER_CANARY);
    }
    return s.version(n);
  }

  private static String secretName(FakeSecret s) {
    return s.location.isEmpty()
        ? "projects/" + PROJECT_NUMBER + "/secrets/" + s.id
        : "projects/" + PROJECT_NUMBER + "/locations/" + s.location + "/secrets/" + s.id;
  }

  private static String versionName(FakeSecret s, Version v) {
    return secretName(s) + "/versions/" + v.number;
  }

  static Timestamp ts(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  /** The HTTP status Google's REST front end gives each code. */
  static int httpStatus(Code code) {
    Map<Code, Integer> m = new LinkedHashMap<>();
    m.put(Code.NOT_FOUND, 404);
    m.put(Code.PERMISSION_DENIED, 403);
    m.put(Code.UNAUTHENTICATED, 401);
    m.put(Code.FAILED_PRECONDITION, 400);
    m.put(Code.INVALID_ARGUMENT, 400);
    m.put(Code.RESOURCE_EXHAUSTED, 429);
    m.put(Code.UNAVAILABLE, 503);
    m.put(Code.DEADLINE_EXCEEDED, 504);
    return m.getOrDefault(code, 500);
  }
}
