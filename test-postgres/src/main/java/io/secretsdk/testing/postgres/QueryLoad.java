package io.secretsdk.testing.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * Threads that run queries through a data source without pause and count every success and every
 * failure (of borrowing a connection or of the query), until stopped.
 */
public final class QueryLoad implements AutoCloseable {
  private final DataSource dataSource;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final LongAdder queries = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final AtomicLong lastSuccessNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong lastFailureNanos = new AtomicLong();
  private final Queue<String> samples = new ConcurrentLinkedQueue<>();
  private final CountDownLatch started;

  private QueryLoad(DataSource dataSource, int threadCount) {
    this.dataSource = dataSource;
    this.started = new CountDownLatch(threadCount);
  }

  /**
   * Starts the threads; returns once each has run one query (or failed one).
   *
   * @param dataSource where connections come from
   * @param threadCount how many threads
   * @return the running load
   * @throws InterruptedException if interrupted while waiting for the start
   */
  public static QueryLoad start(DataSource dataSource, int threadCount) throws InterruptedException {
    QueryLoad load = new QueryLoad(dataSource, threadCount);
    for (int i = 0; i < threadCount; i++) {
      Thread t = new Thread(load::run, "query-load-" + i);
      t.setDaemon(true);
      load.threads.add(t);
      t.start();
    }
    if (!load.started.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the load threads did not start");
    }
    return load;
  }

  private void run() {
    boolean first = true;
    while (running.get()) {
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT current_user, 1")) {
        rs.next();
        queries.increment();
        lastSuccessNanos.set(System.nanoTime());
      } catch (Exception e) {
        failures.increment();
        lastFailureNanos.set(System.nanoTime());
        if (samples.size() < 10) {
          samples.add(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
      }
      if (first) {
        first = false;
        started.countDown();
      }
    }
  }

  /**
   * Successful queries so far.
   *
   * @return the count
   */
  public long queries() {
    return queries.sum();
  }

  /**
   * Failed queries so far.
   *
   * @return the count
   */
  public long failures() {
    return failures.sum();
  }

  /**
   * Up to ten failure descriptions, for the report.
   *
   * @return exception classes and messages
   */
  public List<String> failureSamples() {
    return List.copyOf(samples);
  }

  /**
   * When the last failure happened.
   *
   * @return a {@link System#nanoTime()} value, 0 if none
   */
  public long lastFailureNanos() {
    return lastFailureNanos.get();
  }

  /** Stops the threads and waits for them. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
  }
}
