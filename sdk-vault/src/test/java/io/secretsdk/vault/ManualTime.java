package io.secretsdk.vault;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A clock that moves only when told, and a scheduler whose tasks run, on the caller's thread, when
 * the clock is advanced past their time. Tests move time instead of sleeping.
 */
final class ManualTime extends AbstractExecutorService implements ScheduledExecutorService {
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final PriorityQueue<Task<?>> queue =
      new PriorityQueue<>(Comparator.<Task<?>, Instant>comparing(t -> t.due).thenComparingLong(t -> t.seq));
  private long seq;
  private boolean shutdown;

  final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      synchronized (ManualTime.this) {
        return now;
      }
    }
  };

  /** Moves time forward, running every task that falls due, in order, at its own time. */
  void advance(Duration d) {
    Instant target;
    synchronized (this) {
      target = now.plus(d);
    }
    while (true) {
      Task<?> next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.due.isAfter(target)) {
          now = target;
          return;
        }
        queue.poll();
        if (next.due.isAfter(now)) {
          now = next.due;
        }
      }
      next.run();
    }
  }

  synchronized int pending() {
    return (int) queue.stream().filter(t -> !t.isCancelled()).count();
  }

  synchronized List<Duration> pendingDelays() {
    List<Duration> out = new ArrayList<>();
    for (Task<?> t : queue) {
      if (!t.isCancelled()) {
        out.add(Duration.between(now, t.due));
      }
    }
    out.sort(null);
    return out;
  }

  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return schedule(() -> {
      command.run();
      return null;
    }, delay, unit);
  }

  @Override
  public synchronized <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    Task<V> t = new Task<>(callable, now.plusNanos(unit.toNanos(Math.max(0, delay))), seq++);
    queue.add(t);
    return t;
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    queue.clear();
    return List.of();
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }

  private final class Task<V> implements ScheduledFuture<V> {
    private final Callable<V> callable;
    private final Instant due;
    private final long seq;
    private volatile boolean cancelled;
    private volatile boolean done;
    private V result;
    private Throwable failure;

    Task(Callable<V> callable, Instant due, long seq) {
      this.callable = callable;
      this.due = due;
      this.seq = seq;
    }

    void run() {
      if (cancelled) {
        return;
      }
      try {
        result = callable.call();
      } catch (Throwable t) {
        failure = t;
      } finally {
        done = true;
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(Duration.between(clock.instant(), due));
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      cancelled = true;
      return !done;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public V get() throws ExecutionException {
      if (failure != null) {
        throw new ExecutionException(failure);
      }
      return result;
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws ExecutionException {
      return get();
    }
  }
}
