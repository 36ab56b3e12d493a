package io.secretsdk.file;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionStage;
import io.secretsdk.internal.Utf8;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Secrets as files under a root directory (scheme {@code file}), in the layout that Kubernetes
 * secret volumes, Docker secrets, the CSI secrets driver and Vault Agent produce.
 *
 * <p>A reference's name is the file's path relative to the root, with {@code /} between
 * directories. Names that are absolute, contain {@code .} or {@code ..} segments, or resolve
 * (through symbolic links) to a file outside the root are refused with {@link
 * InvalidSecretRefException}.
 *
 * <p>Kubernetes updates a secret volume by writing a new timestamped directory and then swapping
 * the {@code ..data} symbolic link to it in one step. This source resolves every link first and
 * then reads the resolved file, which is never modified in place, so a reader gets the whole old
 * or the whole new content, never half of each; a read that loses a race with the removal of the
 * old directory resolves again.
 *
 * <p>A file whose bytes are well-formed UTF-8 is a text value; any other file is binary. The
 * content is taken as is: a trailing newline is part of the value. The version id is a keyed hash
 * of the content ({@link Secret.Builder#versionIdFromContent()}); only the current version exists.
 * Files over {@value #MAX_SIZE} bytes are refused. Every buffer this source reads into is wiped.
 */
public final class FileSecretSource implements SecretSource {
  /** The largest file read, in bytes: 1 MiB. */
  public static final int MAX_SIZE = 1 << 20;

  private static final int RESOLVE_ATTEMPTS = 5;

  private final Path root;
  private final Path realRoot;

  private FileSecretSource(Path root, Path realRoot) {
    this.root = root;
    this.realRoot = realRoot;
  }

  /**
   * A source reading files under {@code root}.
   *
   * @param root an existing directory
   * @return the source
   * @throws IllegalArgumentException if {@code root} is not an existing directory
   */
  public static FileSecretSource of(Path root) {
    Objects.requireNonNull(root, "root");
    Path absolute = root.toAbsolutePath().normalize();
    try {
      Path real = absolute.toRealPath();
      if (!Files.isDirectory(real)) {
        throw new IllegalArgumentException("secret file root " + absolute + " is not a directory");
      }
      return new FileSecretSource(absolute, real);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "secret file root " + absolute + " does not exist or cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * The root directory.
   *
   * @return the absolute root path
   */
  public Path root() {
    return root;
  }

  @Override
  public String scheme() {
    return "file";
  }

  @Override
  public Secret fetch(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    Path relative = checkedPath(ref);
    if (ref.stage().isPresent() && ref.stage().get() != VersionStage.CURRENT) {
      throw new SecretNotFoundException(
          "secret file '" + ref.name() + "' has only a current version, not " + ref.stage().get(), ref);
    }
    for (int attempt = 1; ; attempt++) {
      try {
        Path real = resolve(ref, relative);
        Secret secret = read(ref, real);
        if (ref.version().isPresent() && !ref.version().get().equals(secret.versionId())) {
          secret.value().destroy();
          throw new SecretNotFoundException(
              "secret file '" + ref.name() + "' no longer has version " + ref.version().get()
                  + "; a file keeps only its current content",
              ref);
        }
        return secret;
      } catch (NoSuchFileException e) {
        // The link target vanished between resolving and reading: an update swapped it. Resolve again.
        if (attempt >= RESOLVE_ATTEMPTS) {
          throw new SecretNotFoundException(
              "secret file '" + ref.name() + "' under " + root + " is a link to a file that does not exist", ref);
        }
      } catch (AccessDeniedException e) {
        throw new SecretAccessDeniedException(
            "secret file '" + ref.name() + "' under " + root + " is not readable by this process; check its permissions",
            ref);
      } catch (IOException e) {
        throw new SecretUnavailableException(
            "secret file '" + ref.name() + "' under " + root + " could not be read (" + e.getClass().getSimpleName() + ")",
            ref);
      }
    }
  }

  private Path checkedPath(SecretRef ref) {
    String name = ref.name();
    if (name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
      throw new InvalidSecretRefException(
          "secret file name '" + name + "' must be a relative path with '/' separators", ref);
    }
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new InvalidSecretRefException(
            "secret file name '" + name + "' must not have empty, '.' or '..' segments", ref);
      }
    }
    return Path.of(name);
  }

  /**
   * Resolves every link. A NoSuchFileException escapes only when the name itself exists (a link
   * whose target vanished in an update), so that the caller resolves again.
   */
  private Path resolve(SecretRef ref, Path relative) throws NoSuchFileException {
    Path candidate = root.resolve(relative);
    Path real;
    try {
      real = candidate.toRealPath();
    } catch (NoSuchFileException e) {
      if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
        throw e;
      }
      throw new SecretNotFoundException("no secret file '" + ref.name() + "' under " + root, ref);
    } catch (AccessDeniedException e) {
      throw new SecretAccessDeniedException(
          "secret file '" + ref.name() + "' under " + root + " is not accessible to this process; check its permissions",
          ref);
    } catch (IOException e) {
      throw new SecretUnavailableException(
          "secret file '" + ref.name() + "' under " + root + " could not be resolved (" + e.getClass().getSimpleName() + ")",
          ref);
    }
    if (!real.startsWith(realRoot)) {
      throw new InvalidSecretRefException(
          "secret file '" + ref.name() + "' resolves outside the root " + root + " (a symbolic link escapes it)", ref);
    }
    return real;
  }

  private Secret read(SecretRef ref, Path real) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isRegularFile()) {
      throw new SecretNotFoundException(
          "'" + ref.name() + "' under " + root + " is not a regular file, so it is not a secret", ref);
    }
    if (attributes.size() > MAX_SIZE) {
      throw new SecretFormatException(
          "secret file '" + ref.name() + "' is " + attributes.size() + " bytes, over the limit of " + MAX_SIZE, ref);
    }
    byte[] content = readBounded(ref, real, (int) attributes.size());
    try {
      SecretValue value = Utf8.isWellFormed(content) ? SecretValue.fromUtf8(content) : SecretValue.copyOfBinary(content);
      return Secret.builder(ref.name())
          .value(value)
          .versionIdFromContent()
          .stages(Set.of(VersionStage.CURRENT))
          .createdAt(attributes.lastModifiedTime().toInstant())
          .metadata(Map.of("file.path", real.toString()))
          .build();
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  /** Reads at most MAX_SIZE bytes with a plain stream (no direct buffers), wiping every buffer. */
  private static byte[] readBounded(SecretRef ref, Path real, int expected) throws IOException {
    byte[] buffer = new byte[Math.min(MAX_SIZE + 1, Math.max(expected + 1, 64))];
    int n = 0;
    try (InputStream in = new FileInputStream(real.toFile())) {
      while (true) {
        if (n == buffer.length) {
          if (buffer.length > MAX_SIZE) {
            throw new SecretFormatException(
                "secret file '" + ref.name() + "' grew over the limit of " + MAX_SIZE + " bytes while being read", ref);
          }
          byte[] bigger = Arrays.copyOf(buffer, Math.min(MAX_SIZE + 1, buffer.length * 2));
          Arrays.fill(buffer, (byte) 0);
          buffer = bigger;
        }
        int r = in.read(buffer, n, buffer.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      return Arrays.copyOf(buffer, n);
    } catch (FileNotFoundException e) {
      // FileInputStream reports both a missing and an unreadable file this way.
      if (Files.exists(real)) {
        throw new AccessDeniedException(real.toString());
      }
      throw new NoSuchFileException(real.toString());
    } finally {
      Arrays.fill(buffer, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "FileSecretSource[" + root + "]";
  }
}
