package io.secretsdk.gcp;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.RetryInfo;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The fake served over loopback HTTP with the REST JSON of Secret Manager v1: {@code GET
 * /v1/{name}:access}, {@code GET /v1/{secret}}, {@code GET /v1/{version}}, {@code GET
 * /v1/{secret}/versions?pageSize&pageToken}; proto3 JSON bodies, and errors as Google's REST front
 * end writes them ({@code {"error":{"code","message","status","details"}}}). Uses no gRPC class,
 * so that it runs on the slim (HTTP/JSON only) class path.
 */
final class HttpFront implements BeforeEachCallback, AfterEachCallback {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
      .usingTypeRegistry(TypeRegistry.newBuilder().add(RetryInfo.getDescriptor()).build());

  static final String ACCESS_TOKEN = "ya29.fake-access-token";

  FakeSecretManager fake;
  final java.util.concurrent.atomic.AtomicInteger tokenRequests = new java.util.concurrent.atomic.AtomicInteger();
  final java.util.List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
  private HttpServer server;
  private ExecutorService executor;
  private CountDownLatch released;

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    fake = new FakeSecretManager();
    released = new CountDownLatch(1);
    executor = Executors.newCachedThreadPool();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/v1/", this::handle);
    // An OAuth token endpoint for user credentials whose token_uri points here.
    server.createContext("/token", ex -> {
      try (ex) {
        tokenRequests.incrementAndGet();
        send(ex, 200, "{\"access_token\":\"" + ACCESS_TOKEN + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}");
      }
    });
    server.start();
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    released.countDown();
    server.stop(0);
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** {@code http://127.0.0.1:PORT}. */
  String endpoint() {
    return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
  }

  /** A source whose HTTP/JSON clients the builder makes (no client retries) on this server. */
  GcpSecretManagerSource.Builder sourceBuilder() {
    return GcpSecretManagerSource.builder().project(FakeSecretManager.PROJECT)
        .transport(GcpSecretManagerSource.Transport.HTTP_JSON).endpoint(endpoint())
        .credentials(NoCredentialsProvider.create());
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      authorizations.add(auth == null ? "" : auth);
      String path = ex.getRequestURI().getRawPath().substring("/v1/".length());
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      if (!"GET".equals(ex.getRequestMethod())) {
        send(ex, 405, "{}");
        return;
      }
      if (path.endsWith(":access")) {
        if (fake.stallAccess) {
          fake.calls.computeIfAbsent("AccessSecretVersion", k -> new java.util.concurrent.atomic.AtomicInteger())
              .incrementAndGet();
          released.await(30, TimeUnit.SECONDS);
          return;
        }
        String name = path.substring(0, path.length() - ":access".length());
        answer(ex, () -> fake.access(name));
      } else if (path.endsWith("/versions")) {
        String parent = path.substring(0, path.length() - "/versions".length());
        int pageSize = Integer.parseInt(query.getOrDefault("pageSize", "0"));
        answer(ex, () -> fake.list(parent, pageSize, query.getOrDefault("pageToken", "")));
      } else if (path.contains("/versions/")) {
        answer(ex, () -> fake.getSecretVersion(path));
      } else {
        answer(ex, () -> fake.getSecret(path));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void answer(HttpExchange ex, Supplier<? extends Message> handler) throws IOException {
    Message m;
    try {
      m = handler.get();
    } catch (FakeSecretManager.FakeError e) {
      StringBuilder details = new StringBuilder();
      for (Any d : e.status.getDetailsList()) {
        details.append(details.length() == 0 ? "" : ",").append(PRINTER.print(d));
      }
      int http = FakeSecretManager.httpStatus(e.code());
      String body = "{\"error\":{\"code\":" + http + ",\"message\":\"" + e.status.getMessage().replace("\"", "'")
          + "\",\"status\":\"" + e.code().name() + "\",\"details\":[" + details + "]}}";
      send(ex, http, body);
      return;
    }
    send(ex, 200, print(m));
  }

  private static String print(Message m) {
    try {
      return PRINTER.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> m = new HashMap<>();
    if (raw == null) {
      return m;
    }
    for (String p : raw.split("&")) {
      int eq = p.indexOf('=');
      if (eq > 0) {
        m.put(URLDecoder.decode(p.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return m;
  }
}
