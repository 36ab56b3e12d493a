package io.secretsdk.file.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Reads one file under a root without following a link out of it, as {@code FileSecretSource}
 * documents: component by component from an open root directory ({@link SecureDirectoryStream}:
 * {@code openat} with {@code O_NOFOLLOW}), links read and followed here with each target checked,
 * only regular files opened, and the opened file checked to be seekable. Without secure streams,
 * the real path is resolved and checked, then opened without following a final link.
 *
 * <p>Records, per name, the directories its last read passed through, so that a watch can tell
 * which names a change below the root may affect.
 */
public final class FileTree {
  private static final Set<OpenOption> READ_NOFOLLOW = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
  private static final Set<OpenOption> RDWR_NOFOLLOW =
      Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  private static final int ATTEMPTS = 5;
  private static final int MAX_RECORDED = 10_000;

  private final Path root;
  private final Path realRoot;
  private final boolean secure;
  private final int maxSize;
  private final int maxLinks;
  private final Map<String, Set<String>> passedThrough = new ConcurrentHashMap<>();

  /**
   * Creates the reader.
   *
   * @param root the absolute, normalized root
   * @param realRoot the root with its links resolved
   * @param secure whether to use secure directory streams ({@link #secureStreamsAvailable})
   * @param maxSize the largest file read
   * @param maxLinks the most links followed for one name
   */
  public FileTree(Path root, Path realRoot, boolean secure, int maxSize, int maxLinks) {
    this.root = root;
    this.realRoot = realRoot;
    this.secure = secure;
    this.maxSize = maxSize;
    this.maxLinks = maxLinks;
  }

