package io.secretsdk.azure;

import static io.secretsdk.azure.KeyVaultFake.error;
import static io.secretsdk.azure.KeyVaultFake.getSecret;
import static io.secretsdk.azure.KeyVaultFake.json;
import static io.secretsdk.azure.KeyVaultFake.listVersions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.BatchResult;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretExpiredException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.VersionStage;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The source over the real {@code SecretClient}, its challenge authentication included, against a
 * fake Key Vault: references, versions, metadata, validity dates, paging of versions, batches.
 */
class AzureKeyVaultSourceTest {
  private static final String V1 = "0123456789abcdef0123456789abcd01";
  private static final String V2 = "0123456789abcdef0123456789abcd02";
  private static final String V3 = "0123456789abcdef0123456789abcd03";
  private static final String V4 = "0123456789abcdef0123456789abcd04";

  @RegisterExtension static final KeyVaultFake fake = new KeyVaultFake();

  @Test
  void readsTheCurrentVersionAfterTheChallengeWithNameVersionAndMetadataFromTheAnswer() {
    String value = "azure-current-pw-7Qx";
    LeakGuard.watch(value);
    fake.server.stubFor(getSecret("db-password", "").willReturn(json(fake.bundle("db-password", V2, value,
        "\"enabled\":true,\"exp\":1900000000", "\"contentType\":\"text/plain\",\"tags\":{\"team\":\"payments\"}"))));

    try (AzureKeyVaultSource source = fake.source()) {
      Secret s = source.fetch(SecretRef.parse("azure-kv://db-password"));
      assertThat(s.name()).isEqualTo("db-password");
      assertThat(s.versionId()).isEqualTo(V2);
      assertThat(s.stages()).containsExactly(VersionStage.CURRENT);
      assertThat(s.value().contentEquals(value.toCharArray())).isTrue();
      assertThat(s.createdAt()).contains(Instant.ofEpochSecond(1700000000));
      assertThat(s.expiresAt()).contains(Instant.ofEpochSecond(1900000000));
      assertThat(s.metadata())
          .containsEntry("content-type", "text/plain")
          .containsEntry("tag.team", "payments")
          .containsEntry("updated", Instant.ofEpochSecond(1700000100).toString())
          .containsEntry("id", fake.vaultUrl() + "/secrets/db-password/" + V2);
      s.value().close();
    }
    // The challenge: one request without a token answered 401, then the same request with it.
    assertThat(fake.count("/secrets/db-password/")).isEqualTo(2);
    assertThat(fake.countAuthorized("/secrets/db-password/")).isEqualTo(1);
    assertThat(fake.credential.scopes).containsExactly("https://vault.azure.net/.default");
    assertThat(fake.redirect().hosts()).containsExactly(fake.vaultUrl().substring("https://".length()));
  }

  @Test
  void readsANamedVersionByQueryAndByTheFullSecretIdentifier() {
    String value = "azure-named-version-pw";
    LeakGuard.watch(value);
    fake.server.stubFor(getSecret("api-key", V1).willReturn(json(fake.bundle("api-key", V1, value))));

    try (AzureKeyVaultSource source = fake.source()) {
      Secret byQuery = source.fetch(SecretRef.parse("azure-kv://api-key?version=" + V1));
      Secret byId = source.fetch(SecretRef.parse("azure-kv://" + fake.vaultUrl() + "/secrets/api-key/" + V1));
      Secret byIdAndQuery = source.fetch(SecretRef.parse("azure-kv://" + fake.vaultUrl().toUpperCase()
          .replace("HTTPS://", "https://") + "/secrets/api-key?version=" + V1));
      for (Secret s : List.of(byQuery, byId, byIdAndQuery)) {
        assertThat(s.versionId()).isEqualTo(V1);
        assertThat(s.stages()).isEmpty();
        assertThat(s.value().contentEquals(value.toCharArray())).isTrue();
        s.value().close();
      }
    }
    assertThat(fake.countAuthorized("/secrets/api-key/" + V1)).isEqualTo(3);
  }

