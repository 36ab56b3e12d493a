package io.secretsdk.gcp;

import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretSources;
import io.secretsdk.cache.SecretCache;
import java.time.Duration;
import java.util.Map;

/**
 * The code blocks of {@code sdk-gcp/README.md} and {@code docs/backends/gcp.md}, verbatim, so that
 * the build fails when one of them stops compiling. Never run (they need Application Default
 * Credentials and Google's endpoints); not a test.
 */
@SuppressWarnings("unused")
final class DocSnippets {
  private DocSnippets() {}

  static void readme(SecretManagerServiceClient client) throws Exception {
    SecretSource sm = GcpSecretManagerSource.builder().client(client).project("acme-prod").build();

    SecretSource made = GcpSecretManagerSource.builder()
        .project("acme-prod")
        .location("europe-west1")
        .transport(GcpSecretManagerSource.Transport.HTTP_JSON)
        .build();

    SecretSource routed = SecretSources.fromProperties(Map.of(
        "gcp-sm.project", "acme-prod",
        "gcp-sm.transport", "http-json"));
  }

  static SecretManagerServiceClient noRetries() throws Exception {
    SecretManagerServiceSettings.Builder b = SecretManagerServiceSettings.newBuilder();
    b.accessSecretVersionSettings().setSimpleTimeoutNoRetriesDuration(Duration.ofSeconds(5));
    b.getSecretSettings().setSimpleTimeoutNoRetriesDuration(Duration.ofSeconds(5));
    b.getSecretVersionSettings().setSimpleTimeoutNoRetriesDuration(Duration.ofSeconds(5));
    SecretManagerServiceClient client = SecretManagerServiceClient.create(b.build());
    return client;
  }

  static void docsSetUp() throws Exception {
    SecretSource source = GcpSecretManagerSource.builder()
        .project("acme-prod")
        .build();
    SecretCache cache = SecretCache.builder(source).build();
    char[] password = cache.value("gcp-sm://db-password").toCharArray();
  }

  static void docsProperties() throws Exception {
    SecretSource source = SecretSources.fromProperties(Map.of(
        "gcp-sm.project", "acme-prod",
        "gcp-sm.location", "europe-west1",
        "gcp-sm.transport", "http-json"));
  }

  static void docsOwnClient() throws Exception {
    SecretManagerServiceClient client = SecretManagerServiceClient.create();
    SecretSource source = GcpSecretManagerSource.builder().client(client).project("acme-prod").build();
  }

  static SecretManagerServiceClient docsNoRetries() throws Exception {
    SecretManagerServiceSettings.Builder settings = SecretManagerServiceSettings.newBuilder();
    settings.accessSecretVersionSettings().setSimpleTimeoutNoRetriesDuration(Duration.ofSeconds(5));
    settings.getSecretSettings().setSimpleTimeoutNoRetriesDuration(Duration.ofSeconds(5));
    settings.getSecretVersionSettings().setSimpleTimeoutNoRetriesDuration(Duration.ofSeconds(5));
    SecretManagerServiceClient client = SecretManagerServiceClient.create(settings.build());
    return client;
  }
}
