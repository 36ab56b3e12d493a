package io.secretsdk.azure.internal;

import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.BinaryData;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.json.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads each successful answer whole and checks that it is one complete JSON document before the
 * client deserializes it; an answer that is not (truncated, garbage) fails here with an exception
 * that holds none of it.
 *
 * <p>Why: azure-core's deserializer logs a failed parse at ERROR with an excerpt of the body, and
 * the body of a secret read holds the secret's value. A client the source makes has this policy; a
 * client of yours does not (see the module README for the loggers to quiet).
 *
 * <p>It also drops the {@code Content-Length} header of a request without a body (the client sets
 * {@code 0} on reads): the JDK's HTTP client may not send it, and azure-core's adapter logs a
 * warning for every request that has it.
 */
public final class CheckedJsonPolicy implements HttpPipelinePolicy {
  /** Makes the policy. */
  public CheckedJsonPolicy() {}

  /** The answer was not one complete JSON document; its message holds nothing of the body. */
  public static final class UnreadableAnswerException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    UnreadableAnswerException(int length) {
      super("the answer (HTTP 200, " + length + " bytes) is not one complete JSON document",
          new IOException("unreadable JSON answer"));
    }
  }

  @Override
  public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
    dropEmptyContentLength(context);
    return next.process().flatMap(r -> isChecked(r)
        ? r.getBodyAsByteArray().defaultIfEmpty(new byte[0]).map(body -> checked(r, body))
        : Mono.just(r));
  }

  @Override
  public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
    dropEmptyContentLength(context);
    HttpResponse r = next.processSync();
    if (!isChecked(r)) {
      return r;
    }
    BinaryData body = r.getBodyAsBinaryData();
    return checked(r, body == null ? new byte[0] : body.toBytes());
  }

  private static void dropEmptyContentLength(HttpPipelineCallContext context) {
    com.azure.core.http.HttpRequest request = context.getHttpRequest();
    if (request.getBodyAsBinaryData() == null
        && "0".equals(request.getHeaders().getValue(com.azure.core.http.HttpHeaderName.CONTENT_LENGTH))) {
      request.getHeaders().remove(com.azure.core.http.HttpHeaderName.CONTENT_LENGTH);
    }
  }

  private static boolean isChecked(HttpResponse r) {
    return r.getStatusCode() >= 200 && r.getStatusCode() < 300;
  }

  private static HttpResponse checked(HttpResponse r, byte[] body) {
    if (body.length > 0 && !isOneJsonDocument(body)) {
      int length = body.length;
      Arrays.fill(body, (byte) 0);
      r.close();
      throw new UnreadableAnswerException(length);
    }
    return new Buffered(r, body);
  }

  private static boolean isOneJsonDocument(byte[] body) {
    try (JsonReader reader = JsonProviders.createReader(body)) {
      JsonToken first = reader.nextToken();
      if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
        return false;
      }
      reader.skipChildren();
      JsonToken after = reader.nextToken();
      return after == null || after == JsonToken.END_DOCUMENT;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The answer with its body held in memory. */
  private static final class Buffered extends HttpResponse {
    private final HttpResponse original;
    private final byte[] body;

    Buffered(HttpResponse original, byte[] body) {
      super(original.getRequest());
      this.original = original;
      this.body = body;
    }

    @Override
    public int getStatusCode() {
      return original.getStatusCode();
    }

    @Override
    @Deprecated
    public String getHeaderValue(String name) {
      return original.getHeaders().getValue(com.azure.core.http.HttpHeaderName.fromString(name));
    }

    @Override
    public HttpHeaders getHeaders() {
      return original.getHeaders();
    }

    @Override
    public Flux<ByteBuffer> getBody() {
      return Flux.defer(() -> Flux.just(ByteBuffer.wrap(body).asReadOnlyBuffer()));
    }

    @Override
    public BinaryData getBodyAsBinaryData() {
      return BinaryData.fromBytes(body);
    }

    @Override
    public Mono<byte[]> getBodyAsByteArray() {
      return Mono.fromSupplier(() -> body.clone());
    }

    @Override
    public Mono<String> getBodyAsString() {
      return getBodyAsString(StandardCharsets.UTF_8);
    }

    @Override
    public Mono<String> getBodyAsString(Charset charset) {
      return Mono.fromSupplier(() -> new String(body, charset));
    }

    @Override
    public HttpResponse buffer() {
      return this;
    }

    @Override
    public void close() {
      original.close();
    }
  }
}
