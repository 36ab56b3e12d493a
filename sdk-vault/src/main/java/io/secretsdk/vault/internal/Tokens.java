package io.secretsdk.vault.internal;

import io.secretsdk.SecretException;
import io.secretsdk.SecretValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the client token: obtains it on first use, renews it ({@code auth/token/renew-self}) at
 * two thirds of its remaining life on the injected scheduler and clock, and logs in again when
 * renewal stops extending it, when it fails, when the clock says the token has expired, or when a
 * request is refused because of the token ({@link #invalidate}). Concurrent callers during a
 * login share that one login.
 *
 * <p>The token is a {@link SecretValue}, destroyed when replaced and at close. The
 * {@code X-Vault-Token} header needs a {@link String} (java.net.http accepts nothing else), so each
 * token has exactly one String copy, made once when the token is obtained (or given) and dropped
 * with the token.
 */
public final class Tokens implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Tokens.class);

  /** One token as held: immutable; a renewal makes a new state with the same generation. */
  public static final class State {
    final long generation;
    final SecretValue token;
    final @Nullable String header;
    final @Nullable Instant expiresAt;
    final @Nullable Duration grantedTtl;
    final boolean renewable;

    State(long generation, SecretValue token, @Nullable String header, @Nullable Instant expiresAt, @Nullable Duration grantedTtl,
        boolean renewable) {
      this.generation = generation;
      this.token = token;
      this.header = header;
      this.expiresAt = expiresAt;
      this.grantedTtl = grantedTtl;
      this.renewable = renewable;
    }

    /**
     * The value for the {@code X-Vault-Token} header.
     *
     * @return the token, or {@code null} to send none ({@code VaultAuth.none()})
     */
    public @Nullable String header() {
      return header;
    }

    /**
     * Which token this is, counting logins from 1.
     *
     * @return the generation
     */
    public long generation() {
      return generation;
    }

    @Override
    public String toString() {
      return "Token[generation=" + generation + ", expiresAt=" + expiresAt + "]";
    }
  }

  private final Login login;
  private final VaultHttp http;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;

  private final Object lock = new Object();
  private @Nullable State current;
  private @Nullable CompletableFuture<State> inflight;
  private @Nullable ScheduledFuture<?> pending;
  private long generations;
  private long logins;
  private boolean closed;

  /**
   * Creates the holder; nothing is sent until the first {@link #current()}.
   *
   * @param login how to obtain a token
   * @param http the transport
   * @param clock the clock
   * @param scheduler runs renewals
   */
  public Tokens(Login login, VaultHttp http, Clock clock, ScheduledExecutorService scheduler) {
    this.login = login;
    this.http = http;
    this.clock = clock;
    this.scheduler = scheduler;
  }

  /**
   * A usable token, logging in first if there is none or it has expired.
   *
   * @return the token
   * @throws SecretException if the login fails
   */
  public State current() {
    return obtain(null);
  }

  /**
   * Marks a token as refused by Vault, so that the next {@link #current()} logs in again. A token
   * already replaced is left alone, so many requests refused with the same token cause one login.
   *
   * @param refused the token a request was refused with
   */
  public void invalidate(State refused) {
    synchronized (lock) {
      if (current != null && current.generation == refused.generation) {
        drop();
      }
    }
  }

  /**
   * Whether a new token can be had when this one is refused.
   *
   * @return {@code false} for token auth
   */
  public boolean canLogInAgain() {
    return login.canLogInAgain();
  }

  /**
   * Whether a refused request is worth a {@code lookup-self} probe (there is a token, and it may
   * look itself up).
   *
   * @return {@code false} for no token, or a token whose look-up Vault refuses
   */
  public boolean mayLookUpSelf() {
    return login.mayLookUpSelf();
  }

  /**
   * How many times a token was obtained (logins, or look-ups of a given token).
   *
   * @return the count
   */
  public long logins() {
    synchronized (lock) {
      return logins;
    }
  }

  private State obtain(@Nullable State stale) {
    CompletableFuture<State> f;
    boolean mine = false;
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("this VaultSecretSource is closed");
      }
      if (stale != null && current != null && current.generation == stale.generation) {
        drop();
      }
      State s = current;
      if (s != null && !expired(s)) {
        return s;
      }
      if (inflight == null) {
        inflight = new CompletableFuture<>();
        mine = true;
      }
      f = inflight;
    }
    if (mine) {
      try {
        State s = loginNow();
        f.complete(s);
        return s;
      } catch (RuntimeException | Error e) {
        synchronized (lock) {
          inflight = null;
        }
        f.completeExceptionally(e);
        throw e;
      }
    }
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new io.secretsdk.SecretUnavailableException("interrupted while waiting for a Vault login");
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SecretException) {
        throw (SecretException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new SecretException(login.describe() + " failed", null, cause);
    }
  }

  private boolean expired(State s) {
    return s.expiresAt != null && !clock.instant().isBefore(s.expiresAt);
  }

  private State loginNow() {
    Instant before = clock.instant();
    Login.Grant grant = login.login(http);
    @Nullable String header = grant.header();
    synchronized (lock) {
      if (closed) {
        grant.token().destroy();
        inflight = null;
        throw new IllegalStateException("this VaultSecretSource is closed");
      }
      logins++;
      Instant expiresAt = grant.ttl() == null ? null : before.plus(grant.ttl());
      State s = new State(++generations, grant.token(), header, expiresAt, grant.ttl(), grant.renewable());
      drop();
      current = s;
      inflight = null;
      LOG.debug("Vault token {} obtained by {}; expires {}", s.generation, login.describe(),
          expiresAt == null ? "never" : expiresAt);
      scheduleNext(s, before);
      return s;
    }
  }

  /** Under the lock: forgets the current token and its schedule, and wipes it. */
  private void drop() {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
    if (current != null) {
      current.token.destroy();
      current = null;
    }
  }

  /** Under the lock: schedules renewal (or a fresh login when renewal no longer helps). */
  private void scheduleNext(State s, Instant now) {
    if (s.expiresAt == null) {
      return;
    }
    Duration left = Duration.between(now, s.expiresAt);
    if (left.compareTo(Duration.ofSeconds(1)) < 0) {
      // Nothing left to renew; the next request finds the token expired and logs in again.
      return;
    }
    long delayMs = Math.max(0, left.toMillis() * 2 / 3);
    try {
      if (s.renewable) {
        pending = scheduler.schedule(() -> renew(s.generation), delayMs, TimeUnit.MILLISECONDS);
      } else if (login.canLogInAgain()) {
        pending = scheduler.schedule(() -> relogin(s.generation), delayMs, TimeUnit.MILLISECONDS);
      }
    } catch (RejectedExecutionException e) {
      // A scheduler shut down under us: no renewal, but requests still log in once the token expires.
      LOG.warn("the scheduler refused the Vault token's renewal; the token will be replaced when it expires");
    }
  }

  private void relogin(long generation) {
    State s;
    synchronized (lock) {
      s = current;
      if (closed || s == null || s.generation != generation) {
        return;
      }
    }
    try {
      obtain(s);
    } catch (RuntimeException e) {
      LOG.warn("Vault {} failed ahead of the token's expiry ({}); the next request logs in again",
          login.describe(), e.getClass().getSimpleName());
    }
  }

  private void renew(long generation) {
    State s;
    synchronized (lock) {
      s = current;
      if (closed || s == null || s.generation != generation) {
        return;
      }
    }
    Instant before = clock.instant();
    String what = "renewing the Vault token (auth/token/renew-self)";
    long ask = s.grantedTtl == null ? 0 : s.grantedTtl.getSeconds();
    byte[] request = new JsonBody().field("increment", ask).toBytes();
    Login.Lifetime renewed;
    try (VaultHttp.Response r = http.send("POST", "auth/token/renew-self", s.header, request, what, null)) {
      if (r.status() != 200) {
        throw VaultErrors.toException(r, what, null);
      }
      renewed = Login.lifetime(r.body(), what);
    } catch (SecretException e) {
      LOG.warn("Vault token {} could not be renewed ({}: {})", generation, e.getClass().getSimpleName(), e.getMessage());
      synchronized (lock) {
        if (current != null && current.generation == generation && !closed) {
          if (login.canLogInAgain()) {
            pending = scheduler.schedule(() -> relogin(generation), 0, TimeUnit.MILLISECONDS);
          } else {
            // Try again at two thirds of what is left, while something is left.
            scheduleNext(current, before);
          }
        }
      }
      return;
    } finally {
      Arrays.fill(request, (byte) 0);
    }
    synchronized (lock) {
      State c = current;
      if (closed || c == null || c.generation != generation) {
        return;
      }
      Instant newExpiry = renewed.ttl() == null ? null : before.plus(renewed.ttl());
      boolean extended = newExpiry == null || c.expiresAt == null || newExpiry.isAfter(c.expiresAt);
      boolean capped = renewed.ttl() != null && ask > 0 && renewed.ttl().getSeconds() < ask;
      State next = new State(c.generation, c.token, c.header, newExpiry, c.grantedTtl,
          renewed.renewable() && extended && !capped);
      current = next;
      LOG.debug("Vault token {} renewed; expires {}{}", generation, newExpiry,
          next.renewable ? "" : " (max TTL reached: a new login follows before then)");
      scheduleNext(next, before);
    }
  }

  /** Cancels renewals and wipes the token and the login's secrets. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      drop();
    }
    login.destroy();
  }
}
