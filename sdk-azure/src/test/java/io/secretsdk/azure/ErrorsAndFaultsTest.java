package io.secretsdk.azure;

import static io.secretsdk.azure.KeyVaultFake.error;
import static io.secretsdk.azure.KeyVaultFake.getSecret;
import static io.secretsdk.azure.KeyVaultFake.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.CredentialUnavailableException;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.testing.LeakGuard;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

/**
 * Error answers and transport faults, through the real client: each becomes the typed exception
 * the issue names, after exactly one request when the builder made the client, and no message or
 * cause (rendered in full, stack trace and all) repeats the service's message or the body.
 */
class ErrorsAndFaultsTest {
  private static final String V1 = "0123456789abcdef0123456789abcd01";
  private static final String SERVER_MESSAGE = "server-says-SENTINEL-8841";
  private static final SecretRef REF = SecretRef.parse("azure-kv://app-secret");

  @RegisterExtension static final KeyVaultFake fake = new KeyVaultFake();

  private static <T extends SecretException> T fetchFails(AzureKeyVaultSource source, Class<T> type) {
    T e = catchThrowableOfType(type, () -> source.fetch(REF));
    assertThat(e).as("a %s", type.getSimpleName()).isNotNull();
    assertThat(e.ref()).contains(REF);
    assertThat(e.getMessage()).contains("secret 'app-secret'").contains("Azure Key Vault " + fake.vaultUrl());
    String rendered = render(e);
    assertThat(rendered).doesNotContain(SERVER_MESSAGE).doesNotContain("\"error\"");
    return e;
  }

