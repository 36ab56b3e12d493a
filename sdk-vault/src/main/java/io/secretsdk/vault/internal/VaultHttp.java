package io.secretsdk.vault.internal;

import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Sends one request to Vault's HTTP API and hands back the status and the body bytes, which the
 * caller wipes ({@link Response#close()}).
 *
 * <p>The body is read by a subscriber that copies the received buffers into one array it owns
 * (wiping every array it outgrows), zeroes each writable buffer the HTTP client handed it once
 * copied, and refuses bodies over {@value #MAX_BODY} bytes. Request bodies are {@code byte[]} that
 * the caller wipes after the call.
 *
 * <p>Failures to get an answer become {@link SecretUnavailableException}s naming the address and
 * telling an unknown host from a refused connection, no route, a connect timeout, an answer that
 * did not come in time and a TLS failure. The JDK's exception is kept as the cause: its type and
 * message ("Connection refused", the host name) are the JDK's own and hold no request data.
 */
public final class VaultHttp {
  /** The largest response body read: 4 MiB. */
  public static final int MAX_BODY = 4 << 20;

  private final HttpClient client;
  private final URI address;
  private final @Nullable String namespace;
  private final Duration timeout;

  /**
   * Creates the transport.
   *
   * @param client the HTTP client
   * @param address Vault's address, e.g. {@code https://vault:8200}
   * @param namespace the namespace sent as {@code X-Vault-Namespace}, or {@code null}
   * @param timeout how long a request may take
   */
  public VaultHttp(HttpClient client, URI address, @Nullable String namespace, Duration timeout) {
    this.client = client;
    String a = address.toString();
    this.address = URI.create(a.endsWith("/") ? a : a + "/");
    this.namespace = namespace;
    this.timeout = timeout;
  }

  /**
   * Vault's address, for messages.
   *
   * @return the address
   */
  public URI address() {
    return address;
  }

  /** An answer: the status, the body (owned; wiped by {@link #close()}) and a Retry-After hint. */
  public static final class Response implements AutoCloseable {
    private final int status;
    private final byte[] body;
    private final @Nullable Duration retryAfter;

    Response(int status, byte[] body, @Nullable Duration retryAfter) {
      this.status = status;
      this.body = body;
      this.retryAfter = retryAfter;
    }

    /**
     * The HTTP status.
     *
     * @return the status code
     */
    public int status() {
      return status;
    }

    /**
     * The body; valid until {@link #close()}.
     *
     * @return the bytes, not a copy
     */
    public byte[] body() {
      return body;
    }

    /**
     * The Retry-After hint of a 429 or 503.
     *
     * @return the hint, if Vault sent one in seconds
     */
    public Optional<Duration> retryAfter() {
      return Optional.ofNullable(retryAfter);
    }

    /** Wipes the body. */
    @Override
    public void close() {
      Arrays.fill(body, (byte) 0);
    }
  }

  /**
   * Sends a request.
   *
   * @param method {@code GET}, {@code PUT}, {@code POST}, {@code LIST}
   * @param apiPath the path under {@code /v1/}, already encoded ({@link #encodePath})
   * @param token the {@code X-Vault-Token} header, or {@code null} for a login
   * @param body the request body, or {@code null}; the caller wipes it after this returns
   * @param what names the operation in errors, e.g. {@code "reading vault secret 'secret/app'"}
   * @param ref the secret concerned, or {@code null}
   * @return the answer, which the caller closes
   * @throws SecretUnavailableException if no answer came
   */
  public Response send(
      String method, String apiPath, @Nullable String token, byte @Nullable [] body, String what, @Nullable SecretRef ref) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(address.resolve("v1/" + apiPath))
            .timeout(timeout)
            .header("Accept", "application/json")
            .header("X-Vault-Request", "true")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (namespace != null) {
      b.header("X-Vault-Namespace", namespace);
    }
    if (token != null) {
      b.header("X-Vault-Token", token);
    }
    try {
      HttpResponse<byte[]> r = client.send(b.build(), info -> new WipingBody(MAX_BODY));
      return new Response(r.statusCode(), r.body(), retryAfter(r.headers()));
    } catch (HttpConnectTimeoutException e) {
      throw new SecretUnavailableException(
          what + ": could not connect to Vault at " + address + " within " + timeout
              + " (connect timed out: a firewall dropping packets, a wrong address, or Vault down)", ref, e);
    } catch (HttpTimeoutException e) {
      throw new SecretUnavailableException(
          what + ": Vault at " + address + " did not answer within " + timeout + "; it may be overloaded, or raise requestTimeout",
          ref, e);
    } catch (SSLException e) {
      throw new SecretUnavailableException(
          what + ": the TLS handshake with Vault at " + address + " failed (" + e.getClass().getSimpleName()
              + "); check the CA bundle or trust store configured for Vault",
          ref, e);
    } catch (IOException e) {
      if (e.getCause() instanceof BodyTooLarge) {
        throw new SecretUnavailableException(
            what + ": Vault at " + address + " sent an answer over " + MAX_BODY + " bytes; refused", ref);
      }
      throw new SecretUnavailableException(what + ": could not reach Vault at " + address + " (" + reason(e, String.valueOf(address.getHost())) + ")", ref,
          e);
        } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SecretUnavailableException(what + ": interrupted while waiting for Vault", ref);
    } catch (IllegalArgumentException e) {
      // A header value the HTTP client refuses; its message could quote the value.
      throw new SecretException(what + ": the request to Vault could not be built (a header is not valid)", ref);
    }
  }

  /**
   * Tells the usual network failures apart, from the exception types of the cause chain: an
   * unknown host, a refused connection, no route, a reset.
   */
  static String reason(IOException e, String host) {
    // The JDK wraps an unresolved host in a ConnectException: look for the most telling type first.
    Throwable unresolved = find(e, UnknownHostException.class, UnresolvedAddressException.class);
    if (unresolved != null) {
      return "the host name '" + host + "' does not resolve (" + unresolved.getClass().getSimpleName()
          + "): check the address and DNS";
    }
    Throwable timeout = find(e, HttpConnectTimeoutException.class, SocketTimeoutException.class);
    if (timeout != null) {
      return "connect timed out (" + timeout.getClass().getSimpleName() + ")";
    }
    if (find(e, NoRouteToHostException.class) != null) {
      return "no route to the host (NoRouteToHostException): check the network and firewall";
    }
    if (find(e, ConnectException.class) != null) {
      return "connection refused (ConnectException): nothing listens on that host and port; check the port, and"
          + " that Vault is running";
    }
    String type = e.getClass().getSimpleName();
    return "the connection failed (" + type + (e.getCause() == null ? "" : ", caused by " + e.getCause().getClass().getSimpleName())
        + "): check the address, network and proxy settings";
  }

  @SafeVarargs
  private static @Nullable Throwable find(Throwable e, Class<? extends Throwable>... types) {
    int depth = 0;
    for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
      for (Class<? extends Throwable> type : types) {
        if (type.isInstance(t)) {
          return t;
        }
      }
    }
    return null;
  }

  private static @Nullable Duration retryAfter(HttpHeaders headers) {
    Optional<String> v = headers.firstValue("Retry-After");
    if (v.isEmpty()) {
      return null;
    }
    String s = v.get().trim();
    if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    return Duration.ofSeconds(Long.parseLong(s));
  }

  /**
   * Percent-encodes each segment of a Vault path; {@code /} separates segments.
   *
   * @param path the path, e.g. {@code secret/data/my app}
   * @return the encoded path, e.g. {@code secret/data/my%20app}
   */
  public static String encodePath(String path) {
    byte[] utf8 = path.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(utf8.length + 8);
    for (byte value : utf8) {
      int c = value & 0xFF;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == '@' || c == ':' || c == '+') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      }
    }
    return sb.toString();
  }

  /** The body was larger than allowed. */
  static final class BodyTooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLarge() {
      super("response body too large");
    }
  }

  /**
   * Collects a body into one array it owns: each array it outgrows is wiped, and each buffer the
   * HTTP client hands over is zeroed once copied, where the buffer is writable.
   */
  static final class WipingBody implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final int max;
    private byte[] buf = new byte[2048];
    private int n;
    private Flow.@Nullable Subscription subscription;

    WipingBody(int max) {
      this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        items.forEach(WipingBody::zero);
        return;
      }
      for (ByteBuffer item : items) {
        int r = item.remaining();
        if (r > max - n) {
          items.forEach(WipingBody::zero);
          Arrays.fill(buf, (byte) 0);
          Flow.Subscription s = subscription;
          if (s != null) {
            s.cancel();
          }
          result.completeExceptionally(new BodyTooLarge());
          return;
        }
        if (n + r > buf.length) {
          byte[] bigger = Arrays.copyOf(buf, Math.min(max, Math.max(buf.length * 2, n + r)));
          Arrays.fill(buf, (byte) 0);
          buf = bigger;
        }
        int at = item.position();
        item.get(buf, n, r);
        n += r;
        if (!item.isReadOnly()) {
          for (int i = at; i < at + r; i++) {
            item.put(i, (byte) 0);
          }
        }
      }
    }

    private static void zero(ByteBuffer item) {
      if (!item.isReadOnly()) {
        for (int i = item.position(); i < item.limit(); i++) {
          item.put(i, (byte) 0);
        }
      }
    }

    @Override
    public void onError(Throwable throwable) {
      Arrays.fill(buf, (byte) 0);
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      if (result.isDone()) {
        return;
      }
      byte[] exact = Arrays.copyOf(buf, n);
      Arrays.fill(buf, (byte) 0);
      result.complete(exact);
    }
  }
}
