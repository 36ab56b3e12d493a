package io.secretsdk.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A deterministic {@link ScheduledExecutorService} driven by a {@link ManualClock}: nothing runs
 * until the clock moves ({@link ManualClock#advance}) or {@link #runDue()} is called, and then
 * every task due runs on that calling thread, in due order (submission order for equal due
 * times), with the clock reading the task's due time.
 *
 * <p>{@link #execute}, {@link #submit} and zero-delay schedules are due at once: they run at the
 * next {@code runDue()} or move of the clock. Periodic tasks are rescheduled after each run (a
 * fixed rate from the previous due time, a fixed delay from the time the run ended) until
 * cancelled or until a run throws, whose exception is then kept by the future as in {@link
 * java.util.concurrent.ScheduledThreadPoolExecutor}. {@link ScheduledFuture#cancel} removes a
 * task. After {@link #shutdown()} new tasks are rejected and tasks already queued still run when
 * due; {@link #shutdownNow()} drops them.
 *
 * <p>A blocking {@code get()} on a task's future returns only once some other thread has moved the
 * clock far enough; prefer {@code isDone()} and {@code getNow}-style checks in single-threaded
 * tests. Thread-safe.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final ManualClock clock;
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private volatile boolean shutdown;

  /**
   * A scheduler whose tasks run as the clock moves.
   *
   * @param clock the clock that drives it
   */
  public ManualScheduler(ManualClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    clock.register(this);
  }

  /**
   * The clock that drives this scheduler.
   *
   * @return the clock
   */
  public ManualClock clock() {
    return clock;
  }

  /** Runs every task due now (including those they submit for now), on the calling thread. */
  public void runDue() {
    clock.runDue();
  }

  /**
   * Moves the clock forward, running tasks as they fall due; the same as {@code
   * clock().advance(duration)}.
   *
   * @param duration how far to move
   * @return the new reading
   */
  public Instant advance(Duration duration) {
    return clock.advance(duration);
  }

  /**
   * How many tasks wait to run, periodic ones included.
   *
   * @return the number of queued tasks
   */
  public synchronized int queued() {
    return queue.size();
  }

  /**
   * How many task runs have finished (each run of a periodic task counts).
   *
   * @return the number of runs
   */
  public long completedRuns() {
    return completed.get();
  }

  /**
   * When the next task is due.
   *
   * @return the due time of the first queued task, or {@code null} if none is queued
   */
  public synchronized @Nullable Instant nextDue() {
    Task<?> head = queue.peek();
    return head == null ? null : head.due;
  }

  /** Runs the head task if it is due at {@code now}; called by the clock under its lock. */
  void runOneDue(Instant now) {
    Task<?> task;
    synchronized (this) {
      task = queue.peek();
      if (task == null || task.due.isAfter(now)) {
        return;
      }
      queue.poll();
    }
    task.run();
    completed.incrementAndGet();
  }

  private <V> Task<V> enqueue(Task<V> task) {
    synchronized (this) {
      if (shutdown) {
        throw new RejectedExecutionException("this ManualScheduler is shut down");
      }
      queue.add(task);
    }
    return task;
  }

  private synchronized void requeue(Task<?> task) {
    if (!task.isCancelled()) {
      queue.add(task);
    }
  }

  private synchronized void remove(Task<?> task) {
    queue.remove(task);
  }

  private Instant dueAfter(long delay, TimeUnit unit) {
    Objects.requireNonNull(unit, "unit");
    return clock.instant().plusNanos(Math.max(0, unit.toNanos(delay)));
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    return enqueue(new Task<Void>(Executors.callable(command, null), dueAfter(delay, unit), 0));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    Objects.requireNonNull(callable, "callable");
    return enqueue(new Task<>(callable, dueAfter(delay, unit), 0));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    if (period <= 0) {
      throw new IllegalArgumentException("period must be positive, was " + period);
    }
    return enqueue(new Task<Void>(Executors.callable(command, null), dueAfter(initialDelay, unit), unit.toNanos(period)));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    if (delay <= 0) {
      throw new IllegalArgumentException("delay must be positive, was " + delay);
    }
    return enqueue(new Task<Void>(Executors.callable(command, null), dueAfter(initialDelay, unit), -unit.toNanos(delay)));
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    synchronized (this) {
      shutdown = true;
      List<Runnable> dropped = new ArrayList<>(queue);
      queue.clear();
      return dropped;
    }
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && queue.isEmpty();
  }

  /**
   * Does not wait: time only passes when a test moves the clock.
   *
   * @return whether the scheduler is shut down with nothing queued
   */
  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  @Override
  public String toString() {
    return "ManualScheduler[" + queued() + " queued, " + clock + "]";
  }

  /** A queued task: one-shot (period 0), fixed rate (period > 0) or fixed delay (period < 0). */
  private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
    private final long seq = sequence.getAndIncrement();
    private final long period;
    private volatile Instant due;

    Task(Callable<V> callable, Instant due, long period) {
      super(callable);
      this.due = due;
      this.period = period;
    }

    @Override
    public boolean isPeriodic() {
      return period != 0;
    }

    @Override
    public void run() {
      if (!isPeriodic()) {
        super.run();
      } else if (runAndReset()) {
        due = period > 0 ? due.plusNanos(period) : clock.instant().plusNanos(-period);
        requeue(this);
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        remove(this);
      }
      return cancelled;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(Duration.between(clock.instant(), due));
    }

    @Override
    public int compareTo(Delayed other) {
      if (other == this) {
        return 0;
      }
      if (other instanceof Task) {
        Task<?> o = (Task<?>) other;
        int byDue = due.compareTo(o.due);
        return byDue != 0 ? byDue : Long.compare(seq, o.seq);
      }
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
  }
}
