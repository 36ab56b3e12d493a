package io.secretsdk.vault;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.testing.HeapDumps;
import io.secretsdk.testing.LeakGuard;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Vault KV read leaves no copy of the value that the SDK made on the heap once the value is
 * destroyed.
 *
 * <p>One copy is outside the SDK's reach and is reported, not failed: java.net.http (JDK 17)
 * reads each pooled connection into a 16 KiB buffer ({@code SocketTube$SliceBufferSource}) and
 * hands the body to subscribers as read-only views of it, so the last response's bytes stay there
 * while the connection is kept alive. Every hit is attributed to its holder through the dump.
 */
class VaultHeapDumpTest extends VaultFake {
  private static final String JDK_CONNECTION_BUFFER = "jdk/internal/net/http/SocketTube$SliceBufferSource";

  @TempDir Path dir;

  @Test
  void aDestroyedVaultValueLeavesNoCopyTheSdkMadeOnTheHeap() throws Exception {
    long seed = new SecureRandom().nextLong();
    char[] password = new char[32];
    VaultHeapDumpProbe.value(seed, password);
    LeakGuard.watch(password);
    stubLookupSelf("hvs.heap-dump-probe-token", 0, false);
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app")).withHeader("X-Vault-Token", equalTo("hvs.heap-dump-probe-token"))
        .willReturn(json(200, kv2Body("{\"username\":\"app\",\"password\":\"" + new String(password) + "\",\"port\":5432}",
            9, "2026-01-01T00:00:00Z"))));

    HeapDumps.Forked run = HeapDumps.runForked(VaultHeapDumpProbe.class, 120, address().toString(), dir.toString());
    assertThat(run.exitCode()).as(run.output()).isZero();

    List<byte[]> patterns = HeapDumps.encodings(password);
    Arrays.fill(password, '\0');
    long before = HeapDumps.count(dir.resolve("before.hprof"), patterns);
    long after = HeapDumps.count(dir.resolve("after.hprof"), patterns);
    List<List<String>> beforeHolders = new Hprof(dir.resolve("before.hprof")).holders(patterns);
    List<List<String>> afterHolders = new Hprof(dir.resolve("after.hprof")).holders(patterns);
    long beforeOutsideJdk = beforeHolders.stream().filter(h -> !inJdkConnectionBuffer(h)).count();
    long afterOutsideJdk = afterHolders.stream().filter(h -> !inJdkConnectionBuffer(h)).count();
    System.out.println("vault heap dump (Latin-1 + UTF-16BE + UTF-16LE): before=" + before + " " + beforeHolders
        + "; after=" + after + " " + afterHolders);

    assertThat(afterHolders).hasSize((int) after);
    // Positive control: the live value is found, and found in the SDK's own objects.
    assertThat(beforeOutsideJdk).as("hits outside the JDK's connection buffer before destroy").isPositive();
    // No copy the SDK made survives destroy().
    assertThat(afterOutsideJdk).as("hits outside the JDK's connection buffer after destroy: " + afterHolders).isZero();
    // What is left is at most the JDK's connection buffer.
    assertThat(after).isLessThanOrEqualTo(1);
  }

  private static boolean inJdkConnectionBuffer(List<String> holderChains) {
    return holderChains.stream().anyMatch(c -> c.endsWith(JDK_CONNECTION_BUFFER));
  }
}
