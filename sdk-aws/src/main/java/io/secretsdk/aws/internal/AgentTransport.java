package io.secretsdk.aws.internal;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.internal.JsonReader;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * HTTP to the local AWS caching agent (the AWS Secrets Manager Agent, or the AWS Parameters and
 * Secrets Lambda Extension): one {@code GET} per read with the SSRF token header, no redirects, no
 * proxy. An answer other than 200 is mapped by its {@code __type} and status like the service's own
 * errors; its body is never repeated. The body of a 200 is handed to the caller, who parses it with
 * {@link JsonReader} and wipes it.
 */
public final class AgentTransport {
  /** The header both agents read the SSRF token from. */
  public static final String TOKEN_HEADER = "X-Aws-Parameters-Secrets-Token";

  private final HttpClient http;
  private final URI endpoint;
  private final @Nullable Path tokenFile;
  private final Duration timeout;
  private final List<String> tokenVariables;
  private final Function<String, @Nullable String> environment;

  /**
   * Creates the transport.
   *
   * @param endpoint the agent's base URI
   * @param tokenFile the token file, or {@code null} to read the environment
   * @param timeout the timeout of one request
   * @param tokenVariables the environment variables to read the token from, in order
   * @param environment looks up an environment variable ({@code System::getenv})
   */
  public AgentTransport(URI endpoint, @Nullable Path tokenFile, Duration timeout, List<String> tokenVariables,
      Function<String, @Nullable String> environment) {
    this.endpoint = endpoint;
    this.tokenFile = tokenFile;
    this.timeout = timeout;
    this.tokenVariables = List.copyOf(tokenVariables);
    this.environment = environment;
    this.http = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .proxy(HttpClient.Builder.NO_PROXY)
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout.compareTo(Duration.ofSeconds(2)) < 0 ? timeout : Duration.ofSeconds(2))
        .build();
  }

  /**
   * The agent's base URI, for messages.
   *
   * @return the endpoint
   */
  public URI endpoint() {
    return endpoint;
  }

  /**
   * Reads one answer.
   *
   * @param path the path, such as {@code /secretsmanager/get}
   * @param query the query parameters, in order, unencoded
   * @param ref the reference, for errors
   * @param backend the service behind the agent
   * @param what the item as messages name it
   * @return the body of a 200 answer; the caller wipes it
   * @throws SecretException mapped like the service's errors
   */
  public byte[] get(String path, Map<String, String> query, SecretRef ref, AwsBackend backend, String what) {
    StringBuilder uri = new StringBuilder(base()).append(path);
    char sep = '?';
    for (Map.Entry<String, String> e : query.entrySet()) {
      uri.append(sep).append(e.getKey()).append('=').append(encode(e.getValue()));
      sep = '&';
    }
    String through = what + " through the AWS agent at " + endpoint;
    HttpRequest request = HttpRequest.newBuilder(URI.create(uri.toString()))
        .timeout(timeout)
        .header(TOKEN_HEADER, token(ref, backend))
        .GET()
        .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new SecretUnavailableException("the AWS agent at " + endpoint + " did not answer in time for " + what
          + "; it will be tried again (check that the agent is healthy)", ref);
    } catch (ConnectException e) {
      throw new SecretUnavailableException("could not connect to the AWS agent at " + endpoint + " for " + what
          + "; it will be tried again (is the agent, or the Lambda extension layer, running and listening there?)",
          ref);
    } catch (IOException e) {
      throw new SecretUnavailableException("the connection to the AWS agent at " + endpoint + " failed for " + what
          + " (" + e.getClass().getSimpleName() + "); it will be tried again", ref);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SecretUnavailableException("interrupted while reading " + through, ref);
    }
    byte[] body = response.body() == null ? new byte[0] : response.body();
    if (response.statusCode() == 200) {
      return body;
    }
    try {
      String code = null;
      String message = null;
      try {
        JsonReader r = JsonReader.parse(body, "an error answer of the AWS agent", ref);
        if (r.kind(r.root()) == JsonReader.OBJECT) {
          int type = r.field(r.root(), "__type");
          code = type >= 0 && r.kind(type) == JsonReader.STRING ? r.text(type) : null;
          int m = r.field(r.root(), "message");
          if (m < 0) {
            m = r.field(r.root(), "Message");
          }
          message = m >= 0 && r.kind(m) == JsonReader.STRING ? r.text(m) : null;
        }
      } catch (SecretException notJson) {
        // A plain-text error: the status alone decides.
      }
      throw AwsErrors.fromAgent(code, message, response.statusCode(), ref, backend, through);
    } finally {
      Arrays.fill(body, (byte) 0);
    }
  }

  private String base() {
    String s = endpoint.toString();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static final long MAX_TOKEN_FILE_BYTES = 64 * 1024;

  /** A token that can be sent as a header value: visible ASCII only; the message never shows it. */
  private static String checkedToken(String token, String from, SecretRef ref) {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new SecretConfigurationException("the AWS agent's SSRF token from " + from + " holds a character that"
            + " cannot be sent in a header (a control character, a space or non-ASCII, at position " + i
            + "); check what was written there", ref);
      }
    }
    return token;
  }

  /** The SSRF token, read for each request (a token file may be rewritten). */
  private String token(SecretRef ref, AwsBackend backend) {
    String raw;
    if (tokenFile != null) {
      raw = "file://" + tokenFile;
    } else {
      raw = null;
      for (String name : tokenVariables) {
        String v = environment.apply(name);
        if (v != null && !v.isBlank()) {
          raw = v;
          break;
        }
      }
      if (raw == null) {
        throw new SecretConfigurationException("no SSRF token for the AWS agent at " + endpoint + ": none of "
            + String.join(", ", tokenVariables) + " is set; set one (Lambda sets AWS_SESSION_TOKEN; for the"
            + " Secrets Manager Agent, AWS_TOKEN=file:///var/run/awssmatoken) or give the " + backend.scheme()
            + " source a token file", ref);
      }
    }
    if (!raw.startsWith("file://")) {
      return checkedToken(raw.trim(), "the environment", ref);
    }
    Path file = Path.of(raw.substring("file://".length()));
    try {
      // Never block on a FIFO or read a device: a regular file of a token's size only.
      if (!Files.isRegularFile(file) || Files.size(file) > MAX_TOKEN_FILE_BYTES) {
        throw new SecretConfigurationException("the AWS agent's token file " + file + " is not a regular file of at most "
            + MAX_TOKEN_FILE_BYTES + " bytes; point the source at the file the agent's token is written to", ref);
      }
      String t = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (t.isEmpty()) {
        throw new SecretConfigurationException("the AWS agent's token file " + file + " is empty", ref);
      }
      return checkedToken(t, "the token file " + file, ref);
    } catch (IOException e) {
      throw new SecretConfigurationException("could not read the AWS agent's token file " + file + " ("
          + e.getClass().getSimpleName() + "); check that it exists and that this process may read it", ref);
    }
  }

  /**
   * A timestamp as the agents write it: epoch seconds as a number or a string of one, or ISO-8601.
   *
   * @param r the reader
   * @param at the value's offset, or {@code -1}
   * @return the instant, or {@code null} if absent or unreadable
   */
  public static @Nullable Instant instant(JsonReader r, int at) {
    if (at < 0) {
      return null;
    }
    String text;
    if (r.kind(at) == JsonReader.NUMBER) {
      text = new String(r.rawChars(at));
    } else if (r.kind(at) == JsonReader.STRING) {
      text = r.text(at);
    } else {
      return null;
    }
    try {
      if (text.contains("T")) {
        return Instant.parse(text);
      }
      java.math.BigDecimal seconds = new java.math.BigDecimal(text);
      return Instant.ofEpochMilli(seconds.movePointRight(3).longValue());
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * A string field's text (never for a value).
   *
   * @param r the reader
   * @param object the object
   * @param name the field
   * @return the text, or {@code null} if absent or not a string
   */
  public static @Nullable String text(JsonReader r, int object, String name) {
    int at = r.field(object, name);
    return at >= 0 && r.kind(at) == JsonReader.STRING ? r.text(at) : null;
  }
}