  /**
   * Whether the JDK opens {@code dir} as a {@link SecureDirectoryStream}.
   *
   * @param dir a directory
   * @return {@code true} on Linux and the other Unix systems of the JDK
   */
  public static boolean secureStreamsAvailable(Path dir) {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      return ds instanceof SecureDirectoryStream;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Whether secure directory streams are used.
   *
   * @return {@code false} on the fall-back path
   */
  public boolean secure() {
    return secure;
  }

  /**
   * A name as it may be written in a message or a log line: control characters escaped, so that
   * a name cannot forge a line.
   *
   * @param name a name
   * @return the name with characters below U+0020, U+007F, the line separators and unpaired
   *     surrogates as {@code \\uXXXX}
   */
  public static String printable(String name) {
    StringBuilder sb = null;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean lone = Character.isHighSurrogate(c)
          ? i + 1 >= name.length() || !Character.isLowSurrogate(name.charAt(i + 1))
          : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(name.charAt(i - 1)));
      boolean control = c < 0x20 || c == 0x7F || c == 0x85 || c == 0x2028 || c == 0x2029 || lone;
      if (control && sb == null) {
        sb = new StringBuilder(name.length() + 16).append(name, 0, i);
      }
      if (sb != null) {
        if (control) {
          sb.append(String.format("\\u%04X", (int) c));
        } else {
          sb.append(c);
        }
      }
    }
    return sb == null ? name : sb.toString();
  }

  /**
   * Whether the last read of {@code name} passed through directory {@code dir}.
   *
   * @param name a secret's name
   * @param dir a directory, relative to the root, {@code /}-separated
   * @return {@code true} if its last read opened that directory
   */
  public boolean passedThrough(String name, String dir) {
    Set<String> dirs = passedThrough.get(name);
    return dirs != null && dirs.contains(dir);
  }

  /**
   * What was read.
   *
   * @param bytes the content, owned by the receiver, who wipes it
   * @param attributes the file's attributes, read on the name before it was opened
   * @param path where it was read, with the links followed
   */
  public record Content(byte[] bytes, BasicFileAttributes attributes, Path path) {
    /**
     * Never shows the content.
     *
     * @return the path and size
     */
    @Override
    public String toString() {
      return "Content[" + path + ", " + bytes.length + " bytes]";
    }
  }

  /**
   * Prepares the read of one name.
   *
   * @param ref the reference, for messages
   * @param segments the name's checked segments
   * @return the read, to {@link Read#run} once
   */
  public Read newRead(SecretRef ref, String[] segments) {
    return new Read(ref, segments);
  }

  /** Thrown inside a walk when the tree changed under it: walk again. */
  private static final class Changed extends Exception {
    private static final long serialVersionUID = 1L;

    Changed() {
      super(null, null, false, false);
    }
  }

  /** One read of one name; {@link #releaseBlockedOpen} may be called from another thread. */
  public final class Read {
    private final SecretRef ref;
    private final String name;
    private final String[] segments;
    private volatile @Nullable SecureDirectoryStream<Path> openingIn;
    private volatile @Nullable Path opening;

    Read(SecretRef ref, String[] segments) {
      this.ref = ref;
      this.name = printable(ref.name());
      this.segments = segments;
    }

    /**
     * Opens and reads the file.
     *
     * @return the content
     * @throws io.secretsdk.SecretException the typed failure
     */
    public Content run() {
      boolean dangling = false;
      for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        try {
          return secure ? walk() : fallback();
        } catch (Changed e) {
          dangling = false;
        } catch (NoSuchFileException e) {
          dangling = true;
        } catch (AccessDeniedException e) {
          throw new SecretAccessDeniedException(
              "secret file '" + name + "' under " + root + " is not readable by this process; check its permissions", ref);
        } catch (IOException e) {
          throw new SecretUnavailableException(
              "secret file '" + name + "' under " + root + " could not be read (" + e.getClass().getSimpleName() + ")", ref);
        }
      }
      if (dangling) {
        throw new SecretNotFoundException(
            "secret file '" + name + "' under " + root + " is a link to a file that does not exist", ref);
      }
      throw new SecretUnavailableException(
          "secret file '" + name + "' under " + root + " kept changing while being read (" + ATTEMPTS
              + " attempts); try again",
          ref);
    }

    /**
     * Releases an open blocked on a FIFO: opens every FIFO (or other special file) in the directory
     * where the open was made for reading and writing, which never blocks on Linux and wakes a
     * blocked reader. The FIFO may have been renamed since, so the whole directory is searched; a
     * FIFO moved elsewhere, or one this process may not open for writing, stays blocked until
     * someone writes to it (the reader thread is then abandoned, and counts against the source's
     * limit of reader threads).
     *
     * @return whether a FIFO was found and opened
     */
    public boolean releaseBlockedOpen() {
      SecureDirectoryStream<Path> dir = openingIn;
      if (dir == null || opening == null) {
        return false;
      }
      boolean released = false;
      try {
        for (Path entry : dir) {
          Path p = entry.getFileName();
          try {
            BasicFileAttributes a = dir.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
            if (a.isOther()) {
              try (SeekableByteChannel unused = dir.newByteChannel(p, RDWR_NOFOLLOW)) {
                released = true;
              }
            }
          } catch (IOException | RuntimeException e) {
            // not openable: not ours to release
          }
        }
      } catch (RuntimeException e) {
        // the walk closed the directory meanwhile: its open returned
      }
      return released;
    }

    private Content walk() throws IOException, Changed {
      DirectoryStream<Path> top = Files.newDirectoryStream(root);
      if (!(top instanceof SecureDirectoryStream)) {
        top.close();
        throw new IOException("the root is no longer opened as a secure directory stream");
      }
      Deque<SecureDirectoryStream<Path>> dirs = new ArrayDeque<>();
      dirs.addLast((SecureDirectoryStream<Path>) top);
      List<String> names = new ArrayList<>();
      Set<String> visited = new HashSet<>();
      try {
        Deque<String> pending = new ArrayDeque<>(List.of(segments));
        int links = 0;
        boolean viaLink = false;
        while (true) {
          String next = pending.pollFirst();
          if (next == null) {
            throw new SecretNotFoundException(
                "'" + name + "' under " + root + " is a directory, not a regular file, so it is not a secret", ref);
          }
          if (next.isEmpty() || next.equals(".")) {
            continue;
          }
          if (next.equals("..")) {
            if (dirs.size() == 1) {
              throw escapes();
            }
            dirs.removeLast().close();
            names.remove(names.size() - 1);
            continue;
          }
          SecureDirectoryStream<Path> dir = dirs.getLast();
          Path p = Path.of(next);
          BasicFileAttributes a;
          try {
            a = dir.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
          } catch (NoSuchFileException e) {
            if (viaLink) {
              throw e;
            }
            throw notFound();
          }
          if (a.isSymbolicLink()) {
            if (++links > maxLinks) {
              throw new SecretFormatException("secret file '" + name + "' under " + root + " goes through more than "
                  + maxLinks + " symbolic links (a loop?)", ref);
            }
            Path target;
            try {
              target = Files.readSymbolicLink(logical(names).resolve(next));
            } catch (NotLinkException | NoSuchFileException e) {
              throw new Changed();
            }
            viaLink = true;
            List<String> parts = new ArrayList<>();
            if (target.isAbsolute()) {
              Path inside = inside(target);
              if (inside == null) {
                throw escapes();
              }
              while (dirs.size() > 1) {
                dirs.removeLast().close();
              }
              names.clear();
              for (Path part : inside) {
                parts.add(part.toString());
              }
            } else {
              for (Path part : target) {
                parts.add(part.toString());
              }
            }
            for (int i = parts.size() - 1; i >= 0; i--) {
              pending.addFirst(parts.get(i));
            }
            continue;
          }
          if (pending.isEmpty()) {
            return open(dir, p, a, names, next, visited);
          }
          if (!a.isDirectory()) {
            if (viaLink) {
              throw new Changed();
            }
            throw notFound();
          }
          SecureDirectoryStream<Path> sub;
          openingIn = dir;
          opening = p;
          try {
            sub = dir.newDirectoryStream(p, LinkOption.NOFOLLOW_LINKS);
          } catch (NotDirectoryException | NoSuchFileException e) {
            throw new Changed();
          } catch (AccessDeniedException e) {
            throw e;
          } catch (IOException e) {
            // ELOOP: a link swapped in since its attributes were read.
            throw new Changed();
          } finally {
            opening = null;
          }
          dirs.addLast(sub);
          names.add(next);
          visited.add(String.join("/", names));
        }
      } finally {
        while (dirs.size() > 0) {
          try {
            dirs.removeLast().close();
          } catch (IOException ignored) {
            // closing a directory stream we opened
          }
        }
      }
    }

    private Content open(SecureDirectoryStream<Path> dir, Path p, BasicFileAttributes a, List<String> names, String last,
        Set<String> visited) throws IOException, Changed {
      Path where = logical(names).resolve(last);
      checkReadable(a);
      SeekableByteChannel channel;
      openingIn = dir;
      opening = p;
      try {
        channel = dir.newByteChannel(p, READ_NOFOLLOW);
      } catch (AccessDeniedException e) {
        throw e;
      } catch (IOException e) {
        // Gone, or a link swapped in (ELOOP) since its attributes were read.
        throw new Changed();
      } finally {
        opening = null;
      }
      try (SeekableByteChannel c = channel) {
        byte[] bytes = readAll(c);
        record(visited);
        return new Content(bytes, a, where);
      }
    }

    private Content fallback() throws IOException, Changed {
      Path candidate = root;
      for (String s : segments) {
        candidate = candidate.resolve(s);
      }
      Path real;
      try {
        real = candidate.toRealPath();
      } catch (NoSuchFileException e) {
        if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
          throw e;
        }
        throw notFound();
      }
      if (!real.startsWith(realRoot)) {
        throw escapes();
      }
      BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      checkReadable(a);
      SeekableByteChannel channel;
      try {
        channel = Files.newByteChannel(real, READ_NOFOLLOW);
      } catch (AccessDeniedException | NoSuchFileException e) {
        throw e;
      } catch (IOException e) {
        throw new Changed();
      }
      try (SeekableByteChannel c = channel) {
        return new Content(readAll(c), a, real);
      }
    }

    private byte[] readAll(SeekableByteChannel c) throws IOException {
      try {
        c.position();
      } catch (IOException e) {
        // lseek fails (ESPIPE) on FIFOs, sockets and terminals: not a regular file after all.
        throw notRegular();
      }
      ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(maxSize + 1L, Math.max(c.size() + 1, 64)));
      try {
        while (true) {
          if (!buf.hasRemaining()) {
            if (buf.capacity() > maxSize) {
              throw new SecretFormatException("secret file '" + name + "' under " + root + " grew over the limit of "
                  + maxSize + " bytes while being read", ref);
            }
            ByteBuffer bigger = ByteBuffer.allocateDirect((int) Math.min(maxSize + 1L, buf.capacity() * 2L));
            buf.flip();
            bigger.put(buf);
            wipe(buf);
            buf = bigger;
          }
          if (c.read(buf) < 0) {
            break;
          }
        }
        byte[] out = new byte[buf.position()];
        buf.flip();
        buf.get(out);
        return out;
      } catch (IOException e) {
        // EISDIR: a directory swapped in since its attributes were read.
        throw new IOException("read failed", null);
      } finally {
        wipe(buf);
      }
    }

    /** Only a regular file within the size limit is read. */
    private void checkReadable(BasicFileAttributes a) {
      if (a.isDirectory()) {
        throw new SecretNotFoundException(
            "'" + name + "' under " + root + " is a directory, not a regular file, so it is not a secret", ref);
      }
      if (!a.isRegularFile()) {
        throw notRegular();
      }
      checkSize(a.size());
    }

    private void checkSize(long size) {
      if (size > maxSize) {
        throw new SecretFormatException(
            "secret file '" + name + "' is " + size + " bytes, over the limit of " + maxSize, ref);
      }
    }

    private void record(Set<String> visited) {
      if (passedThrough.size() > MAX_RECORDED) {
        passedThrough.clear();
      }
      passedThrough.put(ref.name(), visited.isEmpty() ? Set.of() : Set.copyOf(visited));
    }

    private Path logical(List<String> names) {
      Path p = root;
      for (String n : names) {
        p = p.resolve(n);
      }
      return p;
    }

    /** An absolute link target as a path relative to the root, or null if it is outside. */
    private @Nullable Path inside(Path target) {
      Path t = target.normalize();
      if (t.startsWith(root)) {
        return root.relativize(t);
      }
      if (t.startsWith(realRoot)) {
        return realRoot.relativize(t);
      }
      return null;
    }

    private InvalidSecretRefException escapes() {
      return new InvalidSecretRefException(
          "secret file '" + name + "' resolves outside the root " + root + " (a symbolic link escapes it)", ref);
    }

    private SecretNotFoundException notFound() {
      return new SecretNotFoundException("no secret file '" + name + "' under " + root, ref);
    }

    private SecretNotFoundException notRegular() {
      return new SecretNotFoundException("'" + name + "' under " + root
          + " is not a regular file (a FIFO, socket or device), so it is not a secret", ref);
    }
  }

  private static void wipe(ByteBuffer buf) {
    buf.clear();
    while (buf.remaining() >= 8) {
      buf.putLong(0L);
    }
    while (buf.hasRemaining()) {
      buf.put((byte) 0);
    }
    buf.clear();
  }
}
