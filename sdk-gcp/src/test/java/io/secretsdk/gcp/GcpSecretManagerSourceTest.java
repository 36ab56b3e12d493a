package io.secretsdk.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.protobuf.ByteString;
import io.secretsdk.BatchResult;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.VersionCheck;
import io.secretsdk.VersionStage;
import io.secretsdk.gcp.FakeSecretManager.FakeSecret;
import io.secretsdk.testing.LeakGuard;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The source with the real client over in-process gRPC. */
class GcpSecretManagerSourceTest {
  @RegisterExtension final GrpcFront front = new GrpcFront();
  private FakeSecretManager fake;
  private GcpSecretManagerSource source;

  @BeforeEach
  void setUp() {
    fake = front.fake;
    for (String v : List.of("pw-one-Kx81", "pw-two-Lm92", "pw-three-Nq03", "pw-four-Pr14", "dsn-Ww55")) {
      LeakGuard.watch(v);
    }
    LeakGuard.watch(FakeSecretManager.SERVER_CANARY);
    source = front.sourceBuilder().timeout(Duration.ofSeconds(10)).build();
  }

  @AfterEach
  void tearDown() {
    source.close();
  }

  private static SecretRef ref(String uri) {
    return SecretRef.parse(uri);
  }

  private static String text(Secret s) {
    return s.value().withChars(String::new);
  }

