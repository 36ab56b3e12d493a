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
 * Issue 10, item 8: the token-character check made a clone of the token that was never wiped, and
 * the header String outlived close(). While the source is open, the token is held once as the
 * source's wiped-at-close char[] (UTF-16 in the dump) and once as the header String; after close
 * no char[] copy (UTF-16) is left, and what Latin-1 copies remain are reported with their holders
 * (the JDK's HTTP client keeps the last request's headers while a connection is pooled).
 */
class VaultTokenHeapDumpTest extends VaultFake {
  @TempDir Path dir;

  @Test
  void afterCloseNoCharArrayCopyOfTheTokenIsLeft() throws Exception {
    long seed = new SecureRandom().nextLong();
    char[] token = new char[32];
    VaultHeapDumpProbe.value(seed, token);
    token[0] = 'h';
    token[1] = 'v';
    token[2] = 's';
    token[3] = '.';
    String t = new String(token);
    LeakGuard.watch(token);
    stubLookupSelf(t, 0, false);
    wm.stubFor(get(urlEqualTo("/v1/secret/data/app")).withHeader("X-Vault-Token", equalTo(t))
        .willReturn(json(200, kv2Body("{\"k\":\"v\"}", 1, "2026-01-01T00:00:00Z"))));

    HeapDumps.Forked run = HeapDumps.runForked(VaultTokenHeapDumpProbe.class, 120, address().toString(), dir.toString(),
        Long.toString(seed));
    assertThat(run.exitCode()).as(run.output()).isZero();

    List<byte[]> all = HeapDumps.encodings(token);
    List<byte[]> utf16 = List.of(all.get(1), all.get(2));
    Arrays.fill(token, '\0');
    long openChars = HeapDumps.count(dir.resolve("open.hprof"), utf16);
    long closedChars = HeapDumps.count(dir.resolve("closed.hprof"), utf16);
    List<List<String>> closedHolders = new Hprof(dir.resolve("closed.hprof")).holders(all);
    System.out.println("[heap] token: char[] copies open=" + openChars + ", closed=" + closedChars
        + "; every copy after close, with holders: " + closedHolders);
    assertThat(openChars).as("positive control: the source's own char[] while open").isPositive();
    assertThat(closedChars).as("char[] copies of the token after close").isZero();
  }
}
