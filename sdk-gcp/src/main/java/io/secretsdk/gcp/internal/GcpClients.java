package io.secretsdk.gcp.internal;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.gcp.GcpSecretManagerSource.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Makes the clients a source uses when the user gives none: gRPC or HTTP/JSON, the global or a
 * regional endpoint, Application Default Credentials unless told otherwise, one attempt per call
 * with a deadline (secretsdk's resilience policy retries; see the package documentation).
 */
public final class GcpClients {
  /** The default deadline of one call. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private GcpClients() {}

  /**
   * The regional endpoint of a location.
   *
   * @param location e.g. {@code europe-west1}
   * @return e.g. {@code secretmanager.europe-west1.rep.googleapis.com:443}
   */
  public static String regionalEndpoint(String location) {
    return "secretmanager." + location + ".rep.googleapis.com:443";
  }

  /**
   * Makes a client.
   *
   * @param transport gRPC or HTTP/JSON
   * @param endpoint an explicit endpoint ({@code host:port}, or for HTTP/JSON also {@code
   *     http(s)://host:port}), or {@code null}
   * @param location the location whose regional endpoint to use when no endpoint is given, or
   *     {@code null} for the global endpoint
   * @param credentials the credentials, or {@code null} for Application Default Credentials
   * @param channel a transport channel to use instead of one made from the endpoint, or {@code null}
   * @param timeout the deadline of each call
   * @return a new client, owned by the caller
   * @throws SecretConfigurationException if the client cannot be made (most often: no Application
   *     Default Credentials)
   */
  public static SecretManagerServiceClient create(Transport transport, @Nullable String endpoint,
      @Nullable String location, @Nullable CredentialsProvider credentials, @Nullable TransportChannelProvider channel,
      Duration timeout) {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(timeout, "timeout");
    SecretManagerServiceSettings.Builder b = transport == Transport.HTTP_JSON
        ? SecretManagerServiceSettings.newHttpJsonBuilder()
        : SecretManagerServiceSettings.newBuilder();
    String target = endpoint != null ? endpoint : location != null ? regionalEndpoint(location) : null;
    if (target != null) {
      b.setEndpoint(target);
    }
    if (credentials != null) {
      b.setCredentialsProvider(credentials);
    }
    if (channel != null) {
      b.setTransportChannelProvider(channel);
    }
    // One attempt per call: the cache's ResiliencePolicy decides about retries.
    b.accessSecretVersionSettings().setSimpleTimeoutNoRetriesDuration(timeout);
    b.getSecretSettings().setSimpleTimeoutNoRetriesDuration(timeout);
    b.getSecretVersionSettings().setSimpleTimeoutNoRetriesDuration(timeout);
    b.listSecretVersionsSettings().setSimpleTimeoutNoRetriesDuration(timeout);
    try {
      return SecretManagerServiceClient.create(b.build());
    } catch (IOException | RuntimeException e) {
      throw new SecretConfigurationException(
          "could not make a " + GcpErrors.SERVICE + " client (" + GcpCauses.describe(e) + "): most often no "
              + "Application Default Credentials were found; run gcloud auth application-default login, set "
              + "GOOGLE_APPLICATION_CREDENTIALS, run on Google Cloud with a service account, or pass your own "
              + "client with client(...)",
          null, GcpCauses.of(e));
    }
  }
}