  private static String chain(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  @Test
  void theLatestVersionIsReadWithItsNumberAliasesExpiryRotationAndMetadata() {
    FakeSecret s = fake.secret("db");
    s.add("pw-one-Kx81");
    s.add("pw-two-Lm92");
    s.aliases.put("prod", 2L);
    s.aliases.put("old", 1L);
    s.labels.put("team", "payments");
    s.annotations.put("owner", "alice");
    s.expireTime = Instant.parse("2027-01-01T00:00:00Z");
    s.nextRotationTime = Instant.parse("2026-12-24T00:00:00Z");

    Secret secret = source.fetch(ref("gcp-sm://db"));
    {
      assertThat(text(secret)).isEqualTo("pw-two-Lm92");
      assertThat(secret.value().isBinary()).isFalse();
      assertThat(secret.versionId()).isEqualTo("2");
      assertThat(secret.stages()).containsExactly(VersionStage.CURRENT);
      assertThat(secret.labels()).containsExactlyInAnyOrder("latest", "prod");
      assertThat(secret.expiresAt()).contains(Instant.parse("2027-01-01T00:00:00Z"));
      assertThat(secret.nextRotationAt()).contains(Instant.parse("2026-12-24T00:00:00Z"));
      assertThat(secret.metadata()).containsEntry("label.team", "payments").containsEntry("annotation.owner", "alice")
          .containsEntry("resource", "projects/" + FakeSecretManager.PROJECT_NUMBER + "/secrets/db/versions/2");
    }
    assertThat(fake.accessedNames).containsExactly("projects/acme-prod/secrets/db/versions/latest");
  }

  @Test
  void aVersionNumberAnAliasAndATrailingVersionsSegmentReadThatVersion() {
    FakeSecret s = fake.secret("db");
    s.add("pw-one-Kx81");
    s.add("pw-two-Lm92");
    s.aliases.put("stable", 1L);
    assertThat(text(source.fetch(ref("gcp-sm://db?version=1")))).isEqualTo("pw-one-Kx81");
    assertThat(text(source.fetch(ref("gcp-sm://db?version=stable")))).isEqualTo("pw-one-Kx81");
    Secret full = source.fetch(ref("gcp-sm://projects/acme-prod/secrets/db/versions/1"));
    assertThat(text(full)).isEqualTo("pw-one-Kx81");
    assertThat(full.stages()).isEmpty();
    assertThat(full.labels()).containsExactly("stable");
    // The project by number is the same secret.
    assertThat(source.fetch(ref("gcp-sm://projects/123456789012/secrets/db")).versionId()).isEqualTo("2");
  }

  @Test
  void regionalNamesAndADefaultLocationAskForRegionalResources() {
    fake.secret("europe-west1", "db").add("pw-one-Kx81");
    assertThat(text(source.fetch(ref("gcp-sm://projects/acme-prod/locations/europe-west1/secrets/db"))))
        .isEqualTo("pw-one-Kx81");
    try (GcpSecretManagerSource regional = front.sourceBuilder().location("europe-west1").build()) {
      assertThat(text(regional.fetch(ref("gcp-sm://db")))).isEqualTo("pw-one-Kx81");
    }
    assertThat(fake.accessedNames).containsExactly(
        "projects/acme-prod/locations/europe-west1/secrets/db/versions/latest",
        "projects/acme-prod/locations/europe-west1/secrets/db/versions/latest");
  }

  @Test
  void aLocationsClientUsesTheRegionalEndpoint() {
    SecretManagerServiceClient c = io.secretsdk.gcp.internal.GcpClients.create(GcpSecretManagerSource.Transport.GRPC,
        null, "europe-west1", com.google.api.gax.core.NoCredentialsProvider.create(), null, Duration.ofSeconds(1));
    try {
      assertThat(c.getSettings().getEndpoint()).isEqualTo("secretmanager.europe-west1.rep.googleapis.com:443");
      assertThat(c.getSettings().accessSecretVersionSettings().getRetrySettings().getMaxAttempts()).isEqualTo(1);
      assertThat(c.getSettings().accessSecretVersionSettings().getRetryableCodes()).isEmpty();
    } finally {
      c.close();
    }
  }

  @Test
  void aShortNameWithoutADefaultProjectIsAConfigurationError() {
    try (GcpSecretManagerSource noProject = GcpSecretManagerSource.builder().channel(front.channelProvider())
        .credentials(com.google.api.gax.core.NoCredentialsProvider.create()).build()) {
      assertThatThrownBy(() -> noProject.fetch(ref("gcp-sm://db")))
          .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("gcp-sm.project");
    }
  }

  @Test
  void binaryPayloadsStayBinaryAndTextIsDecodedStrictly() {
    byte[] binary = {(byte) 0xff, 0x00, (byte) 0xc3, 0x28, 0x7f};
    fake.secret("key").add(binary);
    fake.secret("unicode").add("pässwörd-\uD83D\uDD11");
    fake.secret("empty").add(new byte[0]);
    Secret b = source.fetch(ref("gcp-sm://key"));
    assertThat(b.value().isBinary()).isTrue();
    assertThat(b.value().withBytes(byte[]::clone)).containsExactly(binary);
    Secret u = source.fetch(ref("gcp-sm://unicode"));
    assertThat(u.value().isBinary()).isFalse();
    assertThat(text(u)).isEqualTo("pässwörd-\uD83D\uDD11");
    assertThat(source.fetch(ref("gcp-sm://empty")).value().length()).isZero();
  }

  @Test
  void thePayloadTheClientReceivedIsZeroedOnceItIsAValue() {
    fake.secret("db").add("pw-one-Kx81");
    Secret s = source.fetch(ref("gcp-sm://db"));
    assertThat(text(s)).isEqualTo("pw-one-Kx81");
    // In-process gRPC hands the client the very message the server sent.
    ByteString sent = fake.sentPayloads.get(0);
    assertThat(sent.toByteArray()).containsOnly((byte) 0);
  }

  @Test
  void aCorruptedChecksumIsAFormatErrorAndThePayloadIsWiped() {
    fake.secret("db").add("pw-one-Kx81").corruptChecksum = true;
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db")))
        .isInstanceOf(SecretFormatException.class).hasMessageContaining("CRC32C")
        .hasMessageNotContaining("pw-one");
    assertThat(fake.sentPayloads.get(0).toByteArray()).containsOnly((byte) 0);
  }

  @Test
  void aPayloadWithoutAChecksumIsAccepted() {
    fake.secret("db").add("pw-one-Kx81").noChecksum = true;
    assertThat(text(source.fetch(ref("gcp-sm://db")))).isEqualTo("pw-one-Kx81");
  }

  @Test
  void aDisabledVersionIsATypedErrorNamingTheVersion() {
    FakeSecret s = fake.secret("db");
    s.add("pw-one-Kx81");
    s.add("pw-two-Lm92").state = SecretVersion.State.DISABLED;
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db?version=2")))
        .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("version 2 is DISABLED")
        .satisfies(e -> assertThat(chain(e)).doesNotContain(FakeSecretManager.SERVER_CANARY));
    // A disabled latest is an error too, not a silent fall-back to version 1.
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db")))
        .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("version 2 is DISABLED");
  }

  @Test
  void aDestroyedVersionIsNotFoundAndSaysItIsDestroyed() {
    FakeSecret s = fake.secret("db");
    s.add("pw-one-Kx81").state = SecretVersion.State.DESTROYED;
    s.add("pw-two-Lm92");
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db?version=1")))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("version 1 is DESTROYED");
  }

  @Test
  void aDisabledVersionIsNamedFromTheStatusWhenItsStateMayNotBeRead() {
    FakeSecret s = fake.secret("db");
    s.add("pw-one-Kx81").state = SecretVersion.State.DISABLED;
    fake.denied.add("GetSecretVersion");
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db")))
        .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("version 1 is DISABLED");
  }

  @Test
  void missingDeniedAndMalformedAreTypedAndNeverRepeatTheServersMessage() {
    fake.secret("db").add("pw-one-Kx81");
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://nope")))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("'nope'")
        .satisfies(e -> assertThat(chain(e)).doesNotContain(FakeSecretManager.SERVER_CANARY));
    fake.denied.add("AccessSecretVersion");
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db")))
        .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("secretmanager.versions.access")
        .satisfies(e -> assertThat(chain(e)).doesNotContain(FakeSecretManager.SERVER_CANARY));
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://projects/acme-prod/secrets/db/versions/0")))
        .isInstanceOf(InvalidSecretRefException.class);
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db?stage=pending")))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("pending");
  }

  @Test
  void throttlingCarriesTheRetryInfoDelay() {
    fake.secret("db").add("pw-one-Kx81");
    fake.failNext("AccessSecretVersion", 1, FakeSecretManager.throttled(7));
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db")))
        .isInstanceOfSatisfying(SecretThrottledException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(7)))
        .satisfies(e -> assertThat(chain(e)).doesNotContain(FakeSecretManager.SERVER_CANARY));
  }

