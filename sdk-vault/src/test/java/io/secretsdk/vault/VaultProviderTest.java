package io.secretsdk.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretSources;
import io.secretsdk.testing.LeakGuard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultProviderTest extends VaultFake {
  @TempDir Path dir;

  @Test
  void propertiesMakeAnAppRoleSourceReadingTheSecretIdFromAFile() throws Exception {
    LeakGuard.watch("file-secret-id-5566");
    LeakGuard.watch("hvs.provider-token-1");
    Path secretId = dir.resolve("secret-id");
    Files.writeString(secretId, "file-secret-id-5566\n");
    wm.stubFor(post(urlEqualTo("/v1/auth/ci-approle/login"))
        .withRequestBody(equalToJson("{\"role_id\":\"rid\",\"secret_id\":\"file-secret-id-5566\"}"))
        .willReturn(json(200, authBody("hvs.provider-token-1", 0, false))));
    wm.stubFor(get(urlEqualTo("/v1/kv/team/data/app")).withHeader("X-Vault-Token", equalTo("hvs.provider-token-1"))
        .withHeader("X-Vault-Namespace", equalTo("ns1"))
        .willReturn(json(200, kv2Body("{\"k\":\"from-properties\"}", 2, "2026-01-01T00:00:00Z"))));

    try (SecretSource s = SecretSources.fromProperties(Map.of(
        "vault.address", address().toString(),
        "vault.namespace", "ns1",
        "vault.auth.method", "approle",
        "vault.auth.mount", "ci-approle",
        "vault.auth.role-id", "rid",
        "vault.auth.secret-id-file", secretId.toString(),
        "vault.kv-v2-mounts", "secret, kv/team",
        "vault.request-timeout", "5"))) {
      assertThat(s.fetch(SecretRef.parse("vault://kv/team/app")).versionId()).isEqualTo("2");
    }
  }

  @Test
  void missingOrUnknownPropertiesAreTypedErrorsAtCreation() {
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("vault.auth.method", "token")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("vault.address");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("vault.address", "http://127.0.0.1:1", "vault.auth.method", "ldap")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("ldap");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("vault.address", "http://127.0.0.1:1",
        "vault.auth.method", "token", "vault.auth.token-file", dir.resolve("absent").toString())))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("token-file");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("vault.adress", "http://127.0.0.1:1", "vault.auth.method", "none")))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("unknown property vault.adress").hasMessageContaining("did you mean vault.address?")
        .hasMessageContaining("vault.auth.method");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("vault.address", "http://127.0.0.1:1", "vault.auth.methd", "none")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("did you mean vault.auth.method?");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("vault.address", "http://127.0.0.1:1",
        "vault.auth.method", "none", "vault.request-timeout", "soon")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("vault.request-timeout");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("vault.address", "http://vault.example.com:8200",
        "vault.auth.method", "none")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("vault.allow-plain-http=true");
    SecretSources.fromProperties(Map.of("vault.address", "http://vault.example.com:8200", "vault.auth.method", "none",
        "vault.allow-plain-http", "true")).close();
  }

  /** The rule for trailing newlines: the SDK's own login credentials are trimmed, secret values never. */
  @Test
  void aTokenFileIsTrimmedWhileTheValuesItReadsAreKeptExactly() throws Exception {
    LeakGuard.watch("hvs.file-token-7788");
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, "hvs.file-token-7788\n");
    stubLookupSelf("hvs.file-token-7788", 0, false);
    wm.stubFor(get(urlEqualTo("/v1/secret/data/nl")).withHeader("X-Vault-Token", equalTo("hvs.file-token-7788"))
        .willReturn(json(200, kv2Body("{\"k\":\"line\\n\"}", 1, "2026-01-01T00:00:00Z"))));
    try (SecretSource s = SecretSources.fromProperties(Map.of("vault.address", address().toString(),
        "vault.auth.method", "token", "vault.auth.token-file", tokenFile.toString()))) {
      assertThat(s.fetch(SecretRef.parse("vault://secret/nl")).field("k").revealString()).isEqualTo("line\n");
    }
  }

  @Test
  void methodNoneNeedsNoCredentialFile() {
    wm.stubFor(get(urlEqualTo("/v1/secret/data/a")).withHeader("X-Vault-Token", absent())
        .willReturn(json(200, kv2Body("{\"k\":\"v\"}", 1, "2026-01-01T00:00:00Z"))));
    try (SecretSource s = SecretSources.fromProperties(Map.of("vault.address", address().toString(), "vault.auth.method", "none"))) {
      assertThat(s.fetch(SecretRef.parse("vault://secret/a")).versionId()).isEqualTo("1");
    }
  }
}