  @Test
  void aReferenceThatKeyVaultCannotHoldIsRefusedBeforeAnyRequest() {
    try (AzureKeyVaultSource source = fake.source()) {
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://https://other.vault.azure.net/secrets/db")))
          .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("another vault");
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://prod/db")))
          .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("1 to 127 letters, digits and dashes");
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://db?version=../../keys")))
          .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("version");
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://db?stage=pending")))
          .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("pending");
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://" + fake.vaultUrl() + "/secrets/db/" + V1
          + "?version=" + V2))).isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("two versions");
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://" + fake.vaultUrl() + "/keys/db")))
          .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("/secrets/");
    }
    assertThat(fake.total()).isZero();
  }

  @Test
  void anAnswerForAnotherSecretOrVersionIsAFormatErrorAndItsValueIsNotHandedOver() {
    String other = "azure-someone-elses-pw";
    LeakGuard.watch(other);
    fake.server.stubFor(getSecret("mine", "").willReturn(json(fake.bundle("theirs", V1, other))));
    fake.server.stubFor(getSecret("mine", V2).willReturn(json(fake.bundle("mine", V1, other))));
    try (AzureKeyVaultSource source = fake.source()) {
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://mine")))
          .isInstanceOf(io.secretsdk.SecretFormatException.class).hasMessageContaining("another secret or version")
          .hasMessageNotContaining(other).hasMessageNotContaining("theirs"); // the answer's names are its text
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://mine?version=" + V2)))
          .isInstanceOf(io.secretsdk.SecretFormatException.class).hasMessageContaining("version " + V2)
          .hasMessageNotContaining(V1);
    }
  }

  @Test
  void anInterruptedBatchFailsItsUnfinishedReadsAsUnavailableAndKeepsTheInterrupt() throws Exception {
    List<SecretRef> refs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String name = "slow-" + i;
      LeakGuard.watch("azure-slow-batch-" + i);
      fake.server.stubFor(getSecret(name, "").willReturn(json(fake.bundle(name, V1, "azure-slow-batch-" + i))
          .withFixedDelay(2000)));
      refs.add(SecretRef.parse("azure-kv://" + name));
    }
    try (AzureKeyVaultSource source = AzureKeyVaultSource.builder().vaultUrl(fake.vaultUrl())
        .credential(fake.credential).httpClient(fake.redirect()).parallelism(2).build()) {
      java.util.concurrent.atomic.AtomicReference<BatchResult> result = new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicBoolean stillInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
      Thread caller = new Thread(() -> {
        result.set(source.fetchAll(refs));
        stillInterrupted.set(Thread.currentThread().isInterrupted());
      });
      caller.start();
      Thread.sleep(300);
      caller.interrupt();
      caller.join(10_000);
      assertThat(caller.isAlive()).isFalse();
      assertThat(result.get().found()).isEmpty();
      assertThat(result.get().failed()).hasSize(4)
          .allSatisfy((ref, e) -> assertThat(e).isInstanceOf(io.secretsdk.SecretUnavailableException.class)
              .hasMessageContaining("interrupted"));
      assertThat(stillInterrupted).isTrue();
    }
  }

  @Test
  void aMissingSecretIsNotFound() {
    fake.server.stubFor(getSecret("gone", "").willReturn(error(404, "SecretNotFound", null,
        "A secret with (name/id) gone was not found in this key vault.")));
    try (AzureKeyVaultSource source = fake.source()) {
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://gone")))
          .isInstanceOf(SecretNotFoundException.class)
          .hasMessageContaining("secret 'gone'").hasMessageContaining("SecretNotFound")
          .hasMessageNotContaining("was not found in this key vault");
    }
  }

  @Test
  void aDisabledSecretIsAccessDeniedSayingDisabledAndAForbiddenOneSayingWhatPermissionIsMissing() {
    fake.server.stubFor(getSecret("off", "").willReturn(error(403, "Forbidden", "SecretDisabled",
        "Operation get is not allowed on a disabled secret.")));
    fake.server.stubFor(getSecret("nope", "").willReturn(error(403, "Forbidden", "ForbiddenByRbac",
        "Caller is not authorized to perform action on resource.")));
    try (AzureKeyVaultSource source = fake.source()) {
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://off")))
          .isInstanceOf(SecretAccessDeniedException.class)
          .hasMessageContaining("disabled").hasMessageContaining("Forbidden/SecretDisabled")
          .hasMessageNotContaining("not allowed");
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://nope")))
          .isInstanceOf(SecretAccessDeniedException.class)
          .hasMessageContaining("Key Vault Secrets User").hasMessageNotContaining("disabled")
          .hasMessageNotContaining("Caller is not authorized");
    }
  }

  @Test
  void aVersionThatIsNotValidYetOrExpiredIsATypedErrorNamingWhichDateAndAnExpiringOneCarriesItsEnd() {
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    ManualClock clock = new ManualClock(now);
    String value = "azure-dated-pw-93";
    LeakGuard.watch(value);
    fake.server.stubFor(getSecret("early", "").willReturn(json(fake.bundle("early", V1, value,
        "\"enabled\":true,\"nbf\":" + now.plus(Duration.ofHours(2)).getEpochSecond(), ""))));
    fake.server.stubFor(getSecret("late", "").willReturn(json(fake.bundle("late", V1, value,
        "\"enabled\":true,\"exp\":" + now.minusSeconds(1).getEpochSecond(), ""))));
    fake.server.stubFor(getSecret("soon", "").willReturn(json(fake.bundle("soon", V1, value,
        "\"enabled\":true,\"nbf\":" + now.minusSeconds(60).getEpochSecond() + ",\"exp\":"
            + now.plus(Duration.ofMinutes(10)).getEpochSecond(), ""))));
    fake.server.stubFor(getSecret("off200", "").willReturn(json(fake.bundle("off200", V1, value,
        "\"enabled\":false", ""))));
    try (AzureKeyVaultSource source = AzureKeyVaultSource.builder().vaultUrl(fake.vaultUrl())
        .credential(fake.credential).httpClient(fake.redirect()).clock(clock).build()) {
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://early")))
          .isInstanceOf(SecretExpiredException.class).hasMessageContaining("not valid yet")
          .hasMessageContaining("nbf").hasMessageContaining("2026-12-01T02:00:00Z");
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://late")))
          .isInstanceOf(SecretExpiredException.class).hasMessageContaining("expired").hasMessageContaining("exp");
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://off200")))
          .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("disabled");
      Secret soon = source.fetch(SecretRef.parse("azure-kv://soon"));
      assertThat(soon.expiresAt()).contains(now.plus(Duration.ofMinutes(10)));
      assertThat(soon.metadata()).containsEntry("not-before", now.minusSeconds(60).toString());
      soon.value().close();
      clock.advance(Duration.ofHours(3));
      Secret early = source.fetch(SecretRef.parse("azure-kv://early"));
      assertThat(early.value().contentEquals(value.toCharArray())).isTrue();
      early.value().close();
    }
  }

  @Test
  void aPageLinkToAnotherHostIsNeverFollowedSoTheVaultsTokenStaysWithTheVault() {
    fake.server.stubFor(listVersions("linked").willReturn(json("{\"value\":[" + fake.item("linked", V1, 1000,
        "\"enabled\":true") + "],\"nextLink\":\"https://collector.example.net/secrets/linked/versions?api-version=2025-07-01\"}")));
    try (AzureKeyVaultSource source = fake.source()) {
      assertThatThrownBy(() -> source.fetchPrevious(SecretRef.parse("azure-kv://linked")))
          .isInstanceOf(io.secretsdk.SecretFormatException.class)
          .hasMessageContaining("link to another host")
          .hasMessageNotContaining("collector.example.net");
    }
    assertThat(fake.redirect().hosts()).as("hosts the client sent requests to")
        .doesNotContain("collector.example.net");
  }

  @Test
  void thePreviousVersionIsTheNewestEnabledValidOneOlderThanCurrentFoundAcrossPagesReadingOnlyItsValue() {
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    String previous = "azure-previous-pw-v2";
    LeakGuard.watch(previous);
    // Unordered, over two pages: V4 current; V3 disabled; V2 enabled (the answer); V1 older; V0 not valid yet.
    String v0 = "0123456789abcdef0123456789abcd00";
    fake.server.stubFor(listVersions("db").withQueryParam("$skiptoken", com.github.tomakehurst.wiremock.client.WireMock.absent())
        .willReturn(json(fake.page("/secrets/db/versions?api-version=2025-07-01&$skiptoken=page2",
            fake.item("db", V1, 1000, "\"enabled\":true"),
            fake.item("db", V4, 4000, "\"enabled\":true"),
            fake.item("db", v0, 3500, "\"enabled\":true,\"nbf\":" + now.plusSeconds(3600).getEpochSecond())))));
    fake.server.stubFor(listVersions("db").withQueryParam("$skiptoken", com.github.tomakehurst.wiremock.client.WireMock.equalTo("page2"))
        .willReturn(json(fake.page(null,
            fake.item("db", V3, 3000, "\"enabled\":false"),
            fake.item("db", V2, 2000, "\"enabled\":true,\"exp\":" + now.plusSeconds(86400).getEpochSecond())))));
    fake.server.stubFor(getSecret("db", V2).willReturn(json(fake.bundle("db", V2, previous))));

    try (AzureKeyVaultSource source = AzureKeyVaultSource.builder().vaultUrl(fake.vaultUrl())
        .credential(fake.credential).httpClient(fake.redirect()).clock(new ManualClock(now)).build()) {
      Optional<Secret> p = source.fetchPrevious(SecretRef.parse("azure-kv://db"));
      assertThat(p).isPresent();
      assertThat(p.get().versionId()).isEqualTo(V2);
      assertThat(p.get().stages()).containsExactly(VersionStage.PREVIOUS);
      assertThat(p.get().value().contentEquals(previous.toCharArray())).isTrue();
      p.get().value().close();

      Secret viaStage = source.fetch(SecretRef.parse("azure-kv://db?stage=previous"));
      assertThat(viaStage.versionId()).isEqualTo(V2);
      viaStage.value().close();

      // Older than a named version: V1.
      fake.server.stubFor(getSecret("db", V1).willReturn(json(fake.bundle("db", V1, "azure-oldest-pw-v1"))));
      LeakGuard.watch("azure-oldest-pw-v1");
      assertThat(source.fetchPrevious(SecretRef.parse("azure-kv://db?version=" + V2)))
          .hasValueSatisfying(s -> assertThat(s.versionId()).isEqualTo(V1));
      assertThat(source.fetchPrevious(SecretRef.parse("azure-kv://db?version=" + V1))).isEmpty();
    }
    assertThat(fake.countAuthorized("/secrets/db/versions")).as("both pages, each listing").isEqualTo(8);
    // Values were read for the chosen versions only: never V3, V4 or V0.
    assertThat(fake.countAuthorized("/secrets/db/" + V2)).isEqualTo(2);
    assertThat(fake.count("/secrets/db/" + V3) + fake.count("/secrets/db/" + V4) + fake.count("/secrets/db/" + v0)).isZero();
  }

  @Test
  void noPreviousVersionForAMissingSecretOrASecretWithOneVersion() {
    fake.server.stubFor(listVersions("gone").willReturn(error(404, "SecretNotFound", null, "not found")));
    fake.server.stubFor(listVersions("single").willReturn(json(fake.page(null, fake.item("single", V1, 1000, "\"enabled\":true")))));
    try (AzureKeyVaultSource source = fake.source()) {
      assertThat(source.fetchPrevious(SecretRef.parse("azure-kv://gone"))).isEmpty();
      assertThat(source.fetchPrevious(SecretRef.parse("azure-kv://single"))).isEmpty();
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("azure-kv://single?stage=previous")))
          .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("older than the current one");
    }
  }

  @Test
  void fetchAllReadsAtMostParallelismAtOnceAndTypesEachFailureOnItsOwn() {
    List<SecretRef> refs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String name = "batch-" + i;
      String value = "azure-batch-value-" + i;
      LeakGuard.watch(value);
      fake.server.stubFor(getSecret(name, "").willReturn(json(fake.bundle(name, V1, value)).withFixedDelay(150)));
      refs.add(SecretRef.parse("azure-kv://" + name));
    }
    fake.server.stubFor(getSecret("batch-missing", "").willReturn(error(404, "SecretNotFound", null, "not found")));
    fake.server.stubFor(getSecret("batch-off", "").willReturn(error(403, "Forbidden", "SecretDisabled", "disabled")));
    refs.add(SecretRef.parse("azure-kv://batch-missing"));
    refs.add(SecretRef.parse("azure-kv://batch-off"));
    refs.add(SecretRef.parse("azure-kv://bad_name"));
    refs.add(SecretRef.parse("azure-kv://batch-0")); // a duplicate: read once

    try (AzureKeyVaultSource source = AzureKeyVaultSource.builder().vaultUrl(fake.vaultUrl())
        .credential(fake.credential).httpClient(fake.redirect()).parallelism(3).build()) {
      // Warm the challenge first, so that the batch's requests are all reads.
      source.fetch(refs.get(0)).value().close();
      fake.redirect().maxInFlight.set(0);
      BatchResult r = source.fetchAll(refs);
      assertThat(r.found()).hasSize(12);
      assertThat(r.failed()).hasSize(3);
      assertThat(r.failed().get(SecretRef.parse("azure-kv://batch-missing"))).isInstanceOf(SecretNotFoundException.class);
      assertThat(r.failed().get(SecretRef.parse("azure-kv://batch-off"))).isInstanceOf(SecretAccessDeniedException.class);
      assertThat(r.failed().get(SecretRef.parse("azure-kv://bad_name"))).isInstanceOf(InvalidSecretRefException.class);
      for (int i = 0; i < 12; i++) {
        Secret s = r.found().get(SecretRef.parse("azure-kv://batch-" + i));
        assertThat(s.value().contentEquals(("azure-batch-value-" + i).toCharArray())).isTrue();
        s.value().close();
      }
      assertThat(fake.redirect().maxInFlight.get()).as("bounded by parallelism").isBetween(2, 3);
    }
    assertThat(fake.countAuthorized("/secrets/batch-0/")).isEqualTo(2);
  }
}