  @Test
  void aCallThatStallsPastTheDeadlineIsUnavailableAfterOneAttempt() {
    fake.secret("db").add("pw-one-Kx81");
    fake.stallAccess = true;
    try (GcpSecretManagerSource quick = front.sourceBuilder().timeout(Duration.ofMillis(300)).build()) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> quick.fetch(ref("gcp-sm://db")))
          .isInstanceOf(SecretUnavailableException.class).hasMessageContaining("DEADLINE_EXCEEDED");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
    assertThat(fake.calls("AccessSecretVersion")).isEqualTo(1);
  }

  @Test
  void aClientTheBuilderMakesRetriesNothingAndAUsersClientIsUsedAsItIs() {
    fake.secret("db").add("pw-one-Kx81");
    fake.failNext("AccessSecretVersion", 3, FakeSecretManager.unavailable());
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db"))).isInstanceOf(SecretUnavailableException.class)
        .hasMessageContaining("UNAVAILABLE");
    assertThat(fake.calls("AccessSecretVersion")).isEqualTo(1);

    // The user's client keeps its own retry policy: the two remaining failures, then the value.
    SecretManagerServiceClient mine = front.userClient();
    try (GcpSecretManagerSource withMine = GcpSecretManagerSource.builder().client(mine).project("acme-prod").build()) {
      assertThat(text(withMine.fetch(ref("gcp-sm://db")))).isEqualTo("pw-one-Kx81");
    }
    assertThat(fake.calls("AccessSecretVersion")).isEqualTo(4);
    assertThat(mine.isShutdown()).isFalse();
  }

  @Test
  void settingsForMakingAClientAreRefusedAlongsideAUsersClient() {
    SecretManagerServiceClient mine = front.userClient();
    assertThatThrownBy(() -> GcpSecretManagerSource.builder().client(mine).timeout(Duration.ofSeconds(1)).build())
        .isInstanceOf(SecretConfigurationException.class);
  }

  @Test
  void metadataIsAskedAtFirstLoadAndAfterAVersionChangeOnly() {
    FakeSecret s = fake.secret("db");
    s.add("pw-one-Kx81");
    for (int i = 0; i < 5; i++) {
      source.fetch(ref("gcp-sm://db")).value().destroy();
    }
    assertThat(fake.calls("AccessSecretVersion")).isEqualTo(5);
    assertThat(fake.calls("GetSecret")).isEqualTo(1);
    s.add("pw-two-Lm92");
    s.aliases.put("blue", 2L);
    Secret after = source.fetch(ref("gcp-sm://db"));
    assertThat(after.versionId()).isEqualTo("2");
    assertThat(after.labels()).contains("blue");
    source.fetch(ref("gcp-sm://db"));
    assertThat(fake.calls("GetSecret")).isEqualTo(2);
  }

  @Test
  void aCallerWhoMayNotReadMetadataStillGetsValuesAndIsNotAskedAgain() {
    fake.secret("db").add("pw-one-Kx81");
    fake.denied.add("GetSecret");
    for (int i = 0; i < 3; i++) {
      Secret s = source.fetch(ref("gcp-sm://db"));
      assertThat(text(s)).isEqualTo("pw-one-Kx81");
      assertThat(s.expiresAt()).isEmpty();
    }
    assertThat(fake.calls("GetSecret")).isEqualTo(1);
  }

  @Test
  void aVersionCheckReadsNoPayloadAndSeesLatestMove() {
    FakeSecret s = fake.secret("db");
    s.add("pw-one-Kx81");
    s.expireTime = Instant.parse("2027-01-01T00:00:00Z");
    Optional<VersionCheck> first = source.checkVersion(ref("gcp-sm://db"));
    assertThat(first).contains(new VersionCheck("1", Optional.of(Instant.parse("2027-01-01T00:00:00Z")),
        Optional.empty()));
    s.add("pw-two-Lm92");
    assertThat(source.checkVersion(ref("gcp-sm://db")).map(VersionCheck::versionId)).contains("2");
    assertThat(source.checkVersion(ref("gcp-sm://db?version=1")).map(VersionCheck::versionId)).contains("1");
    assertThat(fake.calls("AccessSecretVersion")).isZero();
    assertThat(fake.calls("GetSecretVersion")).isEqualTo(3);
    // The fetch after a check that saw version 2 needs no further GetSecret.
    int getSecret = fake.calls("GetSecret");
    assertThat(source.fetch(ref("gcp-sm://db")).versionId()).isEqualTo("2");
    assertThat(fake.calls("GetSecret")).isEqualTo(getSecret);
  }

  @Test
  void aVersionCheckOfADisabledLatestIsTheSameTypedError() {
    FakeSecret s = fake.secret("db");
    s.add("pw-one-Kx81");
    s.add("pw-two-Lm92").state = SecretVersion.State.DISABLED;
    assertThatThrownBy(() -> source.checkVersion(ref("gcp-sm://db")))
        .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("version 2 is DISABLED");
    assertThatThrownBy(() -> source.checkVersion(ref("gcp-sm://nope"))).isInstanceOf(SecretNotFoundException.class);
  }

  @Test
  void aVersionCheckTheCallerMayNotMakeIsEmptyAndNotTriedAgain() {
    fake.secret("db").add("pw-one-Kx81");
    fake.denied.add("GetSecretVersion");
    assertThat(source.checkVersion(ref("gcp-sm://db"))).isEmpty();
    assertThat(source.checkVersion(ref("gcp-sm://db"))).isEmpty();
    assertThat(fake.calls("GetSecretVersion")).isEqualTo(1);
    assertThat(source.checkVersion(ref("gcp-sm://db?stage=previous"))).isEmpty();
  }

  @Test
  void thePreviousVersionIsTheNewestEnabledOneOlderThanLatest() {
    FakeSecret s = fake.secret("db");
    s.add("pw-one-Kx81");
    s.add("pw-two-Lm92").state = SecretVersion.State.DISABLED;
    s.add("pw-three-Nq03");
    s.add("pw-four-Pr14").state = SecretVersion.State.DESTROYED;
    s.add("dsn-Ww55");
    Secret prev = source.fetchPrevious(ref("gcp-sm://db")).orElseThrow();
    assertThat(prev.versionId()).isEqualTo("3");
    assertThat(text(prev)).isEqualTo("pw-three-Nq03");
    assertThat(prev.stages()).containsExactly(VersionStage.PREVIOUS);
    assertThat(prev.createdAt()).isPresent();
    assertThat(text(source.fetch(ref("gcp-sm://db?stage=previous")))).isEqualTo("pw-three-Nq03");
    // Latest disabled: still the newest enabled one older than latest.
    s.version(5).state = SecretVersion.State.DISABLED;
    assertThat(source.fetchPrevious(ref("gcp-sm://db")).map(Secret::versionId)).contains("3");
    // The one before a given number.
    assertThat(source.fetchPrevious(ref("gcp-sm://db?version=3")).map(Secret::versionId)).contains("1");
    assertThat(source.fetchPrevious(ref("gcp-sm://db?version=1"))).isEmpty();
    assertThat(source.fetchPrevious(ref("gcp-sm://nope"))).isEmpty();
  }

  @Test
  void thePreviousVersionIsFoundAcrossPages() {
    FakeSecret s = fake.secret("many");
    for (int i = 1; i <= 230; i++) {
      s.add("v" + i).state = i == 7 ? SecretVersion.State.ENABLED : SecretVersion.State.DISABLED;
    }
    s.add("latest-one");
    assertThat(source.fetchPrevious(ref("gcp-sm://many")).map(Secret::versionId)).contains("7");
    assertThat(fake.calls("ListSecretVersions")).isEqualTo(3); // pages of 100
  }

  @Test
  void fetchAllReadsEightAtOnceAndTypesEachFailure() throws Exception {
    List<SecretRef> refs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      fake.secret("s" + i).add("value-" + i);
      refs.add(ref("gcp-sm://s" + i));
    }
    fake.secret("off").add("pw-one-Kx81").state = SecretVersion.State.DISABLED;
    refs.add(ref("gcp-sm://off"));
    refs.add(ref("gcp-sm://missing"));
    refs.add(ref("gcp-sm://projects/acme-prod/secrets/bad!name"));
    CountDownLatch gate = new CountDownLatch(1);
    fake.accessGate = gate;
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<BatchResult> pending = caller.submit(() -> source.fetchAll(refs));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (fake.inFlight.get() < GcpSecretManagerSource.PARALLEL_READS && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(fake.inFlight.get()).isEqualTo(GcpSecretManagerSource.PARALLEL_READS);
      gate.countDown();
      BatchResult r = pending.get(10, TimeUnit.SECONDS);
      assertThat(fake.maxInFlight.get()).isEqualTo(GcpSecretManagerSource.PARALLEL_READS);
      assertThat(r.found()).hasSize(20);
      assertThat(text(r.found().get(ref("gcp-sm://s13")))).isEqualTo("value-13");
      assertThat(r.failed().get(ref("gcp-sm://off"))).isInstanceOf(SecretAccessDeniedException.class);
      assertThat(r.failed().get(ref("gcp-sm://missing"))).isInstanceOf(SecretNotFoundException.class);
      assertThat(r.failed().get(ref("gcp-sm://projects/acme-prod/secrets/bad!name")))
          .isInstanceOf(InvalidSecretRefException.class);
    } finally {
      fake.accessGate = null;
      caller.shutdownNow();
    }
  }

  @Test
  void closingLeavesAUsersClientOpenAndRefusesFurtherReads() {
    fake.secret("db").add("pw-one-Kx81");
    SecretManagerServiceClient mine = front.userClient();
    GcpSecretManagerSource withMine = GcpSecretManagerSource.builder().client(mine).project("acme-prod").build();
    withMine.close();
    withMine.close();
    assertThat(mine.isShutdown()).isFalse();
    assertThatThrownBy(() -> withMine.fetch(ref("gcp-sm://db"))).isInstanceOf(IllegalStateException.class);
    assertThat(text(source.fetch(ref("gcp-sm://db")))).isEqualTo("pw-one-Kx81");
  }

  @Test
  void payloadBytesDecideTextOrBinaryLikeTheFileBackend() {
    byte[] overlong = {(byte) 0xc0, (byte) 0xaf};
    byte[] surrogate = {(byte) 0xed, (byte) 0xa0, (byte) 0x80};
    fake.secret("a").add(overlong);
    fake.secret("b").add(surrogate);
    fake.secret("c").add("plain ascii".getBytes(StandardCharsets.UTF_8));
    assertThat(source.fetch(ref("gcp-sm://a")).value().isBinary()).isTrue();
    assertThat(source.fetch(ref("gcp-sm://b")).value().isBinary()).isTrue();
    assertThat(source.fetch(ref("gcp-sm://c")).value().isBinary()).isFalse();
  }

  @Test
  void closingWhileFetchAllWaitsOnTheServerEndsItWithoutAHang() throws Exception {
    List<SecretRef> refs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      fake.secret("c" + i).add("value-" + i);
      refs.add(ref("gcp-sm://c" + i));
    }
    CountDownLatch gate = new CountDownLatch(1);
    fake.accessGate = gate;
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<?> pending = caller.submit(() -> {
        try {
          BatchResult r = source.fetchAll(refs);
          assertThat(r.found().size() + r.failed().size()).isEqualTo(refs.size());
        } catch (IllegalStateException closed) {
          assertThat(closed).hasMessageContaining("closed");
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (fake.inFlight.get() < GcpSecretManagerSource.PARALLEL_READS && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      source.close();
      gate.countDown();
      pending.get(15, TimeUnit.SECONDS);
      assertThatThrownBy(() -> source.fetchAll(refs)).isInstanceOf(IllegalStateException.class);
    } finally {
      fake.accessGate = null;
      caller.shutdownNow();
    }
  }
}
