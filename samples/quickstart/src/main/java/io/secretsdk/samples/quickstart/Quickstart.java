package io.secretsdk.samples.quickstart;

import io.secretsdk.Credentials;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretSources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a JSON database secret from a directory it creates, the way an application reads a
 * Kubernetes secret volume: no cloud account needed.
 */
public final class Quickstart {
  private Quickstart() {}

  /**
   * Runs the sample.
   *
   * @param args an optional directory to use instead of a new temporary one
   * @throws IOException if the directory cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path root = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("secretsdk-quickstart");
    Files.createDirectories(root.resolve("prod"));
    Files.write(
        root.resolve("prod/db"),
        "{\"username\":\"app\",\"password\":\"correct-horse-battery-staple\",\"host\":\"db.internal\",\"port\":5432}"
            .getBytes(StandardCharsets.UTF_8));

    try (SecretSource source = SecretSources.fromProperties(Map.of("file.root", root.toString()))) {
      Secret secret = source.fetch(SecretRef.parse("file://prod/db"));
      try (var value = secret.value()) {
        Credentials credentials = Credentials.from(secret);
        System.out.println("read " + secret + " from " + root);
        System.out.println("  username = " + credentials.username());
        System.out.println("  host     = " + credentials.field("host").orElse("?"));
        System.out.println("  password = " + credentials.password() + " (" + credentials.password().length() + " chars)");
      }
      System.out.println("value destroyed after use: " + secret.value().isDestroyed());
    }
  }
}
