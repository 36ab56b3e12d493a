package io.secretsdk.vault;

import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.testing.HeapDumps;
import java.net.URI;
import java.nio.file.Path;

/**
 * Run in its own JVM by {@link VaultTokenHeapDumpTest}: builds a token-auth source from a token
 * (which the caller then destroys, as VaultAuth's javadoc asks), reads one secret, dumps the heap
 * to {@code open.hprof}, closes the source, and dumps again to {@code closed.hprof}.
 */
public final class VaultTokenHeapDumpProbe {
  private VaultTokenHeapDumpProbe() {}

  /**
   * Runs the probe.
   *
   * @param args Vault's address, the directory for the dumps, and the token's seed
   * @throws Exception on any failure, which fails the forked JVM
   */
  public static void main(String[] args) throws Exception {
    URI address = URI.create(args[0]);
    Path dir = Path.of(args[1]);
    char[] token = new char[32];
    VaultHeapDumpProbe.value(Long.parseLong(args[2]), token);
    token[0] = 'h';
    token[1] = 'v';
    token[2] = 's';
    token[3] = '.';
    SecretValue given = SecretValue.wrap(token);
    VaultSecretSource source = VaultSecretSource.builder().address(address).auth(VaultAuth.token(given)).build();
    given.destroy();
    source.fetch(SecretRef.parse("vault://secret/app")).value().destroy();
    HeapDumps.dump(dir.resolve("open.hprof"));
    source.close();
    HeapDumps.dump(dir.resolve("closed.hprof"));
    System.out.println("probe done");
  }
}
