package io.secretsdk.file.internal;

import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a secrets root and the directories below it with a {@link WatchService}, as {@code
 * FileSecretSource.watch} documents: events are gathered for {@value #COALESCE_MS} ms, so that
 * the several events of one Kubernetes update make one call of the listener.
 */
public final class TreeWatch implements SecretSource.Watch {
  private static final Logger LOG = LoggerFactory.getLogger(TreeWatch.class);
  private static final long COALESCE_MS = 100;
  private static final int MAX_DEPTH = 16;
  private static final int MAX_DIRS = 4096;

  private final Path root;
  private final FileTree tree;
  private final SecretSource.ChangeListener listener;
  private final Consumer<TreeWatch> onClose;
  private final WatchService service;
  private final Map<WatchKey, String> dirs = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean closed;

  private TreeWatch(Path root, FileTree tree, SecretSource.ChangeListener listener, Consumer<TreeWatch> onClose,
      WatchService service) {
    this.root = root;
    this.tree = tree;
    this.listener = listener;
    this.onClose = onClose;
    this.service = service;
    this.thread = new Thread(this::run, "secretsdk-file-watch");
    this.thread.setDaemon(true);
  }

  /**
   * Starts watching.
   *
   * @param root the root
   * @param tree the reader, which knows which directories each name's last read passed through
   * @param listener told what may have changed
   * @param onClose told when the watch closes
   * @return the watch, or empty if the file system offers no watch service
   */
  public static Optional<TreeWatch> start(Path root, FileTree tree, SecretSource.ChangeListener listener,
      Consumer<TreeWatch> onClose) {
    WatchService service;
    try {
      service = root.getFileSystem().newWatchService();
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("no watch service for {} ({}); changes are seen at the cache's scheduled refreshes", root,
          e.getClass().getSimpleName());
      return Optional.empty();
    }
    TreeWatch w = new TreeWatch(root, tree, listener, onClose, service);
    w.register(root, "", 0);
    w.thread.start();
    return Optional.of(w);
  }

  /** Registers {@code dir} and the directories below it, links not followed. */
  private void register(Path dir, String rel, int depth) {
    if (closed || depth > MAX_DEPTH || dirs.size() >= MAX_DIRS) {
      return;
    }
    try {
      WatchKey key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
      dirs.put(key, rel);
    } catch (IOException | ClosedWatchServiceException e) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          String name = entry.getFileName().toString();
          register(entry, rel.isEmpty() ? name : rel + "/" + name, depth + 1);
        }
      }
    } catch (IOException | RuntimeException e) {
      // A directory removed while being listed: its events are gone with it.
    }
  }

  private void run() {
    try {
      while (!closed) {
        WatchKey key = service.take();
        Set<String> changed = new HashSet<>();
        boolean all = false;
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(COALESCE_MS);
        while (key != null) {
          all |= drain(key, changed);
          long left = until - System.nanoTime();
          key = left <= 0 ? service.poll() : service.poll(left, TimeUnit.NANOSECONDS);
        }
        if (closed) {
          return;
        }
        notifyListener(all || changed.contains("") ? ref -> true : affected(changed));
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    }
  }

  /** Takes a key's events; returns whether everything may have changed (lost events). */
  private boolean drain(WatchKey key, Set<String> changed) {
    String rel = dirs.get(key);
    boolean all = false;
    for (WatchEvent<?> event : key.pollEvents()) {
      if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
        all = true;
        continue;
      }
      if (rel == null) {
        continue;
      }
      changed.add(rel);
      if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && event.context() instanceof Path) {
        Path name = (Path) event.context();
        Path dir = root;
        if (!rel.isEmpty()) {
          dir = root.resolve(rel);
        }
        Path created = dir.resolve(name);
        if (Files.isDirectory(created, LinkOption.NOFOLLOW_LINKS)) {
          String createdRel = rel.isEmpty() ? name.toString() : rel + "/" + name;
          register(created, createdRel, createdRel.split("/").length);
          changed.add(createdRel);
        }
      }
    }
    if (!key.reset()) {
      dirs.remove(key);
    }
    return all;
  }

  private Predicate<SecretRef> affected(Set<String> changed) {
    Set<String> dirsChanged = Set.copyOf(changed);
    return ref -> {
      String name = ref.name();
      for (String d : dirsChanged) {
        if (name.startsWith(d + "/") || tree.passedThrough(name, d)) {
          return true;
        }
      }
      return false;
    };
  }

  private void notifyListener(Predicate<SecretRef> affected) {
    Predicate<SecretRef> mine = ref -> ref.scheme().map("file"::equals).orElse(true) && affected.test(ref);
    try {
      listener.changed(mine);
    } catch (RuntimeException e) {
      LOG.warn("a change listener of the file secret source under {} threw {}", root, e.getClass().getSimpleName());
    }
  }

  /** Stops the watch thread; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      service.close();
    } catch (IOException e) {
      LOG.debug("closing the watch service of {} failed ({})", root, e.getClass().getSimpleName());
    }
    thread.interrupt();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    onClose.accept(this);
  }

  @Override
  public String toString() {
    return "TreeWatch[" + root + ", " + dirs.size() + " directories]";
  }
}
