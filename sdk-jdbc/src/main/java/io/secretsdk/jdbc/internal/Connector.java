package io.secretsdk.jdbc.internal;

import io.secretsdk.Credentials;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.cache.SecretCache;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens physical connections with credentials read from a cached secret, and recovers from an
 * authentication failure: it forces one shared cache refresh, then tries the current credentials
 * again and the previous ones (while the cache keeps them), repeating with jittered backoff until
 * a retry window ends.
 *
 * <p>A password reaches the driver as a {@link String}, because JDBC has no other way to pass it:
 * that string is made just before the connection attempt, referenced only by the attempt, and
 * left to the garbage collector right after; nothing here keeps it.
 *
 * <p>Thread-safe. Concurrent failures share one refresh: at most one is started per {@link
 * #MIN_REFRESH_INTERVAL}.
 */
public final class Connector {
  /** Concurrent and repeated authentication failures force at most one refresh per this interval. */
  public static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(1);
  private static final Duration REFRESH_WAIT = Duration.ofSeconds(10);
  private static final Logger LOG = LoggerFactory.getLogger(Connector.class);

  /** Opens one physical connection with a user name and password. */
  @FunctionalInterface
  public interface Opener {
    /**
     * Opens a connection.
     *
     * @param username the user name
     * @param password the password, which must not be kept
     * @return a new physical connection
     * @throws SQLException if the driver fails
     */
    Connection open(String username, String password) throws SQLException;
  }

  /** Waits; tests move a clock instead. */
  @FunctionalInterface
  public interface Pause {
    /**
     * Waits for a while.
     *
     * @param duration how long
     * @throws InterruptedException if interrupted
     */
    void pause(Duration duration) throws InterruptedException;
  }

  /**
   * A new connection and the version of the secret whose credentials opened it.
   *
   * @param connection the physical connection
   * @param versionId the secret's version id
   */
  public record Opened(Connection connection, String versionId) {}

  private final SecretCache cache;
  private final SecretRef ref;
  private final String userField;
  private final String passwordField;
  private final Opener opener;
  private final Duration retryWindow;
  private final Backoff backoff;
  private final Clock clock;
  private final Pause pause;

  private final Object refreshLock = new Object();
  private @Nullable CompletableFuture<Secret> refreshing;
  private @Nullable Instant refreshStarted;
  private volatile long lastAuthFailureNanos;
  private volatile boolean anyAuthFailure;

  /**
   * Creates a connector.
   *
   * @param cache where credentials come from
   * @param ref the secret holding them
   * @param userField the JSON field of the user name
   * @param passwordField the JSON field of the password
   * @param opener opens a physical connection
   * @param retryWindow how long {@link #open()} keeps retrying authentication failures
   * @param backoff the waits between rounds
   * @param clock the clock of the retry window
   * @param pause how to wait between rounds
   */
  public Connector(
      SecretCache cache,
      SecretRef ref,
      String userField,
      String passwordField,
      Opener opener,
      Duration retryWindow,
      Backoff backoff,
      Clock clock,
      Pause pause) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.ref = Objects.requireNonNull(ref, "ref").withoutField();
    this.userField = Objects.requireNonNull(userField, "userField");
    this.passwordField = Objects.requireNonNull(passwordField, "passwordField");
    if (userField.equals(passwordField)) {
      throw new IllegalArgumentException("the username and password fields must differ");
    }
    this.opener = Objects.requireNonNull(opener, "opener");
    this.retryWindow = Objects.requireNonNull(retryWindow, "retryWindow");
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.pause = Objects.requireNonNull(pause, "pause");
  }

  /**
   * The secret reference, without a field.
   *
   * @return the reference
   */
  public SecretRef ref() {
    return ref;
  }

  /**
   * Reads the current credentials from the cache.
   *
   * @return the current secret and its credentials
   * @throws SQLException if the secret cannot be read or lacks the fields
   */
  public CurrentCredentials current() throws SQLException {
    for (int attempt = 1; ; attempt++) {
      Secret secret = currentSecret();
      try {
        return new CurrentCredentials(secret, credentials(secret));
      } catch (IllegalStateException e) {
        // Replaced and zeroed between the read and the parse (rotations in quick succession).
        if (!secret.value().isDestroyed() || attempt >= 3) {
          throw e;
        }
      }
    }
  }

  /**
   * A secret with the credentials read from it.
   *
   * @param secret the secret, borrowed from the cache
   * @param credentials its user name and password
   */
  public record CurrentCredentials(Secret secret, Credentials credentials) {}

  /**
   * Opens a connection with the current credentials, recovering from authentication failures
   * within the retry window.
   *
   * @return the connection and the version that opened it
   * @throws SQLException the last authentication failure once the window has passed, or any
   *     other failure at once
   */
  public Opened open() throws SQLException {
    Instant deadline = clock.instant().plus(retryWindow);
    SQLException last = null;
    List<String> rejected = new ArrayList<>();
    for (int round = 0; ; round++) {
      List<String> tried = new ArrayList<>();
      Secret current = currentSecret();
      try {
        Opened opened = attempt(current, tried);
        if (opened != null) {
          return opened;
        }
        if (clock.instant().isBefore(deadline)) {
          continue; // the version was zeroed under us: read the cache again at once
        }
      } catch (SQLException e) {
        last = authFailureOrThrow(e, last);
      }
      Opened recovered;
      try {
        recovered = fallback(tried);
      } catch (SQLException e) {
        last = authFailureOrThrow(e, last);
        recovered = null;
      }
      if (recovered != null) {
        return recovered;
      }
      for (String v : tried) {
        if (!rejected.contains(v)) {
          rejected.add(v);
        }
      }
      Duration remaining = Duration.between(clock.instant(), deadline);
      if (remaining.isNegative() || remaining.isZero()) {
        if (last == null) {
          throw new SQLTransientConnectionException("secret '" + ref + "' kept rotating faster than a login "
              + "could read it during a retry window of " + retryWindow.toSeconds() + " s", "08001");
        }
        throw exhausted(last, rejected);
      }
      Duration wait = backoff.delay(round, remaining, ThreadLocalRandom.current()::nextDouble);
      LOG.debug("authentication to the database failed with every credential of secret '{}' "
          + "(versions {}); retrying in {} ms", ref, tried, wait.toMillis());
      try {
        pause.pause(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        SQLException interrupted = new SQLTransientConnectionException(
            "interrupted while retrying a login with the credentials of secret '" + ref + "'", "08001", e);
        interrupted.addSuppressed(last);
        throw interrupted;
      }
    }
  }

  /**
   * Opens a connection with credentials a pool already read (HikariCP's provider), and on an
   * authentication failure makes one recovery round without waiting: a forced refresh, the
   * refreshed current credentials, the previous ones. The pool's own retry does the waiting.
   *
   * @param username the user name the pool passed
   * @param password the password the pool passed
   * @param versionId the version those came from, if known
   * @return the connection and the version that opened it ({@code "unknown"} if not known)
   * @throws SQLException the last failure
   */
  public Opened open(String username, String password, @Nullable String versionId) throws SQLException {
    String version = versionId == null ? "unknown" : versionId;
    try {
      return new Opened(opener.open(username, password), version);
    } catch (SQLException e) {
      if (!AuthFailures.isAuthenticationFailure(e)) {
        throw e;
      }
      noteAuthFailure();
      List<String> tried = new ArrayList<>();
      tried.add(version);
      Opened recovered;
      try {
        recovered = fallback(tried);
      } catch (SQLException again) {
        again.addSuppressed(e);
        throw again;
      }
      if (recovered == null) {
        throw e;
      }
      return recovered;
    }
  }

  /**
   * Whether a login failed for lack of valid credentials within the given time.
   *
   * @param within how far back to look
   * @return {@code true} if an authentication failure was seen that recently
   */
  public boolean authFailedWithin(Duration within) {
    return anyAuthFailure && System.nanoTime() - lastAuthFailureNanos < within.toNanos();
  }

  /** Refreshes, then tries the refreshed current and the previous credentials not tried yet. */
  private @Nullable Opened fallback(List<String> tried) throws SQLException {
    SQLException last = null;
    Optional<Secret> refreshed = refresh();
    Secret current = refreshed.orElseGet(this::currentOrNull);
    if (current != null && !tried.contains(current.versionId())) {
      try {
        Opened opened = attempt(current, tried);
        if (opened != null) {
          return opened;
        }
      } catch (SQLException e) {
        last = authFailureOrThrow(e, last);
      }
    }
    Optional<Secret> previous;
    try {
      previous = cache.previous(ref);
    } catch (SecretException e) {
      previous = Optional.empty();
    }
    if (previous.isPresent() && !tried.contains(previous.get().versionId())) {
      try {
        Opened opened = attempt(previous.get(), tried);
        if (opened != null) {
          return opened;
        }
      } catch (SQLException e) {
        last = authFailureOrThrow(e, last);
      }
    }
    if (last != null) {
      throw last;
    }
    return null;
  }

  /**
   * Logs in with one version's credentials.
   *
   * @return the connection, or {@code null} if the cache zeroed that version while it was being
   *     read (two rotations in quick succession): the caller reads the cache again
   */
  private @Nullable Opened attempt(Secret secret, List<String> tried) throws SQLException {
    Credentials credentials;
    String password;
    try {
      credentials = credentials(secret);
      // JDBC takes the password as a String: made here, handed to the driver, never kept.
      password = credentials.password().withChars(String::new);
    } catch (IllegalStateException e) {
      if (!secret.value().isDestroyed()) {
        throw e;
      }
      LOG.debug("version {} of secret '{}' was replaced and zeroed while it was being read; reading again",
          secret.versionId(), ref);
      return null;
    }
    tried.add(secret.versionId());
    return new Opened(opener.open(credentials.username(), password), secret.versionId());
  }

  private SQLException authFailureOrThrow(SQLException e, @Nullable SQLException previous) throws SQLException {
    if (!AuthFailures.isAuthenticationFailure(e)) {
      if (previous != null) {
        e.addSuppressed(previous);
      }
      throw e;
    }
    noteAuthFailure();
    return e;
  }

  private void noteAuthFailure() {
    lastAuthFailureNanos = System.nanoTime();
    anyAuthFailure = true;
  }

  private Optional<Secret> refresh() {
    CompletableFuture<Secret> future;
    synchronized (refreshLock) {
      Instant now = clock.instant();
      CompletableFuture<Secret> inFlight = refreshing;
      Instant started = refreshStarted;
      if (inFlight != null && started != null
          && (!inFlight.isDone() || Duration.between(started, now).compareTo(MIN_REFRESH_INTERVAL) < 0)) {
        future = inFlight;
      } else {
        try {
          future = cache.refresh(ref);
        } catch (SecretException e) {
          future = CompletableFuture.failedFuture(e);
        }
        refreshing = future;
        refreshStarted = now;
      }
    }
    try {
      return Optional.of(future.get(REFRESH_WAIT.toMillis(), TimeUnit.MILLISECONDS));
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      LOG.debug("refreshing secret '{}' after a failed login did not succeed ({})", ref,
          cause.getClass().getSimpleName());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private Secret currentSecret() throws SQLException {
    try {
      return cache.get(ref);
    } catch (SecretUnavailableException e) {
      throw new SQLTransientConnectionException(
          "the credentials in secret '" + ref + "' cannot be read now: " + e.getMessage(), "08001", e);
    } catch (SecretException e) {
      throw new SQLNonTransientConnectionException(
          "the credentials in secret '" + ref + "' cannot be read: " + e.getMessage(), "08001", e);
    }
  }

  private @Nullable Secret currentOrNull() {
    try {
      return cache.get(ref);
    } catch (SecretException e) {
      return null;
    }
  }

  private Credentials credentials(Secret secret) throws SQLException {
    try {
      return Credentials.from(secret, userField, passwordField);
    } catch (SecretException e) {
      throw new SQLNonTransientConnectionException(
          "secret '" + ref + "' (version " + secret.versionId() + ") does not hold credentials in the fields '"
              + userField + "' and '" + passwordField + "': " + e.getMessage(), "08001", e);
    }
  }

  private SQLException exhausted(SQLException last, List<String> rejected) {
    SQLException e = new SQLInvalidAuthorizationSpecException(
        "the database rejected every credential of secret '" + ref + "' (versions " + rejected
            + ") during a retry window of " + retryWindow.toSeconds() + " s; check that the secret and the database "
            + "agree",
        last.getSQLState() == null ? "28000" : last.getSQLState(), last.getErrorCode(), last);
    return e;
  }
}
