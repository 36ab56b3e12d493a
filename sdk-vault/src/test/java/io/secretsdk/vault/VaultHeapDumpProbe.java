package io.secretsdk.vault;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.testing.HeapDumps;
import java.net.URI;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Run in its own JVM by {@link VaultHeapDumpTest}, so that WireMock (which holds the answer it
 * serves) is not in the dumped heap: reads a KV v2 secret through {@link VaultSecretSource}, reads
 * its password field once, dumps the heap to {@code before.hprof}, destroys the value and dumps
 * again to {@code after.hprof}. The source stays open, as in an application that goes on.
 */
public final class VaultHeapDumpProbe {
  private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();

  private VaultHeapDumpProbe() {}

  /** Fills {@code out} with the value the seed stands for. */
  static void value(long seed, char[] out) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
  }

  /**
   * Runs the probe.
   *
   * @param args Vault's address and the directory for the dumps
   * @throws Exception on any failure, which fails the forked JVM
   */
  public static void main(String[] args) throws Exception {
    URI address = URI.create(args[0]);
    Path dir = Path.of(args[1]);
    VaultSecretSource source = VaultSecretSource.builder().address(address)
        .auth(VaultAuth.token(SecretValue.copyOf("hvs.heap-dump-probe-token".toCharArray()))).build();
    Secret secret = source.fetch(SecretRef.parse("vault://secret/app"));
    int length = secret.field("password").withChars(chars -> chars.length);
    if (length != 32) {
      throw new IllegalStateException("unexpected length " + length);
    }
    HeapDumps.dump(dir.resolve("before.hprof"));
    secret.value().destroy();
    HeapDumps.dump(dir.resolve("after.hprof"));
    System.out.println("probe done");
    source.close();
  }
}
