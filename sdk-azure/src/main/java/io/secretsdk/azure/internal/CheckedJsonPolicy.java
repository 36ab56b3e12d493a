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
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads each successful answer whole and checks that it is one complete JSON document, and that
 * the fields Key Vault's secret answers have are of the types the client reads them as, before the
 * client deserializes it; an answer that is not (truncated, garbage, an attribute of the wrong type
 * or out of range) fails here with an exception that holds none of it.
 *
 * <p>Why: azure-core's deserializer logs a failed parse at ERROR with an excerpt of the body, and
 * the body of a secret read holds the secret's value. That happens for a well-formed document too
 * when, say, {@code attributes.exp} is a string or past the range of a {@code long}: the types of
 * {@code value}, {@code id}, {@code contentType}, {@code kid}, {@code managed}, {@code tags}, {@code
 * nextLink}, and of {@code attributes}' {@code enabled}, {@code nbf}, {@code exp}, {@code
 * created}, {@code updated}, {@code recoverableDays} and {@code recoveryLevel} are checked, in a
 * bundle and in each item of a listing (dates: whole seconds of the years 1 to 9999). A client the
 * source makes has this policy; a client of yours does not (see the module README for the loggers
 * to quiet).
 *
 * <p>An error answer (not 2xx) that is not one JSON document is passed on without its body: it
 * holds no value, but azure-core logs a token of an error body it cannot parse at WARN.
 *
 * <p>It also drops the {@code Content-Length} header of a request without a body (the client sets
 * {@code 0} on reads): the JDK's HTTP client may not send it, and azure-core's adapter logs a
 * warning for every request that has it.
 */
public final class CheckedJsonPolicy implements HttpPipelinePolicy {
  private final URI vault;

  /**
   * Makes the policy that also refuses, before anything is sent, a request to any other scheme,
   * host or port than the vault's: a page link ({@code nextLink}) in an answer is followed by the
   * client with the vault's token, so a hostile or broken answer could otherwise send the token
   * elsewhere.
   *
   * @param vaultUrl the vault's URL
   */
  public CheckedJsonPolicy(String vaultUrl) {
    this.vault = URI.create(vaultUrl);
  }

