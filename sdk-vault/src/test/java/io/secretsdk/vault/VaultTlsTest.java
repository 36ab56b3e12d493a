package io.secretsdk.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.testing.LeakGuard;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vault over TLS with a private CA: WireMock serves HTTPS with a certificate made by keytool. */
class VaultTlsTest {
  static final String TOKEN = "hvs.tls-test-token-9z8y";
  @TempDir static Path dir;
  static WireMockServer wm;
  static Path pem;
  static Path keystore;

  @BeforeAll
  static void startHttpsVault() throws Exception {
    keystore = dir.resolve("vault.p12");
    pem = dir.resolve("vault-ca.pem");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(keytool, "-genkeypair", "-alias", "vault", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-keystore", keystore.toString(),
        "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
    run(keytool, "-exportcert", "-rfc", "-alias", "vault", "-keystore", keystore.toString(),
        "-storetype", "PKCS12", "-storepass", "changeit", "-file", pem.toString());
    wm = new WireMockServer(options().bindAddress("127.0.0.1").httpDisabled(true).dynamicHttpsPort()
        .keystorePath(keystore.toString()).keystorePassword("changeit").keyManagerPassword("changeit")
        .keystoreType("PKCS12"));
    wm.start();
    wm.stubFor(get(urlEqualTo("/v1/auth/token/lookup-self")).withHeader("X-Vault-Token", equalTo(TOKEN))
        .willReturn(aResponse().withStatus(200).withBody("{\"data\":{\"ttl\":0,\"renewable\":false}}")));
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app")).willReturn(aResponse().withStatus(200)
        .withBody("{\"data\":{\"data\":{\"k\":\"over-tls-value\"},\"metadata\":{\"version\":4}}}")));
  }

  @AfterAll
  static void stop() {
    if (wm != null) {
      wm.stop();
    }
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  private static URI address() {
    return URI.create("https://127.0.0.1:" + wm.httpsPort());
  }

  private static VaultAuth auth() {
    return VaultAuth.token(SecretValue.copyOf(TOKEN.toCharArray()));
  }

  @Test
  void aPemCaBundleLetsTheClientTrustVault() {
    LeakGuard.watch(TOKEN);
    LeakGuard.watch("over-tls-value");
    try (VaultSecretSource source = VaultSecretSource.builder().address(address()).auth(auth()).caCertificates(pem).build()) {
      assertThat(source.fetch(SecretRef.of("secret/app")).field("k").contentEquals("over-tls-value".toCharArray())).isTrue();
    }
  }

  @Test
  void aTrustStoreLetsTheClientTrustVault() throws Exception {
    LeakGuard.watch(TOKEN);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      trust.load(in, "changeit".toCharArray());
    }
    try (VaultSecretSource source = VaultSecretSource.builder().address(address()).auth(auth()).trustStore(trust).build()) {
      assertThat(source.fetch(SecretRef.of("secret/app")).versionId()).isEqualTo("4");
    }
  }

  @Test
  void withoutTheCaTheHandshakeFailsWithAHint() {
    LeakGuard.watch(TOKEN);
    try (VaultSecretSource source = VaultSecretSource.builder().address(address()).auth(auth()).build()) {
      assertThatThrownBy(() -> source.fetch(SecretRef.of("secret/app")))
          .isExactlyInstanceOf(SecretUnavailableException.class)
          .hasMessageContaining("TLS handshake")
          .hasMessageContaining("CA bundle");
    }
  }

  @Test
  void aCaFileThatIsNotPemIsRefusedAtBuild() throws Exception {
    LeakGuard.watch(TOKEN);
    Path bogus = dir.resolve("bogus.pem");
    Files.writeString(bogus, "not a certificate");
    assertThatThrownBy(() -> VaultSecretSource.builder().caCertificates(bogus))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bogus.pem");
    assertThatThrownBy(() -> VaultSecretSource.builder().caCertificates(pem).httpClient(java.net.http.HttpClient.newHttpClient())
        .address(address()).auth(auth()).build())
        .isInstanceOf(IllegalStateException.class);
  }
}
