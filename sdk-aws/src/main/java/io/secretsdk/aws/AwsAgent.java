package io.secretsdk.aws;

import io.secretsdk.SecretConfigurationException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where the local AWS caching agent listens, and how to prove to it that a request is not forged:
 * the <a href="https://github.com/aws/aws-secretsmanager-agent">AWS Secrets Manager Agent</a> (EC2,
 * ECS, EKS, Lambda) or the AWS Parameters and Secrets Lambda Extension. Both serve HTTP on
 * {@code localhost:2773} by default and refuse a request without the SSRF token header {@code
 * X-Aws-Parameters-Secrets-Token}.
 *
 * <p><b>The token.</b> Unless {@link #tokenFile} is set, it is read as the agent reads it: the first
 * of the environment variables {@code AWS_TOKEN}, {@code AWS_SESSION_TOKEN} (set by Lambda, which is
 * what the extension expects) and {@code AWS_CONTAINER_AUTHORIZATION_TOKEN} that is set; a value of
 * the form {@code file:///var/run/awssmatoken} names a file holding the token (the agent's install
 * script writes one there). It is read again for every request, so a rotated token file is
 * followed. The token never appears in a log line, a message or {@link #toString()}.
 *
 * <p><b>Loopback only.</b> The agent answers with secret values to anyone who has the token, over
 * plain HTTP: an endpoint whose host is not {@code localhost} or a loopback address is refused unless
 * {@link #allowNonLoopback()} says otherwise (a sidecar reached through a pod's network namespace
 * is still loopback).
 *
 * <p>Immutable; each setter returns a copy.
 */
public final class AwsAgent {
  /** The port both the agent and the Lambda extension listen on unless configured otherwise. */
  public static final int DEFAULT_PORT = 2773;

  /** The environment variables the token is read from, in order, as the agent reads them. */
  public static final List<String> TOKEN_VARIABLES = List.of("AWS_TOKEN", "AWS_SESSION_TOKEN",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN");

  private static final Pattern IPV4 = Pattern.compile("[0-9.]+");

  private final URI endpoint;
  private final @Nullable Path tokenFile;
  private final boolean nonLoopback;
  private final Duration timeout;

  private AwsAgent(URI endpoint, @Nullable Path tokenFile, boolean nonLoopback, Duration timeout) {
    this.endpoint = endpoint;
    this.tokenFile = tokenFile;
    this.nonLoopback = nonLoopback;
    this.timeout = timeout;
  }

  /**
   * The agent at its defaults: {@code http://localhost:2773}, the token from the environment.
   *
   * @return the agent's settings
   */
  public static AwsAgent local() {
    return new AwsAgent(URI.create("http://localhost:" + DEFAULT_PORT), null, false, Duration.ofSeconds(5));
  }

  /**
   * The agent at another endpoint, such as {@code http://127.0.0.1:2775} when its {@code
   * http_port} (the extension's {@code PARAMETERS_SECRETS_EXTENSION_HTTP_PORT}) was changed.
   *
   * @param endpoint an absolute {@code http} or {@code https} URI with a host and no query
   * @return the agent's settings
   */
  public static AwsAgent at(URI endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    return new AwsAgent(endpoint, null, false, Duration.ofSeconds(5));
  }

  /**
   * Reads the token from this file (trimmed) instead of the environment.
   *
   * @param file the token file, e.g. {@code /var/run/awssmatoken}
   * @return a copy with the file set
   */
  public AwsAgent tokenFile(Path file) {
    return new AwsAgent(endpoint, Objects.requireNonNull(file, "file"), nonLoopback, timeout);
  }

  /**
   * Accepts an endpoint that is not a loopback address. Only for an agent on another host of a
   * network you trust: the token and the values then cross it (use {@code https}).
   *
   * @return a copy that accepts any host
   */
  public AwsAgent allowNonLoopback() {
    return new AwsAgent(endpoint, tokenFile, true, timeout);
  }

  /**
   * How long one request to the agent may take; 5 seconds unless set (the agent itself may have
   * to call AWS on a cache miss). Connecting is capped at 2 seconds of it.
   *
   * @param timeout a positive duration
   * @return a copy with the timeout set
   */
  public AwsAgent timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    return new AwsAgent(endpoint, tokenFile, nonLoopback, timeout);
  }

  /**
   * The endpoint requests go to.
   *
   * @return the endpoint
   */
  public URI endpoint() {
    return endpoint;
  }

  /**
   * The token file, if one was set instead of the environment.
   *
   * @return the file, or empty
   */
  public Optional<Path> tokenFile() {
    return Optional.ofNullable(tokenFile);
  }

  /**
   * The timeout of one request.
   *
   * @return the timeout
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Checks the endpoint: scheme, host, and loopback unless {@link #allowNonLoopback()}.
   *
   * @param scheme the secretsdk scheme, for messages
   * @throws SecretConfigurationException if the endpoint cannot be used
   */
  void check(String scheme) {
    String s = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!endpoint.isAbsolute() || endpoint.getHost() == null || !(s.equals("http") || s.equals("https"))
        || endpoint.getRawQuery() != null || endpoint.getRawUserInfo() != null) {
      throw new SecretConfigurationException("the " + scheme + " agent endpoint '" + shown(endpoint)
          + "' is not an absolute http(s) URI with a host, no user-info and no query, such as http://localhost:2773");
    }
    if (!nonLoopback && !isLoopback(endpoint.getHost())) {
      throw new SecretConfigurationException("the " + scheme + " agent endpoint '" + shown(endpoint)
          + "' is not a loopback address: the agent serves secret values over plain HTTP to whoever has its token,"
          + " so only localhost, 127.0.0.0/8 and ::1 are accepted; use allowNonLoopback() (property "
          + scheme + ".agent-allow-non-loopback=true) for an agent on a host you trust");
    }
  }

  /** The endpoint as messages show it: user-info (which the agents never use) as {@code ***}. */
  static String shown(URI uri) {
    if (uri.getRawUserInfo() == null) {
      return uri.toString();
    }
    return uri.getScheme() + "://***@" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  /** Without a DNS lookup: localhost by name, or a loopback address literal. */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost")) {
      return true;
    }
    boolean literal = IPV4.matcher(h).matches() || (h.startsWith("[") && h.endsWith("]"));
    if (!literal) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The endpoint and where the token comes from; never the token. */
  @Override
  public String toString() {
    return "AwsAgent[" + shown(endpoint) + ", token from " + (tokenFile != null ? "file " + tokenFile
        : String.join(" / ", TOKEN_VARIABLES)) + (nonLoopback ? ", non-loopback allowed" : "") + "]";
  }
}
