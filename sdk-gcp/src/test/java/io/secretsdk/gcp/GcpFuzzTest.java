package io.secretsdk.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.GetSecretRequest;
import com.google.cloud.secretmanager.v1.GetSecretVersionRequest;
import com.google.cloud.secretmanager.v1.ListSecretVersionsRequest;
import com.google.cloud.secretmanager.v1.ListSecretVersionsResponse;
import com.google.cloud.secretmanager.v1.Rotation;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.testing.LeakGuard;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing campaign (issue 10, "Fuzzing") through the source and the real Secret Manager client
 * over in-process gRPC: a server whose four methods answer with raw bytes, either a generated
 * proto (odd version names, payloads, checksums, timestamps at and past the ends of {@code
 * Instant}, aliases, page tokens, enum values no client knows) or the same bytes mutated, or an
 * error status with random codes and details (among them {@code RetryInfo} delays past {@code
 * java.time.Duration}'s range and undecodable details). Driven by a seeded {@link Random} so that
 * a failure replays ({@code -Dfuzz.seed}, {@code -Dfuzz.tries}).
 *
 * <p>Required: a secret whose value is bytes the server really sent, or a {@link SecretException};
 * no hang (every call ends within the source's timeout); no text of an answer (every string in it
 * is a unique marker) in any message or cause, and no value or server message in any log line.
 */
class GcpFuzzTest {
  static final long SEED = Long.getLong("fuzz.seed", 20261202L);
  static final int TRIES = Integer.getInteger("fuzz.tries", 400);
  static final String SERVICE = "google.cloud.secretmanager.v1.SecretManagerService";
  static final Metadata.Key<byte[]> DETAILS = Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  /** What one method answers in the current try: bytes, or an error status with raw detail bytes. */
  record Answer(byte[] bytes, Status error, byte[] details) {
    static Answer ok(byte[] bytes) {
      return new Answer(bytes, null, null);
    }
  }

  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final List<String> markers = new ArrayList<>();
  private final List<String> loggable = new ArrayList<>();
  private Server server;
  private ManagedChannel channel;
  private ExecutorService executor;
  private GcpSecretManagerSource source;
  private Random r;

  @BeforeEach
  void start() throws IOException {
    String name = "gcp-fuzz-" + System.nanoTime();
    executor = Executors.newCachedThreadPool();
    server = InProcessServerBuilder.forName(name).executor(executor).addService(definition()).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    source = GcpSecretManagerSource.builder().project("acme-prod")
        .channel(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
        .credentials(NoCredentialsProvider.create()).timeout(java.time.Duration.ofSeconds(3)).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    source.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    executor.shutdownNow();
  }

  // ---- the server: raw bytes out ----

  private ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(method("AccessSecretVersion", AccessSecretVersionRequest.getDefaultInstance()), handler("access"))
        .addMethod(method("GetSecret", GetSecretRequest.getDefaultInstance()), handler("secret"))
        .addMethod(method("GetSecretVersion", GetSecretVersionRequest.getDefaultInstance()), handler("version"))
        .addMethod(method("ListSecretVersions", ListSecretVersionsRequest.getDefaultInstance()), handler("list"))
        .build();
  }

  private <Q> io.grpc.ServerCallHandler<Q, byte[]> handler(String method) {
    return ServerCalls.asyncUnaryCall((Q request, StreamObserver<byte[]> o) -> {
      Answer a = answers.get(method);
      if (a == null) {
        o.onError(Status.UNIMPLEMENTED.asRuntimeException());
      } else if (a.error != null) {
        Metadata trailers = new Metadata();
        if (a.details != null) {
          trailers.put(DETAILS, a.details);
        }
        o.onError(a.error.asRuntimeException(trailers));
      } else {
        o.onNext(a.bytes);
        o.onCompleted();
      }
    });
  }

  private static <Q extends Message> MethodDescriptor<Q, byte[]> method(String name, Q request) {
    return MethodDescriptor.<Q, byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(ProtoUtils.marshaller(request)).setResponseMarshaller(new Raw()).build();
  }

  /** Bytes as they are. */
  static final class Raw implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  // ---- generated answers ----

  private String m() {
    String marker = "mq" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36);
    markers.add(marker);
    return marker;
  }

  /** A marker for a value or a server message: never in a message, and never logged either. */
  private String secretMarker() {
    String marker = m();
    loggable.add(marker);
    LeakGuard.watch(marker);
    return marker;
  }

  private String versionName(String id) {
    String base = "projects/123456789012/secrets/" + id + "/versions/";
    return switch (r.nextInt(9)) {
      case 0 -> base + "0";
      case 1 -> base + "9".repeat(19 + r.nextInt(3)); // past Long.MAX_VALUE
      case 2 -> base + m();
      case 3 -> m();
      case 4 -> "";
      case 5 -> "projects/123456789012/secrets/" + m() + "/versions/" + (1 + r.nextInt(5));
      default -> base + (1 + r.nextInt(5));
    };
  }

  private Timestamp timestamp() {
    long[] seconds = {0, 1_700_000_000L, -1, Long.MAX_VALUE, Long.MIN_VALUE, 31_556_889_864_403_199L,
        -31_557_014_167_219_200L, 253_402_300_800L, r.nextLong()};
    int[] nanos = {0, 999_999_999, 1_000_000_000, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, r.nextInt()};
    return Timestamp.newBuilder().setSeconds(seconds[r.nextInt(seconds.length)])
        .setNanos(r.nextInt(3) == 0 ? nanos[r.nextInt(nanos.length)] : 0).build();
  }

  private byte[] payloadData() {
    return switch (r.nextInt(6)) {
      case 0 -> new byte[0];
      case 1 -> {
        byte[] b = new byte[1 + r.nextInt(64)];
        r.nextBytes(b);
        yield b;
      }
      case 2 -> ("{\"password\":\"" + secretMarker() + "\"}").getBytes(StandardCharsets.UTF_8);
      case 3 -> (secretMarker() + "\u00e9\ud83d\ude00\u0000\n").getBytes(StandardCharsets.UTF_8);
      case 4 -> secretMarker().repeat(1 + r.nextInt(20_000)).getBytes(StandardCharsets.UTF_8);
      default -> secretMarker().getBytes(StandardCharsets.UTF_8);
    };
  }

  private byte[] access(String id) {
    byte[] data = payloadData();
    CRC32C crc = new CRC32C();
    crc.update(data);
    SecretPayload.Builder p = SecretPayload.newBuilder().setData(ByteString.copyFrom(data));
    switch (r.nextInt(4)) {
      case 0 -> { }
      case 1 -> p.setDataCrc32C(crc.getValue() ^ (1L << r.nextInt(40)));
      default -> p.setDataCrc32C(crc.getValue());
    }
    return AccessSecretVersionResponse.newBuilder().setName(versionName(id)).setPayload(p).build().toByteArray();
  }

  private byte[] secret(String id) {
    com.google.cloud.secretmanager.v1.Secret.Builder b = com.google.cloud.secretmanager.v1.Secret.newBuilder()
        .setName(r.nextBoolean() ? "projects/123456789012/secrets/" + id : m()).setEtag(m());
    for (int i = r.nextInt(4); i > 0; i--) {
      long[] to = {1, 2, 3, 0, -1, Long.MAX_VALUE};
      b.putVersionAliases(r.nextInt(4) == 0 ? "prod" : m(), to[r.nextInt(to.length)]);
    }
    for (int i = r.nextInt(3); i > 0; i--) {
      b.putLabels(m(), m()).putAnnotations(m(), m());
    }
    if (r.nextBoolean()) {
      b.setExpireTime(timestamp());
    }
    if (r.nextBoolean()) {
      b.setRotation(Rotation.newBuilder().setNextRotationTime(timestamp())
          .setRotationPeriod(Duration.newBuilder().setSeconds(r.nextLong())));
    }
    return b.build().toByteArray();
  }

  private SecretVersion versionMeta(String id) {
    SecretVersion.Builder b = SecretVersion.newBuilder().setName(versionName(id)).setEtag(m());
    switch (r.nextInt(5)) {
      case 0 -> b.setState(SecretVersion.State.DISABLED);
      case 1 -> b.setState(SecretVersion.State.DESTROYED).setDestroyTime(timestamp());
      case 2 -> b.setStateValue(r.nextInt(1000) - 10); // a state this client does not know
      default -> b.setState(SecretVersion.State.ENABLED);
    }
    if (r.nextBoolean()) {
      b.setCreateTime(timestamp());
    }
    return b.build();
  }

  private byte[] list(String id) {
    ListSecretVersionsResponse.Builder b = ListSecretVersionsResponse.newBuilder().setTotalSize(r.nextInt());
    for (int i = r.nextInt(6); i > 0; i--) {
      b.addVersions(versionMeta(id));
    }
    if (r.nextInt(3) == 0) {
      b.setNextPageToken(m()); // the same page again and again: the source must stop paging
    }
    return b.build().toByteArray();
  }

  private Answer error() {
    Status.Code[] codes = Status.Code.values();
    Status.Code code = codes[1 + r.nextInt(codes.length - 1)];
    String message = secretMarker() + " " + secretMarker();
    com.google.rpc.Status.Builder st = com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message);
    switch (r.nextInt(5)) {
      case 0 -> st.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(Duration.newBuilder()
          .setSeconds(r.nextBoolean() ? Long.MAX_VALUE : r.nextInt(100) - 50).setNanos(r.nextInt())).build()));
      case 1 -> st.addDetails(Any.newBuilder().setTypeUrl("type.googleapis.com/google.rpc.RetryInfo")
          .setValue(ByteString.copyFrom(mutate(m().getBytes(StandardCharsets.UTF_8)))));
      case 2 -> st.addDetails(Any.pack(ErrorInfo.newBuilder().setReason(m()).setDomain(m())
          .putMetadata(m(), m()).build()));
      default -> { }
    }
    byte[] details = st.build().toByteArray();
    if (r.nextInt(4) == 0) {
      details = mutate(details);
    }
    return new Answer(null, Status.fromCode(code).withDescription(message), r.nextInt(6) == 0 ? null : details);
  }

  private Answer answer(byte[] bytes) {
    if (r.nextInt(8) == 0) {
      return error();
    }
    return Answer.ok(r.nextInt(3) == 0 ? mutate(bytes) : bytes);
  }

  /** Byte mutations of a serialized proto: flips, truncation, insertions (odd tags, huge lengths), deletion. */
  private byte[] mutate(byte[] in) {
    byte[] b = in;
    for (int n = 1 + r.nextInt(3); n > 0 && b.length > 0; n--) {
      int at = r.nextInt(b.length);
      switch (r.nextInt(5)) {
        case 0 -> b[at] = (byte) r.nextInt(256);
        case 1 -> b = Arrays.copyOf(b, at);
        case 2 -> {
          byte[] ins = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
          byte[] longer = new byte[b.length + ins.length];
          System.arraycopy(b, 0, longer, 0, at);
          System.arraycopy(ins, 0, longer, at, ins.length);
          System.arraycopy(b, at, longer, at + ins.length, b.length - at);
          b = longer;
        }
        case 3 -> b[at] ^= (byte) (1 << r.nextInt(8));
        default -> {
          byte[] shorter = new byte[b.length - 1];
          System.arraycopy(b, 0, shorter, 0, at);
          System.arraycopy(b, at + 1, shorter, at, b.length - at - 1);
          b = shorter;
        }
      }
    }
    return b;
  }

  // ---- checks ----

  private static String render(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (hay[i + k] != needle[k]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Test
  void generatedAndMutatedAnswersGiveASecretFromTheAnswerOrATypedErrorWithoutItsText() {
    r = new Random(SEED);
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    String[] forms = {"", "?version=2", "?version=prod", "?stage=previous", "check"};
    long slowest = 0;
    for (int i = 0; i < TRIES; i++) {
      markers.clear();
      loggable.clear();
      String id = "s" + i;
      byte[] access = access(id);
      answers.put("access", answer(access));
      answers.put("secret", answer(secret(id)));
      answers.put("version", answer(versionMeta(id).toByteArray()));
      answers.put("list", answer(list(id)));
      String form = forms[r.nextInt(forms.length)];
      SecretRef ref = SecretRef.parse("gcp-sm://" + id + (form.equals("check") ? "" : form));
      String context = "try " + i + " (seed " + SEED + ") " + form;
      long t0 = System.nanoTime();
      try {
        if (form.equals("check")) {
          source.checkVersion(ref);
          outcomes.merge("check", 1, Integer::sum);
        } else if (form.equals("?stage=previous")) {
          source.fetchPrevious(ref).ifPresentOrElse(s -> {
            check(s, answers.get("access"), context, failures);
            outcomes.merge("previous", 1, Integer::sum);
          }, () -> outcomes.merge("no previous", 1, Integer::sum));
        } else {
          Secret s = source.fetch(ref);
          check(s, answers.get("access"), context, failures);
          outcomes.merge("secret", 1, Integer::sum);
        }
      } catch (SecretException e) {
        String text = render(e);
        for (String marker : markers) {
          if (text.contains(marker)) {
            failures.add(context + ": answer text in " + e.getClass().getSimpleName());
            break;
          }
        }
        outcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      } catch (RuntimeException e) {
        failures.add(context + ": untyped " + e.getClass().getName());
        outcomes.merge("untyped " + e.getClass().getSimpleName(), 1, Integer::sum);
      }
      slowest = Math.max(slowest, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }
    System.out.println("[fuzz] gcp answers: seed " + SEED + ", " + TRIES + " tries: " + outcomes + ", slowest "
        + slowest + " ms");
    assertThat(failures).as("failures (first of them)").isEmpty();
    assertThat(outcomes).containsKey("secret").containsKey("SecretFormatException");
    // No hang: every call ends within the source's timeout (3 s) and its follow-up calls, with a margin.
    assertThat(slowest).isLessThan(15_000);
  }

  private void check(Secret s, Answer access, String context, List<String> failures) {
    byte[] sent = access.bytes();
    boolean fromAnswer = s.value().withBytes(v -> sent != null && contains(sent, v));
    if (!fromAnswer) {
      failures.add(context + ": a value that is not in the answer");
    }
    String shown = s.toString() + s.value();
    for (String marker : loggable) {
      if (shown.contains(marker)) {
        failures.add(context + ": the value in toString()");
      }
    }
    s.value().destroy();
  }

  @Test
  void arbitraryRefsThroughEveryReadGiveTypedErrorsOnly() {
    r = new Random(SEED + 1);
    Answer notFound = new Answer(null, Status.NOT_FOUND.withDescription("no such secret"), null);
    for (String method : List.of("access", "secret", "version", "list")) {
      answers.put(method, notFound);
    }
    String alphabet = "projects/acme-prod/locations/europe-west1/secrets/db/versions/latest/9223372036854775808/"
        + "?version=&stage=previous&pending#%2F..\\\0\n\r\t \u00e9\u2028\ud83d\ude00";
    Map<String, Integer> outcomes = new TreeMap<>();
    int refused = 0;
    int tries = Integer.getInteger("fuzz.refs", 1500);
    for (int i = 0; i < tries; i++) {
      StringBuilder sb = new StringBuilder();
      int start = r.nextInt(alphabet.length());
      for (int k = 0, len = 1 + r.nextInt(40); k < len; k++) {
        // runs of the alphabet keep its words together, with random jumps
        sb.append(alphabet.charAt((start + k) % alphabet.length()));
        if (r.nextInt(5) == 0) {
          start = Math.floorMod(r.nextInt(alphabet.length()) - k - 1, alphabet.length());
        }
      }
      if (r.nextInt(4) == 0) {
        sb.append("?version=").append(r.nextBoolean() ? "9".repeat(18 + r.nextInt(3)) : Long.toString(r.nextLong()));
      }
      SecretRef ref;
      try {
        ref = SecretRef.parse("gcp-sm://" + sb);
      } catch (RuntimeException e) {
        refused++;
        continue;
      }
      int op = r.nextInt(3);
      try {
        switch (op) {
          case 0 -> source.fetch(ref).value().destroy();
          case 1 -> source.fetchPrevious(ref).ifPresent(s -> s.value().destroy());
          default -> source.checkVersion(ref);
        }
        outcomes.merge("answered", 1, Integer::sum);
      } catch (SecretException e) {
        outcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      } catch (RuntimeException e) {
        outcomes.merge("untyped " + e.getClass().getName() + " (try " + i + ", op " + op + ")", 1, Integer::sum);
      }
    }
    System.out.println("[fuzz] gcp refs: seed " + (SEED + 1) + ", " + tries + " refs (" + refused
        + " refused by SecretRef): " + outcomes);
    assertThat(outcomes.keySet()).noneMatch(k -> k.startsWith("untyped")).contains("InvalidSecretRefException");
  }
}
