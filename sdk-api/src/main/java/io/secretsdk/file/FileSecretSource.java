package io.secretsdk.file;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.SecretValue;
import io.secretsdk.VersionStage;
import io.secretsdk.file.internal.FileTree;
import io.secretsdk.file.internal.TreeWatch;
import io.secretsdk.internal.Utf8;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Secrets as files under a root directory (scheme {@code file}), in the layout that Kubernetes
 * secret volumes, Docker secrets, the CSI secrets driver and Vault Agent produce.
 *
 * <p>A reference's name is the file's path relative to the root, with {@code /} between
 * directories. Names that are absolute or contain empty, {@code .} or {@code ..} segments are
 * refused with {@link InvalidSecretRefException}, and so is a name whose symbolic links lead
 * outside the root.
 *
 * <h2>How a file is opened: no escape, no hang</h2>
 *
 * On platforms with {@link java.nio.file.SecureDirectoryStream} (Linux and the other Unix
 * systems of the JDK), the root is opened as a directory and every name is opened from the
 * directory above it, one component at a time, without following links ({@code openat} with
 * {@code O_NOFOLLOW}). Symbolic links, such as the {@code ..data} link of a Kubernetes volume, are
 * read and followed by this class, which checks that each target stays inside the root (at most
 * {@value #MAX_LINKS} links per name). So a link or a parent directory swapped for a link to
 * outside content while a read is under way is refused or read again; it is never followed out of
 * the root. Only regular files are secrets: the type is checked on the name before it is opened,
 * and the opened file must be seekable, which FIFOs, sockets and terminals are not.
 *
 * <p>Opening a FIFO for reading blocks until someone writes to it, and Java has no non-blocking
 * open ({@code O_NONBLOCK} is not among the JDK's open options). So a read runs on one of this
 * source's own daemon threads ({@code secretsdk-file-read-N}, at most 64 at once, each ended
 * after 10 idle seconds; a read beyond that is refused with {@link SecretUnavailableException}),
 * and the caller waits at most the
 * read timeout (2 seconds by default, {@link #of(Path, Duration)}): a FIFO swapped in between the
 * type check and the open ends the caller's wait with {@link SecretUnavailableException}, and the
 * blocked open is then released by opening the FIFO for reading and writing (which never blocks on
 * Linux), where this process may. A read that times out never hands its value to anyone: it is
 * wiped when it completes.
 *
 * <p>Where the JDK has no {@code SecureDirectoryStream} (Windows), the fall-back resolves the real
 * path, checks that it lies under the root, and opens it without following a final link. There, a
 * parent directory swapped for a link between the check and the open can still be followed:
 * give write access below a secrets root only to what writes the secrets.
 *
 * <p>A hard link is a file like any other: content hard-linked into the root from outside is
 * read. Linux refuses hard links to other users' files ({@code fs.protected_hardlinks}, on by
 * default).
 *
 * <h2>Updates</h2>
 *
 * Kubernetes updates a secret volume by writing a new timestamped directory and then swapping the
 * {@code ..data} symbolic link to it in one step. A reader gets the whole old or the whole new
 * content, never half of each; a read that loses a race with the removal of the old directory
 * resolves again. {@link #watch} watches the root and the directories below it and tells a cache
 * within a second which secrets may have changed; a cache's scheduled refresh (polling) stays the
 * fall-back.
 *
 * <h2>Values</h2>
 *
 * A file whose bytes are well-formed UTF-8 is a text value; any other file is binary. The content
 * is taken exactly as it is: a trailing newline is part of the value, and nothing is trimmed (the
 * SDK trims only files that hold its own login credentials, such as a Vault token file). The
 * version id is a keyed hash of the content ({@link Secret.Builder#versionIdFromContent()}); only
 * the current version exists. Files over {@value #MAX_SIZE} bytes are refused. The file is read
 * into a direct buffer this source owns, and every buffer it reads into is wiped.
 */
public final class FileSecretSource implements SecretSource {
  /** The largest file read, in bytes: 1 MiB. */
  public static final int MAX_SIZE = 1 << 20;

  /** The most symbolic links followed for one name. */
  public static final int MAX_LINKS = 40;

  /** How long a caller waits for a read by default: 2 seconds. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(2);

  /** The most reader threads; more reads at once (or reads left blocked on FIFOs) are refused. */
  private static final int READ_THREADS = 64;
  private static final Duration IDLE = Duration.ofSeconds(10);
  private static final AtomicInteger SOURCES = new AtomicInteger();

  private final Path root;
  private final Duration readTimeout;
  private final FileTree tree;
  private final ThreadPoolExecutor readers;
  private final Set<TreeWatch> watches = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private FileSecretSource(Path root, Path realRoot, Duration readTimeout, boolean secure) {
    this.root = root;
    this.readTimeout = readTimeout;
    this.tree = new FileTree(root, realRoot, secure, MAX_SIZE, MAX_LINKS);
    int id = SOURCES.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    this.readers = new ThreadPoolExecutor(0, READ_THREADS, IDLE.toSeconds(), TimeUnit.SECONDS, new SynchronousQueue<>(),
        r -> {
          Thread t = new Thread(r, "secretsdk-file-read-" + id + "-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * A source reading files under {@code root}, with the default read timeout.
   *
   * @param root an existing directory
   * @return the source
   * @throws SecretConfigurationException if {@code root} is not an existing, readable directory
   */
  public static FileSecretSource of(Path root) {
    return of(root, DEFAULT_READ_TIMEOUT);
  }

  /**
   * A source reading files under {@code root}.
   *
   * @param root an existing directory
   * @param readTimeout how long a caller waits for one file to be opened and read; a local file
   *     takes microseconds, so this bounds only what cannot be read (a FIFO swapped in, a stalled
   *     network file system)
   * @return the source
   * @throws SecretConfigurationException if {@code root} is not an existing, readable directory
   */
  public static FileSecretSource of(Path root, Duration readTimeout) {
    return create(root, readTimeout, true);
  }

  /** For tests: {@code secure = false} takes the fall-back path even where the JDK has a SecureDirectoryStream. */
  static FileSecretSource create(Path root, Duration readTimeout, boolean secureIfAvailable) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(readTimeout, "readTimeout");
    if (readTimeout.isNegative() || readTimeout.isZero()) {
      throw new IllegalArgumentException("readTimeout must be positive: " + readTimeout);
    }
    Path absolute = root.toAbsolutePath().normalize();
    Path real;
    try {
      real = absolute.toRealPath();
    } catch (AccessDeniedException e) {
      throw new SecretConfigurationException("the secret file root " + absolute
          + " is not accessible to this process; check its permissions, or set file.root to another directory");
    } catch (IOException e) {
      throw new SecretConfigurationException("the secret file root " + absolute
          + " does not exist (" + e.getClass().getSimpleName() + "); create it, or set file.root to an existing directory");
    }
    if (!Files.isDirectory(real)) {
      throw new SecretConfigurationException(
          "the secret file root " + absolute + " is not a directory; set file.root to the directory that holds the files");
    }
    boolean secure = secureIfAvailable && FileTree.secureStreamsAvailable(real);
    return new FileSecretSource(absolute, real, readTimeout, secure);
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

  /**
   * Reads a file.
   *
   * @param ref which file, relative to the root; its field, if any, is ignored
   * @return the file's content, owned by the caller
   * @throws InvalidSecretRefException if the name is not a relative path, or its links leave the root
   * @throws SecretNotFoundException if there is no such regular file, or another version is asked for
   * @throws SecretAccessDeniedException if this process may not read it
   * @throws SecretFormatException if it is over {@value #MAX_SIZE} bytes, or its links form a loop
   * @throws SecretUnavailableException if it could not be read within the read timeout, or kept
   *     changing while being read
   * @throws IllegalStateException if this source is closed
   */
  @Override
  public Secret fetch(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    if (closed) {
      throw new IllegalStateException("this FileSecretSource is closed");
    }
    if (ref.scheme().isPresent() && !ref.scheme().get().equals("file")) {
      throw new InvalidSecretRefException(
          "secret reference '" + ref + "' is for scheme '" + ref.scheme().get() + "', not file", ref);
    }
    String[] segments = checkedSegments(ref);
    if (ref.stage().isPresent() && ref.stage().get() != VersionStage.CURRENT) {
      throw new SecretNotFoundException(
          "secret file '" + FileTree.printable(ref.name()) + "' has only a current version, not " + ref.stage().get(), ref);
    }
    Secret secret = readBounded(ref, segments);
    if (ref.version().isPresent() && !ref.version().get().equals(secret.versionId())) {
      secret.value().destroy();
      throw new SecretNotFoundException(
          "secret file '" + FileTree.printable(ref.name()) + "' no longer has version " + ref.version().get()
              + "; a file keeps only its current content",
          ref);
    }
    return secret;
  }

  /** Runs the read on a reader thread and waits at most the read timeout. */
  private Secret readBounded(SecretRef ref, String[] segments) {
    FileTree.Read read = tree.newRead(ref, segments);
    CompletableFuture<Secret> result = new CompletableFuture<>();
    try {
      readers.execute(() -> {
        if (result.isDone()) {
          return;
        }
        try {
          FileTree.Content content = read.run();
          Secret secret = toSecret(ref, content);
          if (!result.complete(secret)) {
            secret.value().destroy();
          }
        } catch (Throwable t) {
          result.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      if (closed) {
        throw new IllegalStateException("this FileSecretSource is closed");
      }
      throw new SecretUnavailableException("secret file '" + FileTree.printable(ref.name()) + "' under " + root
          + " was not read: " + READ_THREADS + " reads are in progress or blocked (FIFOs under the root?); try again",
          ref);
    }
    try {
      return result.get(readTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      result.cancel(false);
      boolean released = read.releaseBlockedOpen();
      throw new SecretUnavailableException("secret file '" + FileTree.printable(ref.name()) + "' under " + root + " could not be read within "
          + readTimeout + (released
              ? ": it was a FIFO, not a regular file (opening a FIFO waits for a writer)"
              : ": a FIFO or device in place of the file, or a stalled file system"), ref);
    } catch (InterruptedException e) {
      result.cancel(false);
      Thread.currentThread().interrupt();
      throw new SecretUnavailableException("interrupted while reading secret file '" + FileTree.printable(ref.name()) + "'", ref);
    } catch (CancellationException e) {
      throw new SecretUnavailableException("the read of secret file '" + FileTree.printable(ref.name()) + "' was cancelled", ref);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SecretException) {
        // Re-thrown as is: a fresh stack would hide nothing, and the type and message are what matter.
        throw (SecretException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new SecretUnavailableException("secret file '" + FileTree.printable(ref.name()) + "' under " + root + " could not be read ("
          + (cause == null ? "unknown" : cause.getClass().getSimpleName()) + ")", ref);
    }
  }

  private static Secret toSecret(SecretRef ref, FileTree.Content content) {
    byte[] bytes = content.bytes();
    try {
      SecretValue value = Utf8.isWellFormed(bytes) ? SecretValue.fromUtf8(bytes) : SecretValue.copyOfBinary(bytes);
      BasicFileAttributes attributes = content.attributes();
      return Secret.builder(ref.name())
          .value(value)
          .versionIdFromContent()
          .stages(Set.of(VersionStage.CURRENT))
          .createdAt(attributes.lastModifiedTime().toInstant())
          .metadata(Map.of("file.path", content.path().toString()))
          .build();
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  private static String[] checkedSegments(SecretRef ref) {
    String name = ref.name();
    if (name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
      throw new InvalidSecretRefException(
          "secret file name '" + FileTree.printable(name) + "' must be a relative path with '/' separators", ref);
    }
    String[] segments = name.split("/", -1);
    for (String segment : segments) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new InvalidSecretRefException(
            "secret file name '" + FileTree.printable(name) + "' must not have empty, '.' or '..' segments", ref);
      }
      try {
        Path.of(segment);
      } catch (java.nio.file.InvalidPathException e) {
        throw new InvalidSecretRefException(
            "secret file name '" + FileTree.printable(name) + "' is not a valid file name on this platform", ref);
      }
    }
    return segments;
  }

  /**
   * Watches the root and every directory below it (Java's {@link java.nio.file.WatchService}, on
   * Linux inotify), and tells {@code listener}, within a second of a change, which secrets may have
   * changed: a change directly in the root (such as Kubernetes' {@code ..data} swap, or any file
   * there) affects every secret of this source; a change in a directory below it affects the names
   * under that directory and the names whose last read passed through it. Directories created later
   * are watched as they appear. The watch runs on one daemon thread ({@code secretsdk-file-watch});
   * closing it, or this source, stops that thread.
   *
   * <p>A watch is a hint: on file systems where the JDK polls instead (macOS) or that do not report
   * changes (some network file systems), changes are seen late or not at all, and a cache's
   * scheduled refresh still finds them.
   *
   * @param listener told which references may have changed; called on the watch thread
   * @return the running watch, or empty if the platform offers no watch service
   */
  @Override
  public Optional<Watch> watch(ChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (closed) {
      throw new IllegalStateException("this FileSecretSource is closed");
    }
    Optional<TreeWatch> w = TreeWatch.start(root, tree, listener, watches::remove);
    w.ifPresent(watches::add);
    return w.map(x -> x);
  }

  /**
   * Stops the watches and the reader threads. A read still blocked on a FIFO is abandoned. Further
   * fetches throw {@link IllegalStateException}. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    for (TreeWatch w : watches) {
      w.close();
    }
    readers.shutdownNow();
  }

  @Override
  public String toString() {
    return "FileSecretSource[" + root + "]";
  }
}
