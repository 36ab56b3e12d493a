package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ManualSchedulerTest {
  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final List<String> ran = new ArrayList<>();

  @Test
  void theClockStandsStillUntilMovedAndOnlyMovesForward() {
    Instant start = clock.instant();
    assertThat(clock.instant()).isEqualTo(start).isEqualTo(ManualClock.DEFAULT_START);
    assertThat(clock.advance(Duration.ofSeconds(5))).isEqualTo(start.plusSeconds(5));
    assertThat(clock.millis()).isEqualTo(start.plusSeconds(5).toEpochMilli());
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> clock.advanceTo(start)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aZoneViewSharesTheTime() {
    var paris = clock.withZone(ZoneId.of("Europe/Paris"));
    clock.advance(Duration.ofMinutes(1));
    assertThat(paris.instant()).isEqualTo(clock.instant());
    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
  }

  @Test
  void tasksRunInDueOrderOnTheMovingThreadSeeingTheirDueTime() {
    Instant start = clock.instant();
    List<Instant> seen = new ArrayList<>();
    Thread mover = Thread.currentThread();
    scheduler.schedule(() -> { ran.add("c"); seen.add(clock.instant()); }, 30, TimeUnit.SECONDS);
    scheduler.schedule(() -> { ran.add("a"); seen.add(clock.instant()); assertThat(Thread.currentThread()).isSameAs(mover); }, 10, TimeUnit.SECONDS);
    scheduler.schedule(() -> { ran.add("b"); seen.add(clock.instant()); }, 20, TimeUnit.SECONDS);
    clock.advance(Duration.ofSeconds(25));
    assertThat(ran).containsExactly("a", "b");
    assertThat(seen).containsExactly(start.plusSeconds(10), start.plusSeconds(20));
    assertThat(clock.instant()).isEqualTo(start.plusSeconds(25));
    clock.advance(Duration.ofSeconds(5));
    assertThat(ran).containsExactly("a", "b", "c");
  }

  @Test
  void tasksDueTogetherRunInSubmissionOrderAndImmediateOnesWaitForRunDue() {
    scheduler.execute(() -> ran.add("first"));
    scheduler.submit(() -> ran.add("second"));
    scheduler.schedule(() -> ran.add("third"), 0, TimeUnit.SECONDS);
    assertThat(ran).isEmpty();
    scheduler.runDue();
    assertThat(ran).containsExactly("first", "second", "third");
  }

  @Test
  void aTaskScheduledByATaskRunsInTheSameMoveIfItFallsDueBeforeTheTarget() {
    scheduler.schedule(() -> {
      ran.add("outer");
      scheduler.schedule(() -> ran.add("inner"), 5, TimeUnit.SECONDS);
    }, 5, TimeUnit.SECONDS);
    clock.advance(Duration.ofSeconds(10));
    assertThat(ran).containsExactly("outer", "inner");
  }

  @Test
  void aCancelledTaskNeverRunsAndLeavesTheQueue() {
    ScheduledFuture<?> f = scheduler.schedule(() -> ran.add("x"), 1, TimeUnit.SECONDS);
    assertThat(scheduler.queued()).isEqualTo(1);
    assertThat(f.getDelay(TimeUnit.MILLISECONDS)).isEqualTo(1000);
    assertThat(f.cancel(false)).isTrue();
    assertThat(scheduler.queued()).isZero();
    clock.advance(Duration.ofSeconds(2));
    assertThat(ran).isEmpty();
    assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
  }

  @Test
  void periodicTasksRepeatAtAFixedRateOrWithAFixedDelayUntilCancelled() {
    ScheduledFuture<?> rate = scheduler.scheduleAtFixedRate(() -> ran.add("rate@" + clock.instant().getEpochSecond() % 100), 10, 10, TimeUnit.SECONDS);
    ScheduledFuture<?> delay = scheduler.scheduleWithFixedDelay(() -> ran.add("delay"), 0, 25, TimeUnit.SECONDS);
    clock.advance(Duration.ofSeconds(30));
    assertThat(ran).filteredOn(s -> s.startsWith("rate")).hasSize(3);
    assertThat(ran).filteredOn("delay"::equals).hasSize(2);
    rate.cancel(false);
    delay.cancel(false);
    clock.advance(Duration.ofMinutes(5));
    assertThat(ran).hasSize(5);
    assertThat(scheduler.queued()).isZero();
  }

  @Test
  void aPeriodicTaskThatThrowsStopsAndItsFutureKeepsTheError() {
    ScheduledFuture<?> f = scheduler.scheduleAtFixedRate(() -> {
      ran.add("run");
      throw new IllegalStateException("boom");
    }, 1, 1, TimeUnit.SECONDS);
    clock.advance(Duration.ofSeconds(5));
    assertThat(ran).hasSize(1);
    assertThat(f.isDone()).isTrue();
    assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void resultsOfCallablesAreAvailableOnceRun() throws Exception {
    Future<String> f = scheduler.schedule(() -> "done", 3, TimeUnit.SECONDS);
    assertThat(f.isDone()).isFalse();
    clock.advance(Duration.ofSeconds(3));
    assertThat(f.get()).isEqualTo("done");
    assertThat(scheduler.completedRuns()).isEqualTo(1);
  }

  @Test
  void shutdownRejectsNewTasksAndShutdownNowDropsQueuedOnes() {
    scheduler.schedule(() -> ran.add("queued"), 1, TimeUnit.SECONDS);
    scheduler.shutdown();
    assertThat(scheduler.isShutdown()).isTrue();
    assertThat(scheduler.isTerminated()).isFalse();
    assertThatThrownBy(() -> scheduler.execute(() -> ran.add("late"))).isInstanceOf(RejectedExecutionException.class);
    clock.advance(Duration.ofSeconds(1));
    assertThat(ran).containsExactly("queued");
    assertThat(scheduler.isTerminated()).isTrue();

    ManualScheduler other = new ManualScheduler(clock);
    other.schedule(() -> ran.add("dropped"), 1, TimeUnit.SECONDS);
    assertThat(other.shutdownNow()).hasSize(1);
    clock.advance(Duration.ofSeconds(5));
    assertThat(ran).containsExactly("queued");
  }

  @Test
  void twoSchedulersOnOneClockInterleaveByDueTime() {
    ManualScheduler other = new ManualScheduler(clock);
    scheduler.schedule(() -> ran.add("s2"), 2, TimeUnit.SECONDS);
    other.schedule(() -> ran.add("o1"), 1, TimeUnit.SECONDS);
    other.schedule(() -> ran.add("o3"), 3, TimeUnit.SECONDS);
    clock.advance(Duration.ofSeconds(3));
    assertThat(ran).containsExactly("o1", "s2", "o3");
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> scheduler.scheduleAtFixedRate(() -> {}, 0, 0, TimeUnit.SECONDS)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> scheduler.scheduleWithFixedDelay(() -> {}, 0, -1, TimeUnit.SECONDS)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ManualScheduler(null)).isInstanceOf(NullPointerException.class);
  }
}
