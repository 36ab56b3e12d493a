package io.secretsdk.gcp;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.StatusCode;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.GetSecretRequest;
import com.google.cloud.secretmanager.v1.GetSecretVersionRequest;
import com.google.cloud.secretmanager.v1.ListSecretVersionsRequest;
import com.google.cloud.secretmanager.v1.ListSecretVersionsResponse;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.protobuf.Message;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The fake served in-process over gRPC with a hand-built {@link ServerServiceDefinition} of {@code
 * google.cloud.secretmanager.v1.SecretManagerService} (the real method names and protos). A fresh
 * server, state and channel for each test.
 */
final class GrpcFront implements BeforeEachCallback, AfterEachCallback {
  static final String SERVICE = "google.cloud.secretmanager.v1.SecretManagerService";

  FakeSecretManager fake;
  private Server server;
  private ManagedChannel channel;
  private ExecutorService executor;
  private final List<StreamObserver<?>> held = new CopyOnWriteArrayList<>();
  private final List<SecretManagerServiceClient> clients = new CopyOnWriteArrayList<>();

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    fake = new FakeSecretManager();
    String name = "gcp-fake-" + System.nanoTime();
    executor = Executors.newCachedThreadPool();
    server = InProcessServerBuilder.forName(name).executor(executor).addService(definition()).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    for (SecretManagerServiceClient c : clients) {
      c.close();
    }
    for (StreamObserver<?> o : held) {
      try {
        o.onError(io.grpc.Status.CANCELLED.asRuntimeException());
      } catch (RuntimeException ignored) {
        // the client gave up on it already
      }
    }
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    executor.shutdownNow();
  }

  /** The in-process channel, for a source's own clients (through the package-private seam). */
  TransportChannelProvider channelProvider() {
    return FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel));
  }

  /** A source whose clients the builder makes (no client retries) on this server. */
  GcpSecretManagerSource.Builder sourceBuilder() {
    return GcpSecretManagerSource.builder().project(FakeSecretManager.PROJECT).channel(channelProvider())
        .credentials(NoCredentialsProvider.create());
  }

  /** A client as a user would build one: the library's default retries, shortened so that tests stay fast. */
  SecretManagerServiceClient userClient() {
    try {
      SecretManagerServiceSettings.Builder b = SecretManagerServiceSettings.newBuilder()
          .setTransportChannelProvider(channelProvider()).setCredentialsProvider(NoCredentialsProvider.create());
      RetrySettings quick = b.accessSecretVersionSettings().getRetrySettings().toBuilder()
          .setInitialRetryDelayDuration(Duration.ofMillis(5)).setMaxRetryDelayDuration(Duration.ofMillis(20))
          .setTotalTimeoutDuration(Duration.ofSeconds(5)).build();
      b.accessSecretVersionSettings().setRetrySettings(quick)
          .setRetryableCodes(StatusCode.Code.UNAVAILABLE, StatusCode.Code.RESOURCE_EXHAUSTED);
      SecretManagerServiceClient c = SecretManagerServiceClient.create(b.build());
      clients.add(c);
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(method("AccessSecretVersion", AccessSecretVersionRequest.getDefaultInstance(),
            AccessSecretVersionResponse.getDefaultInstance()), ServerCalls.asyncUnaryCall(
                (AccessSecretVersionRequest r, StreamObserver<AccessSecretVersionResponse> o) -> {
                  if (fake.stallAccess) {
                    fake.calls.computeIfAbsent("AccessSecretVersion", k -> new java.util.concurrent.atomic.AtomicInteger())
                        .incrementAndGet();
                    held.add(o);
                    return;
                  }
                  answer(o, r, x -> fake.access(x.getName()));
                }))
        .addMethod(method("GetSecret", GetSecretRequest.getDefaultInstance(), Secret.getDefaultInstance()),
            ServerCalls.asyncUnaryCall((GetSecretRequest r, StreamObserver<Secret> o) ->
                answer(o, r, x -> fake.getSecret(x.getName()))))
        .addMethod(method("GetSecretVersion", GetSecretVersionRequest.getDefaultInstance(),
            SecretVersion.getDefaultInstance()), ServerCalls.asyncUnaryCall(
                (GetSecretVersionRequest r, StreamObserver<SecretVersion> o) ->
                    answer(o, r, x -> fake.getSecretVersion(x.getName()))))
        .addMethod(method("ListSecretVersions", ListSecretVersionsRequest.getDefaultInstance(),
            ListSecretVersionsResponse.getDefaultInstance()), ServerCalls.asyncUnaryCall(
                (ListSecretVersionsRequest r, StreamObserver<ListSecretVersionsResponse> o) ->
                    answer(o, r, x -> fake.list(x.getParent(), x.getPageSize(), x.getPageToken()))))
        .build();
  }

  private static <Q, R> void answer(StreamObserver<R> o, Q request, Function<Q, R> handler) {
    R response;
    try {
      response = handler.apply(request);
    } catch (FakeSecretManager.FakeError e) {
      o.onError(StatusProto.toStatusRuntimeException(e.status));
      return;
    }
    o.onNext(response);
    o.onCompleted();
  }

  private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(String name, Q req, R res) {
    return MethodDescriptor.<Q, R>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(ProtoUtils.marshaller(req))
        .setResponseMarshaller(ProtoUtils.marshaller(res))
        .build();
  }
}
