package io.secretsdk.samples.quickstart;

import io.secretsdk.Credentials;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import io.secretsdk.cache.RotationEvent;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The main sample: a JSON database secret on the file backend (a directory it creates, as a
 * Kubernetes secret volume would be), read through the lease-aware cache; then the secret is
 * rotated on disk, the cache's background refresh notices, announces the rotation, and keeps the
 * old password accepted next to the new one during the overlap. No cloud account needed.
 */
public final class Quickstart {
  private static final SecretRef DB = SecretRef.parse("file://prod/db");

  private Quickstart() {}

  /**
   * Runs the sample.
   *
   * @param args an optional directory to use instead of a new temporary one
   * @throws Exception if the directory cannot be written or the rotation is not seen in time
   */
  public static void main(String[] args) throws Exception {
    boolean ownDirectory = args.length == 0;
    Path root = ownDirectory ? Files.createTempDirectory("secretsdk-quickstart") : Path.of(args[0]);
    Files.createDirectories(root.resolve("prod"));
    char[] firstPassword = "correct-horse-battery-staple".toCharArray();
    char[] secondPassword = "tr0ub4dor-and-3".toCharArray();
    writeAtomically(root, "app", firstPassword);

    try (FileSecretSource files = FileSecretSource.of(root);
        SecretCache cache = SecretCache.builder(files)
            .defaultTtl(Duration.ofSeconds(2)) // short, so that the demo sees its refresh soon
            .refreshAhead(0.5)
            .overlap(Duration.ofMinutes(5))
            .build()) {

      Secret secret = cache.get(DB);
      Credentials db = Credentials.from(secret);
      System.out.println("read " + secret + " through the cache, from " + root);
      System.out.println("  username = " + db.username());
      System.out.println("  host     = " + db.field("host").orElse("?"));
      System.out.println("  password = " + db.password() + " (" + db.password().length() + " chars)");
      System.out.println("  a second read is served from memory: " + (cache.get(DB) == secret));

      CompletableFuture<RotationEvent> rotated = new CompletableFuture<>();
      cache.onRotation(DB, rotated::complete);

      writeAtomically(root, "app", secondPassword);
      System.out.println("rotated prod/db on disk; waiting for the cache's background refresh ...");
      RotationEvent event = rotated.get(10, TimeUnit.SECONDS);

      System.out.println("rotation event:");
      System.out.println("  " + event.ref() + ": " + event.previous().map(Secret::versionId).orElse("-")
          + " -> " + event.current().versionId() + " (" + event.reason() + ")");
      System.out.println("  the previous password stays accepted until " + event.overlapUntil());

      List<SecretValue> accepted = cache.accepted(DB.withField("password"));
      System.out.println("accepted() for " + DB.withField("password") + ": " + accepted.size() + " values");
      System.out.println("  [0] is the new password: " + accepted.get(0).contentEquals(secondPassword));
      System.out.println("  [1] is the old password: " + accepted.get(1).contentEquals(firstPassword));
      System.out.println(cache.stats());
    } finally {
      Arrays.fill(firstPassword, '\0');
      Arrays.fill(secondPassword, '\0');
      if (ownDirectory) {
        deleteTree(root);
      }
    }
    System.out.println("cache closed: every value it held is zeroed");
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Writes the secret beside its final name, then renames it over, so no reader sees half. */
  private static void writeAtomically(Path root, String username, char[] password) throws IOException {
    char[] json = ("{\"username\":\"" + username + "\",\"password\":\"").toCharArray();
    char[] tail = "\",\"host\":\"db.internal\",\"port\":5432}".toCharArray();
    CharBuffer chars = CharBuffer.allocate(json.length + password.length + tail.length);
    chars.put(json).put(password).put(tail).flip();
    ByteBuffer utf8 = StandardCharsets.UTF_8.encode(chars);
    byte[] bytes = new byte[utf8.remaining()];
    utf8.get(bytes);
    try {
      Path tmp = Files.createTempFile(root.resolve("prod"), ".db", ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, root.resolve("prod/db"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Arrays.fill(chars.array(), '\0');
      Arrays.fill(bytes, (byte) 0);
      if (utf8.hasArray()) {
        Arrays.fill(utf8.array(), (byte) 0);
      }
    }
  }
}