  /** A request to another host than the vault's was refused; its message names neither host nor path. */
  public static final class OtherHostException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    OtherHostException() {
      super("a request to another host than the vault's was refused before it was sent",
          new IOException("request to another host refused"));
    }
  }

  /** The answer was not one complete JSON document; its message holds nothing of the body. */
  public static final class UnreadableAnswerException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    UnreadableAnswerException(int length) {
      super("the answer (HTTP 200, " + length + " bytes) is not one complete JSON document of a Key Vault answer's shape",
          new IOException("unreadable JSON answer"));
    }
  }

  @Override
  public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
    if (!toVault(context)) {
      return Mono.error(new OtherHostException());
    }
    dropEmptyContentLength(context);
    return next.process().flatMap(r -> r.getBodyAsByteArray().defaultIfEmpty(new byte[0]).map(body -> checked(r, body)));
  }

  @Override
  public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
    if (!toVault(context)) {
      throw new OtherHostException();
    }
    dropEmptyContentLength(context);
    HttpResponse r = next.processSync();
    BinaryData body = r.getBodyAsBinaryData();
    return checked(r, body == null ? new byte[0] : body.toBytes());
  }

  private boolean toVault(HttpPipelineCallContext context) {
    URI v = vault;
    java.net.URL u = context.getHttpRequest().getUrl();
    return u != null && v.getScheme().equalsIgnoreCase(u.getProtocol()) && v.getHost() != null
        && v.getHost().equalsIgnoreCase(u.getHost()) && port(v.getPort(), v.getScheme()) == port(u.getPort(), u.getProtocol());
  }

  private static int port(int port, String scheme) {
    return port != -1 ? port : "http".equalsIgnoreCase(scheme) ? 80 : 443;
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
    if (!isChecked(r)) {
      // An error answer holds no value, but azure-core logs a token of one it cannot parse at WARN
      // ("Unrecognized token '...'"): one that is not JSON is passed on without its body.
      if (body.length > 0 && !isOneJsonDocument(body, false)) {
        Arrays.fill(body, (byte) 0);
        return new Buffered(r, new byte[0]);
      }
      return new Buffered(r, body);
    }
    if (body.length > 0 && !isOneJsonDocument(body, true)) {
      int length = body.length;
      Arrays.fill(body, (byte) 0);
      r.close();
      throw new UnreadableAnswerException(length);
    }
    return new Buffered(r, body);
  }

  private static boolean isOneJsonDocument(byte[] body, boolean shape) {
    try (JsonReader reader = JsonProviders.createReader(body)) {
      JsonToken first = reader.nextToken();
      if (first == JsonToken.START_ARRAY || (!shape && first == JsonToken.START_OBJECT)) {
        reader.skipChildren();
      } else if (first != JsonToken.START_OBJECT || !isObject(reader, Level.ANSWER)) {
        return false;
      }
      JsonToken after = reader.nextToken();
      return after == null || after == JsonToken.END_DOCUMENT;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Where in an answer an object is: the answer (a bundle or a page), an item of a page, attributes. */
  private enum Level { ANSWER, ITEM, ATTRIBUTES }

  /** Earliest and latest dates the client turns into an {@code OffsetDateTime}: years 1 to 9999. */
  private static final long MIN_SECONDS = -62_135_596_800L;
  private static final long MAX_SECONDS = 253_402_300_799L;

  /** Reads an object (its start already read) through its end; whether its known fields have their types. */
  private static boolean isObject(JsonReader reader, Level level) throws IOException {
    JsonToken t;
    while ((t = reader.nextToken()) == JsonToken.FIELD_NAME) {
      String field = reader.getFieldName();
      JsonToken v = reader.nextToken();
      if (v != JsonToken.NULL && !isField(reader, level, field, v)) {
        return false;
      }
    }
    return t == JsonToken.END_OBJECT;
  }

  private static boolean isField(JsonReader reader, Level level, String field, JsonToken v) throws IOException {
    if (level == Level.ATTRIBUTES) {
      switch (field) {
        case "enabled":
          return v == JsonToken.BOOLEAN;
        case "nbf":
        case "exp":
        case "created":
        case "updated":
          return v == JsonToken.NUMBER && isWhole(reader.getText(), MIN_SECONDS, MAX_SECONDS);
        case "recoverableDays":
          return v == JsonToken.NUMBER && isWhole(reader.getText(), Integer.MIN_VALUE, Integer.MAX_VALUE);
        case "recoveryLevel":
          return v == JsonToken.STRING;
        default:
          return skip(reader, v);
      }
    }
    switch (field) {
      case "value":
        if (v == JsonToken.STRING) {
          return true;
        }
        return level == Level.ANSWER && v == JsonToken.START_ARRAY && isItems(reader);
      case "id":
      case "contentType":
      case "kid":
      case "nextLink":
        return v == JsonToken.STRING;
      case "managed":
        return v == JsonToken.BOOLEAN;
      case "tags":
        return v == JsonToken.START_OBJECT && isTags(reader);
      case "attributes":
        return v == JsonToken.START_OBJECT && isObject(reader, Level.ATTRIBUTES);
      default:
        return skip(reader, v);
    }
  }

  private static boolean isItems(JsonReader reader) throws IOException {
    JsonToken t;
    while ((t = reader.nextToken()) == JsonToken.START_OBJECT) {
      if (!isObject(reader, Level.ITEM)) {
        return false;
      }
    }
    return t == JsonToken.END_ARRAY;
  }

  private static boolean isTags(JsonReader reader) throws IOException {
    JsonToken t;
    while ((t = reader.nextToken()) == JsonToken.FIELD_NAME) {
      JsonToken v = reader.nextToken();
      if (v != JsonToken.STRING && v != JsonToken.NULL) {
        return false;
      }
    }
    return t == JsonToken.END_OBJECT;
  }

  private static boolean skip(JsonReader reader, JsonToken v) throws IOException {
    if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
      reader.skipChildren();
    }
    return true;
  }

  /** An integer without fraction or exponent, in the range. */
  private static boolean isWhole(String text, long min, long max) {
    int start = text.startsWith("-") ? 1 : 0;
    if (text.length() == start || text.length() - start > 18) {
      return false;
    }
    for (int i = start; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    long n = Long.parseLong(text);
    return n >= min && n <= max;
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
