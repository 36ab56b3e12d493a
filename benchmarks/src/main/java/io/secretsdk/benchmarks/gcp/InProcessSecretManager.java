package io.secretsdk.benchmarks.gcp;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.GetSecretRequest;
import com.google.cloud.secretmanager.v1.GetSecretVersionRequest;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.zip.CRC32C;

/**
 * A Secret Manager served in-process over gRPC (the real method names and protos) with {@code n}
 * secrets {@code s0..s(n-1)}, each a growing list of versions; counts every call by method. For the
 * GCP benchmarks only.
 */
public final class InProcessSecretManager implements AutoCloseable {
  public static final String PROJECT = "bench-project";
  private static final String SERVICE = "google.cloud.secretmanager.v1.SecretManagerService";

  private final Map<String, AtomicInteger> versions = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private final Server server;
  private final ManagedChannel channel;

  public InProcessSecretManager(int n) {
    for (int i = 0; i < n; i++) {
      versions.put("s" + i, new AtomicInteger(1));
    }
    String name = "gcp-bench-" + System.nanoTime();
    try {
      server = InProcessServerBuilder.forName(name).directExecutor().addService(definition()).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  /** A client like the one GcpSecretManagerSource's builder makes: one attempt per call, 5 s deadline. */
  public SecretManagerServiceClient client() {
    try {
      SecretManagerServiceSettings.Builder b = SecretManagerServiceSettings.newBuilder()
          .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
          .setCredentialsProvider(NoCredentialsProvider.create());
      Duration t = Duration.ofSeconds(5);
      b.accessSecretVersionSettings().setSimpleTimeoutNoRetriesDuration(t);
      b.getSecretSettings().setSimpleTimeoutNoRetriesDuration(t);
      b.getSecretVersionSettings().setSimpleTimeoutNoRetriesDuration(t);
      b.listSecretVersionsSettings().setSimpleTimeoutNoRetriesDuration(t);
      return SecretManagerServiceClient.create(b.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds a version to a secret: its latest moves. */
  void rotate(String secret) {
    versions.get(secret).incrementAndGet();
  }

  long calls(String method) {
    AtomicLong c = calls.get(method);
    return c == null ? 0 : c.get();
  }

  void resetCounts() {
    calls.clear();
  }

  private void count(String method) {
    calls.computeIfAbsent(method, k -> new AtomicLong()).incrementAndGet();
  }

  private int latest(String secretResource) {
    String id = secretResource.substring(secretResource.lastIndexOf('/') + 1);
    AtomicInteger v = versions.get(id);
    if (v == null) {
      throw Status.NOT_FOUND.withDescription("no secret").asRuntimeException();
    }
    return v.get();
  }

  private static String secretOf(String versionName) {
    return versionName.substring(0, versionName.indexOf("/versions/"));
  }

  private AccessSecretVersionResponse access(AccessSecretVersionRequest r) {
    count("AccessSecretVersion");
    String secret = secretOf(r.getName());
    String v = r.getName().substring(r.getName().lastIndexOf('/') + 1);
    int number = v.equals("latest") ? latest(secret) : Integer.parseInt(v);
    byte[] data = ("{\"username\":\"app\",\"password\":\"bench-pw-" + secret.hashCode() + "-" + number + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    CRC32C crc = new CRC32C();
    crc.update(data);
    return AccessSecretVersionResponse.newBuilder().setName(secret + "/versions/" + number)
        .setPayload(SecretPayload.newBuilder().setData(ByteString.copyFrom(data)).setDataCrc32C(crc.getValue()))
        .build();
  }

  private Secret getSecret(GetSecretRequest r) {
    count("GetSecret");
    latest(r.getName());
    return Secret.newBuilder().setName(r.getName()).putLabels("env", "bench").build();
  }

  private SecretVersion getSecretVersion(GetSecretVersionRequest r) {
    count("GetSecretVersion");
    String secret = secretOf(r.getName());
    return SecretVersion.newBuilder().setName(secret + "/versions/" + latest(secret))
        .setState(SecretVersion.State.ENABLED).build();
  }

  private ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(method("AccessSecretVersion", AccessSecretVersionRequest.getDefaultInstance(),
            AccessSecretVersionResponse.getDefaultInstance()), unary(this::access))
        .addMethod(method("GetSecret", GetSecretRequest.getDefaultInstance(), Secret.getDefaultInstance()),
            unary(this::getSecret))
        .addMethod(method("GetSecretVersion", GetSecretVersionRequest.getDefaultInstance(),
            SecretVersion.getDefaultInstance()), unary(this::getSecretVersion))
        .build();
  }

  private static <Q, R> io.grpc.ServerCallHandler<Q, R> unary(Function<Q, R> handler) {
    return ServerCalls.asyncUnaryCall((Q request, StreamObserver<R> o) -> {
      R response;
      try {
        response = handler.apply(request);
      } catch (RuntimeException e) {
        o.onError(e);
        return;
      }
      o.onNext(response);
      o.onCompleted();
    });
  }

  private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(String name, Q req, R res) {
    return MethodDescriptor.<Q, R>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(ProtoUtils.marshaller(req))
        .setResponseMarshaller(ProtoUtils.marshaller(res))
        .build();
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
