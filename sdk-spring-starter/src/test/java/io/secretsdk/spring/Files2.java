package io.secretsdk.spring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import io.secretsdk.testing.LeakGuard;

/** Secret files for the file backend, written in one step, and random values registered with LeakGuard. */
final class Files2 {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Files2() {}

  static String value(String prefix) {
    StringBuilder b = new StringBuilder(prefix).append('-');
    for (int i = 0; i < 20; i++) {
      b.append((char) ('a' + RANDOM.nextInt(26)));
    }
    String v = b.toString();
    LeakGuard.watch(v);
    return v;
  }

  static Path write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), ".tmp-", ".json");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