  private static String render(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  @Test
  void throttlingIsTypedWithTheRetryAfterTheVaultGaveAfterOneRequest() {
    fake.server.stubFor(getSecret("app-secret", "").willReturn(error(429, "Throttled", null, SERVER_MESSAGE)
        .withHeader("Retry-After", "7")));
    try (AzureKeyVaultSource source = fake.source()) {
      SecretThrottledException e = fetchFails(source, SecretThrottledException.class);
      assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
      assertThat(e.getMessage()).contains("HTTP 429").contains("Throttled").contains("req-err-1");
    }
    assertThat(fake.countAuthorized("/secrets/app-secret/")).as("the builder's client does not retry").isEqualTo(1);
  }

  @Test
  void aRetryAfterInMillisecondsIsPreferredAndAnUnreadableOneGivesNoHint() {
    fake.server.stubFor(getSecret("app-secret", "").willReturn(error(429, "Throttled", null, SERVER_MESSAGE)
        .withHeader("retry-after-ms", "1500").withHeader("Retry-After", "2")));
    try (AzureKeyVaultSource source = fake.source()) {
      assertThat(fetchFails(source, SecretThrottledException.class).retryAfter()).contains(Duration.ofMillis(1500));
      fake.server.stubFor(getSecret("app-secret", "").willReturn(error(429, "Throttled", null, SERVER_MESSAGE)
          .withHeader("Retry-After", "soon, maybe")));
      assertThat(fetchFails(source, SecretThrottledException.class).retryAfter()).isEmpty();
    }
  }

  @Test
  void aServerErrorIsUnavailableAfterOneRequestWhileAUsersClientKeepsItsOwnRetries() {
    fake.server.stubFor(getSecret("app-secret", "").willReturn(error(503, "ServiceUnavailable", null, SERVER_MESSAGE)));
    try (AzureKeyVaultSource source = fake.source()) {
      SecretUnavailableException e = fetchFails(source, SecretUnavailableException.class);
      assertThat(e).isNotInstanceOf(SecretThrottledException.class);
      assertThat(e.getMessage()).contains("HTTP 503");
    }
    assertThat(fake.countAuthorized("/secrets/app-secret/")).isEqualTo(1);

    RetryOptions twoFastRetries = new RetryOptions(new ExponentialBackoffOptions()
        .setMaxRetries(2).setBaseDelay(Duration.ofMillis(5)).setMaxDelay(Duration.ofMillis(10)));
    try (AzureKeyVaultSource source = AzureKeyVaultSource.builder().client(fake.userClient(twoFastRetries)).build()) {
      fetchFails(source, SecretUnavailableException.class);
    }
    assertThat(fake.countAuthorized("/secrets/app-secret/")).as("used as is: 1 + 2 retries").isEqualTo(4);
  }

  @Test
  void aRejectedTokenIsAccessDenied() {
    // The challenge passes, then the vault refuses the token itself (wrong tenant, expired).
    fake.server.stubFor(getSecret("app-secret", "").willReturn(error(401, "Unauthorized", "TokenExpired", SERVER_MESSAGE)));
    try (AzureKeyVaultSource source = fake.source()) {
      SecretAccessDeniedException e = fetchFails(source, SecretAccessDeniedException.class);
      assertThat(e.getMessage()).contains("did not accept the caller's token");
    }
  }

  @Test
  void aCredentialThatCannotBeHadIsAConfigurationErrorAndOneThatEntraRefusesIsAccessDenied() {
    TokenCredential unavailable = new TokenCredential() {
      @Override
      public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.error(new CredentialUnavailableException("no identity here " + SERVER_MESSAGE));
      }
    };
    try (AzureKeyVaultSource source = AzureKeyVaultSource.builder().vaultUrl(fake.vaultUrl())
        .credential(unavailable).httpClient(fake.redirect()).build()) {
      SecretConfigurationException e = fetchFails(source, SecretConfigurationException.class);
      assertThat(e.getMessage()).contains("no Azure credential").contains("az login");
    }
    TokenCredential refused = new TokenCredential() {
      @Override
      public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.error(new com.azure.core.exception.ClientAuthenticationException(
            "AADSTS7000215 " + SERVER_MESSAGE, null));
      }
    };
    try (AzureKeyVaultSource source = AzureKeyVaultSource.builder().vaultUrl(fake.vaultUrl())
        .credential(refused).httpClient(fake.redirect()).build()) {
      SecretAccessDeniedException e = fetchFails(source, SecretAccessDeniedException.class);
      assertThat(e.getMessage()).contains("Microsoft Entra ID refused a token");
    }
  }

  @Test
  void aResetConnectionIsUnavailable() {
    fake.server.stubFor(getSecret("app-secret", "").willReturn(WireMock.aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    try (AzureKeyVaultSource source = fake.source()) {
      SecretUnavailableException e = fetchFails(source, SecretUnavailableException.class);
      assertThat(e.getMessage()).containsAnyOf("could not reach", "could not be read");
    }
  }

  @Test
  void aTruncatedAnswerIsUnavailableAndItsValueIsInNoMessageOrLogLine() {
    String value = "azure-truncated-value-Zq81";
    LeakGuard.watch(value);
    String whole = fake.bundle("app-secret", V1, value);
    String truncated = whole.substring(0, whole.indexOf(value) + value.length() + 10);
    fake.server.stubFor(getSecret("app-secret", "").willReturn(json(truncated)));
    try (AzureKeyVaultSource source = fake.source()) {
      SecretUnavailableException e = fetchFails(source, SecretUnavailableException.class);
      assertThat(render(e)).doesNotContain(value);
      assertThat(e.getMessage()).contains("could not be read");
    }
  }

  @Test
  void aCompleteAnswerWithAnAttributeOfTheWrongTypeIsUnavailableAndItsValueIsInNoLogLine() {
    // Found by AzureFuzzTest: azure-core's deserializer logged such a body, value and all, at ERROR.
    String value = "azure-typed-value-Kw27";
    LeakGuard.watch(value);
    String[] attributes = {"\"exp\":\"soon\"", "\"updated\":1e300", "\"enabled\":\"yes\"", "\"created\":[]",
        "\"nbf\":99999999999999999999"};
    try (AzureKeyVaultSource source = fake.source()) {
      for (String a : attributes) {
        fake.server.stubFor(getSecret("app-secret", "").willReturn(json(fake.bundle("app-secret", V1, value, a, ""))));
        SecretUnavailableException e = fetchFails(source, SecretUnavailableException.class);
        assertThat(render(e)).as(a).doesNotContain(value);
      }
      fake.server.stubFor(getSecret("app-secret", "").willReturn(json(fake.bundle("app-secret", V1, value, "",
          "\"tags\":{\"k\":{\"nested\":1}}"))));
      fetchFails(source, SecretUnavailableException.class);
    }
  }

  @Test
  void anErrorBodyThatIsNotJsonIsMappedWithoutItsTextInALogLine() {
    // azure-core logged a token of such a body ("Unrecognized token '...'") at WARN.
    String said = "ServerSaidQx41Down"; // one token: Jackson quotes a token up to a '-' or a space
    LeakGuard.watch(said);
    fake.server.stubFor(getSecret("app-secret", "").willReturn(WireMock.aResponse().withStatus(503)
        .withHeader("Content-Type", "application/json").withBody(said + " {")));
    try (AzureKeyVaultSource source = fake.source()) {
      assertThat(fetchFails(source, SecretUnavailableException.class).getMessage()).contains("HTTP 503");
    }
  }

  @Test
  void garbageInsteadOfJsonIsUnavailable() {
    fake.server.stubFor(getSecret("app-secret", "").willReturn(WireMock.aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));
    try (AzureKeyVaultSource source = fake.source()) {
      fetchFails(source, SecretUnavailableException.class);
    }
  }

  @Test
  void anAnswerSlowerThanTheTimeoutIsUnavailableSayingSo() {
    String value = "azure-slow-value-1234";
    LeakGuard.watch(value);
    fake.server.stubFor(getSecret("app-secret", "").willReturn(json(fake.bundle("app-secret", V1, value)).withFixedDelay(3000)));
    try (AzureKeyVaultSource source = AzureKeyVaultSource.builder().vaultUrl(fake.vaultUrl())
        .credential(fake.credential).httpClient(fake.redirect(Duration.ofMillis(300))).build()) {
      long start = System.nanoTime();
      SecretUnavailableException e = fetchFails(source, SecretUnavailableException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
      assertThat(e.getMessage()).contains("did not answer in time");
    }
  }
}
