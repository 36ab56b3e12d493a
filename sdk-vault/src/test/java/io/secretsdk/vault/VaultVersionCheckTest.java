package io.secretsdk.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.Secret;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.VersionCheck;
import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * KV v2 change checks read {@code metadata/} (no value moves): the cache's refresh of an unchanged
 * secret is one metadata read, a new version is found and fetched, a refused metadata path falls
 * back to plain reads after one log line.
 */
class VaultVersionCheckTest extends VaultFake {
  static final String TOKEN = "hvs.version-check-token-7";

  private static String metadata(long current, String destroyedOrDeleted) {
    StringBuilder versions = new StringBuilder();
    for (long v = 1; v <= current; v++) {
      if (v > 1) {
        versions.append(',');
      }
      boolean gone = destroyedOrDeleted.contains("," + v + ",");
      versions.append('"').append(v).append("\":{\"created_time\":\"2026-01-0").append(v % 9 + 1)
          .append("T00:00:00Z\",\"deletion_time\":\"").append(gone ? "2026-02-01T00:00:00Z" : "")
          .append("\",\"destroyed\":false}");
    }
    return "{\"data\":{\"current_version\":" + current + ",\"versions\":{" + versions + "}}}";
  }

  @Test
  void aCheckNamesTheCurrentOrThePinnedVersionFromMetadataAndNothingForOtherEngines() {
    LeakGuard.watch(TOKEN);
    tokenSource(TOKEN);
    wm.stubFor(get(urlEqualTo("/v1/secret/metadata/app")).willReturn(json(200, metadata(5, ",3,"))));
    wm.stubFor(get(urlEqualTo("/v1/secret/metadata/gone")).willReturn(json(404, "{\"errors\":[]}")));

    assertThat(source.checkVersion(SecretRef.parse("vault://secret/app"))).map(VersionCheck::versionId).contains("5");
    assertThat(source.checkVersion(SecretRef.parse("vault://secret/data/app?version=2")))
        .map(VersionCheck::versionId).contains("2");
    assertThat(source.checkVersion(SecretRef.parse("vault://secret/app?version=3"))).as("a deleted version").isEmpty();
    assertThat(source.checkVersion(SecretRef.parse("vault://secret/app?version=9"))).as("no such version").isEmpty();
    assertThat(source.checkVersion(SecretRef.parse("vault://secret/app?stage=previous"))).isEmpty();
    assertThatThrownBy(() -> source.checkVersion(SecretRef.parse("vault://secret/gone")))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("secret/gone");
    assertThat(source.checkVersion(SecretRef.parse("vault://database/creds/app"))).isEmpty();
    assertThat(source.checkVersion(SecretRef.parse("vault://database/static-creds/app"))).isEmpty();
    wm.verify(0, getRequestedFor(urlEqualTo("/v1/secret/data/app")));
  }

  @Test
  void theCachesRefreshOfAnUnchangedKvSecretIsOneMetadataReadAndANewVersionIsFetched() {
    LeakGuard.watch(TOKEN);
    LeakGuard.watch("kv-check-first");
    LeakGuard.watch("kv-check-second");
    tokenSource(TOKEN);
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app"))
        .willReturn(json(200, kv2Body("{\"password\":\"kv-check-first\"}", 1, "2026-01-01T00:00:00Z"))));
    wm.stubFor(get(urlEqualTo("/v1/secret/metadata/app")).willReturn(json(200, metadata(1, ""))));
    SecretRef ref = SecretRef.parse("vault://secret/app");
    List<RotationEvent> rotations = new CopyOnWriteArrayList<>();
    try (SecretCache cache = SecretCache.builder(source).clock(clock).scheduler(scheduler)
        .listenerExecutor(Runnable::run).refreshJitter(0).resilience(ResiliencePolicy.none())
        .defaultTtl(Duration.ofSeconds(100)).build()) {
      cache.onRotation(ref, rotations::add);
      Secret first = cache.get(ref);
      for (int i = 0; i < 5; i++) {
        clock.advance(Duration.ofSeconds(100));
      }
      wm.verify(1, getRequestedFor(urlEqualTo("/v1/secret/data/app")));
      assertThat(wm.countRequestsMatching(getRequestedFor(urlEqualTo("/v1/secret/metadata/app")).build()).getCount())
          .as("one metadata read per refresh").isBetween(5, 7);
      assertThat(cache.get(ref)).as("the held secret, not a copy").isSameAs(first);

      wm.stubFor(get(urlEqualTo("/v1/secret/data/app"))
          .willReturn(json(200, kv2Body("{\"password\":\"kv-check-second\"}", 2, "2026-01-02T00:00:00Z"))));
      wm.stubFor(get(urlEqualTo("/v1/secret/metadata/app")).willReturn(json(200, metadata(2, ""))));
      clock.advance(Duration.ofSeconds(100));
      assertThat(cache.get(ref).versionId()).isEqualTo("2");
      assertThat(cache.get(ref).field("password").contentEquals("kv-check-second".toCharArray())).isTrue();
      assertThat(rotations).hasSize(1);
    }
  }

  @Test
  void aRefusedMetadataPathIsLoggedOnceAndRefreshesReadTheValueFromThenOn() {
    LeakGuard.watch(TOKEN);
    tokenSource(TOKEN);
    wm.stubFor(get(urlEqualTo("/v1/secret/metadata/app"))
        .willReturn(json(403, "{\"errors\":[\"1 error occurred:\\n\\t* permission denied\\n\\n\"]}")));

    assertThat(source.checkVersion(SecretRef.parse("vault://secret/app"))).isEmpty();
    int asked = wm.countRequestsMatching(getRequestedFor(urlEqualTo("/v1/secret/metadata/app")).build()).getCount();
    assertThat(source.checkVersion(SecretRef.parse("vault://secret/app"))).isEmpty();
    assertThat(source.checkVersion(SecretRef.parse("vault://secret/other"))).isEmpty();
    assertThat(wm.countRequestsMatching(getRequestedFor(urlEqualTo("/v1/secret/metadata/app")).build()).getCount())
        .as("not asked again").isEqualTo(asked);
  }
}
