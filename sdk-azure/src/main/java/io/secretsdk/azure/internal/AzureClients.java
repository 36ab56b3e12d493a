package io.secretsdk.azure.internal;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The clients a source makes when the user gives none: the JDK's HTTP client with timeouts,
 * azure-core's retries off (secretsdk's resilience policy retries), Key Vault's challenge
 * authentication on, and {@code DefaultAzureCredential} unless a credential is given.
 */
public final class AzureClients {
  /** The default time one request may take. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private AzureClients() {}

  /**
   * The JDK HTTP client with timeouts: connecting (at most two seconds of {@code timeout}), waiting
   * for the answer's headers, and between reads of its body, each bounded by {@code timeout}.
   *
   * @param timeout a positive duration
   * @return a new HTTP client
   */
  public static HttpClient jdkHttpClient(Duration timeout) {
    Duration connect = timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? timeout : MAX_CONNECT_TIMEOUT;
    return new JdkHttpClientBuilder()
        .connectionTimeout(connect)
        .responseTimeout(timeout)
        .readTimeout(timeout)
        .writeTimeout(timeout)
        .build();
  }

  /**
   * {@code DefaultAzureCredential}: environment, workload identity, managed identity, then the
   * developer tools (IntelliJ, Azure CLI, PowerShell, Azure Developer CLI).
   *
   * @param tenantId the tenant, or {@code null} for the environment's
   * @param managedIdentityClientId the client id of a user-assigned managed identity, or {@code
   *     null} for the system-assigned one (or {@code AZURE_CLIENT_ID})
   * @param httpClient the HTTP client for token requests, or {@code null} for the default one
   * @return the credential
   */
  public static TokenCredential defaultCredential(
      @Nullable String tenantId, @Nullable String managedIdentityClientId, @Nullable HttpClient httpClient) {
    DefaultAzureCredentialBuilder b = new DefaultAzureCredentialBuilder();
    if (tenantId != null) {
      b.tenantId(tenantId);
    }
    if (managedIdentityClientId != null) {
      b.managedIdentityClientId(managedIdentityClientId);
    }
    if (httpClient != null) {
      b.httpClient(httpClient);
    }
    return b.build();
  }

  /**
   * A secret client with no azure-core retries.
   *
   * @param vaultUrl the checked vault URL
   * @param credential the credential
   * @param httpClient the HTTP client
   * @return the client
   */
  public static SecretClient secretClient(String vaultUrl, TokenCredential credential, HttpClient httpClient) {
    return new SecretClientBuilder()
        .vaultUrl(vaultUrl)
        .credential(credential)
        .httpClient(httpClient)
        .retryOptions(noRetries())
        .addPolicy(new CheckedJsonPolicy(vaultUrl))
        .buildClient();
  }

  /**
   * azure-core's retry options for "never retry": one attempt per call.
   *
   * @return the options
   */
  public static RetryOptions noRetries() {
    return new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1)));
  }
}
