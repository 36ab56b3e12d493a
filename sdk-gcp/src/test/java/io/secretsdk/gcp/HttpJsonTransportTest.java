package io.secretsdk.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.secretmanager.v1.SecretVersion;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretThrottledException;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.VersionStage;
import io.secretsdk.gcp.FakeSecretManager.FakeSecret;
import io.secretsdk.testing.LeakGuard;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The source with the real client over HTTP/JSON against a loopback server speaking Secret
 * Manager v1's REST JSON. Uses no gRPC class: it also runs on the slim class path (the {@code
 * slim-http-json} surefire execution, where every gRPC runtime jar is left out).
 */
class HttpJsonTransportTest {
  @RegisterExtension final HttpFront front = new HttpFront();
  private FakeSecretManager fake;
  private GcpSecretManagerSource source;

  @BeforeEach
  void setUp() {
    fake = front.fake;
    LeakGuard.watch("pw-one-Kx81");
    LeakGuard.watch("pw-two-Lm92");
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

  private static String chain(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  @Test
  void theLatestVersionAndItsMetadataAreReadOverRestJson() {
    FakeSecret s = fake.secret("db");
    s.add("pw-one-Kx81");
    s.add("pw-two-Lm92");
    s.aliases.put("prod", 2L);
    s.labels.put("team", "payments");
    s.nextRotationTime = Instant.parse("2026-12-24T00:00:00Z");
    Secret secret = source.fetch(ref("gcp-sm://db"));
    assertThat(secret.value().<String>withChars(String::new)).isEqualTo("pw-two-Lm92");
    assertThat(secret.versionId()).isEqualTo("2");
    assertThat(secret.stages()).containsExactly(VersionStage.CURRENT);
    assertThat(secret.labels()).contains("prod");
    assertThat(secret.nextRotationAt()).contains(Instant.parse("2026-12-24T00:00:00Z"));
    assertThat(secret.metadata()).containsEntry("label.team", "payments");
    assertThat(source.fetch(ref("gcp-sm://db?version=prod")).versionId()).isEqualTo("2");
    assertThat(source.fetch(ref("gcp-sm://projects/acme-prod/secrets/db/versions/1")).value().<String>withChars(String::new))
        .isEqualTo("pw-one-Kx81");
    byte[] binary = {(byte) 0xfe, 0x01, 0x00};
    fake.secret("key").add(binary);
    assertThat(source.fetch(ref("gcp-sm://key")).value().withBytes(byte[]::clone)).containsExactly(binary);
  }

  @Test
  void aDisabledVersionArrivingAsInvalidArgumentIsStillNamedDisabled() {
    FakeSecret s = fake.secret("db");
    s.add("pw-one-Kx81").state = SecretVersion.State.DESTROYED;
    s.add("pw-two-Lm92").state = SecretVersion.State.DISABLED;
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db")))
        .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("version 2 is DISABLED")
        .satisfies(e -> assertThat(chain(e)).doesNotContain(FakeSecretManager.SERVER_CANARY));
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db?version=1")))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("version 1 is DESTROYED");
  }

  @Test
  void httpErrorsAreTypedWithoutTheBodyAndThrottlingKeepsItsRetryInfo() {
    fake.secret("db").add("pw-one-Kx81");
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://nope")))
        .isInstanceOf(SecretNotFoundException.class)
        .satisfies(e -> assertThat(chain(e)).doesNotContain(FakeSecretManager.SERVER_CANARY));
    fake.failNext("AccessSecretVersion", 1, FakeSecretManager.throttled(3));
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db")))
        .isInstanceOfSatisfying(SecretThrottledException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(3)))
        .satisfies(e -> assertThat(chain(e)).doesNotContain(FakeSecretManager.SERVER_CANARY));
    fake.failNext("AccessSecretVersion", 2, FakeSecretManager.unavailable());
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db"))).isInstanceOf(SecretUnavailableException.class);
    assertThat(fake.calls("AccessSecretVersion")).isEqualTo(3); // no client retry
    fake.denied.add("AccessSecretVersion");
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db")))
        .isInstanceOf(SecretAccessDeniedException.class)
        .satisfies(e -> assertThat(chain(e)).doesNotContain(FakeSecretManager.SERVER_CANARY));
  }

  @Test
  void aCorruptedChecksumIsAFormatError() {
    fake.secret("db").add("pw-one-Kx81").corruptChecksum = true;
    assertThatThrownBy(() -> source.fetch(ref("gcp-sm://db"))).isInstanceOf(SecretFormatException.class);
  }

  @Test
  void aStalledCallIsUnavailableAtTheDeadline() {
    fake.secret("db").add("pw-one-Kx81");
    fake.stallAccess = true;
    try (GcpSecretManagerSource quick = front.sourceBuilder().timeout(Duration.ofMillis(300)).build()) {
      assertThatThrownBy(() -> quick.fetch(ref("gcp-sm://db"))).isInstanceOf(SecretUnavailableException.class);
    }
  }

  @Test
  void versionChecksAndThePreviousVersionWorkOverRestJson() {
    FakeSecret s = fake.secret("db");
    s.add("pw-one-Kx81");
    s.add("pw-two-Lm92");
    assertThat(source.checkVersion(ref("gcp-sm://db")).orElseThrow().versionId()).isEqualTo("2");
    assertThat(fake.calls("AccessSecretVersion")).isZero();
    assertThat(source.fetchPrevious(ref("gcp-sm://db")).orElseThrow().versionId()).isEqualTo("1");
  }

  @Test
  void aServerThatIsNotThereIsUnavailable() {
    try (GcpSecretManagerSource nowhere = GcpSecretManagerSource.builder().project("acme-prod")
        .transport(GcpSecretManagerSource.Transport.HTTP_JSON).endpoint("http://127.0.0.1:1")
        .credentials(com.google.api.gax.core.NoCredentialsProvider.create()).timeout(Duration.ofSeconds(2)).build()) {
      assertThatThrownBy(() -> nowhere.fetch(ref("gcp-sm://db"))).isInstanceOf(SecretUnavailableException.class);
    }
  }
}
