package io.secretsdk.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void missingOrUnknownPropertiesAreClearErrors() {
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("vault.auth.method", "token")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vault.address");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("vault.address", "http://127.0.0.1:1", "vault.auth.method", "ldap")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ldap");
    assertThatThrownBy(() -> SecretSources.fromProperties(Map.of("vault.address", "http://127.0.0.1:1",
        "vault.auth.method", "token", "vault.auth.token-file", dir.resolve("absent").toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token-file");
  }
}
