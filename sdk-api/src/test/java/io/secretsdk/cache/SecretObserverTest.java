package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.observe.AuditRecord;
import io.secretsdk.observe.AuditTrail;
import io.secretsdk.observe.BackendCall;
import io.secretsdk.observe.BackendCall.Operation;
import io.secretsdk.observe.Outcome;
import io.secretsdk.observe.SecretEvent;
import io.secretsdk.observe.SecretEvent.Kind;
import io.secretsdk.observe.SecretObserver;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SecretObserverTest {
  private static final SecretRef DB = SecretRef.of("prod/db");
  /** The cache keys entries by the canonical ref: the scheme the source serves added. */
  private static final SecretRef DB_KEY = SecretRef.parse("fake://prod/db");

  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeSource source = new FakeSource(clock);
  private final Recorder recorder = new Recorder();
  private SecretCache cache;

  /** Records everything it is told. */
  static final class Recorder implements SecretObserver {
    final List<SecretEvent> events = new CopyOnWriteArrayList<>();
    final List<BackendCall> calls = new CopyOnWriteArrayList<>();

    @Override
    public void onBackendCall(BackendCall call) {
      calls.add(call);
    }

    @Override
    public void onEvent(SecretEvent event) {
      events.add(event);
    }

    List<Kind> kinds() {
      return events.stream().map(SecretEvent::kind).collect(Collectors.toList());
    }

    List<SecretEvent> of(Kind kind) {
      return events.stream().filter(e -> e.kind() == kind).collect(Collectors.toList());
    }
  }

  @BeforeEach
  void setUp() {
    LeakGuard.watch("hunter2-first");
    LeakGuard.watch("hunter2-second");
    source.put("prod/db", "hunter2-first");
  }

  @AfterEach
  void tearDown() {
    if (cache != null) {
      cache.close();
    }
  }

  private SecretCache.Builder builder() {
    return SecretCache.builder(source)
        .clock(clock)
        .scheduler(scheduler)
        .listenerExecutor(Runnable::run)
        .resilience(ResiliencePolicy.none())
        .refreshJitter(0)
        .defaultTtl(Duration.ofSeconds(100))
        .overlap(Duration.ofSeconds(30))
        .maxStale(Duration.ofSeconds(300))
        .observer(recorder);
  }

  @Test
  void anObserverSeesALoadARotationAndTheOverlapEndWithVersionsAndOutcomesButNeverAValue() {
    cache = builder().build();
    cache.get(DB);
    source.rotate("prod/db", "hunter2-second");
    clock.advance(Duration.ofSeconds(75)); // scheduled refresh finds v2
    cache.get(DB);
    clock.advance(Duration.ofSeconds(30)); // v1's overlap ends

    assertThat(recorder.kinds()).containsExactly(
        Kind.LOADED, Kind.FIRST_READ, Kind.REFRESHED, Kind.ROTATED, Kind.FIRST_READ, Kind.OVERLAP_ENDED);
    SecretEvent loaded = recorder.events.get(0);
    assertThat(loaded.ref()).isEqualTo(DB_KEY);
    assertThat(loaded.scheme()).isEqualTo("fake");
    assertThat(loaded.versionId()).contains("v1");
    assertThat(loaded.outcome()).isEqualTo(Outcome.OK);
    assertThat(loaded.failure()).isEmpty();
    assertThat(loaded.duration()).isGreaterThanOrEqualTo(Duration.ZERO);
    SecretEvent rotated = recorder.of(Kind.ROTATED).get(0);
    assertThat(rotated.versionId()).contains("v2");
    assertThat(rotated.previousVersionId()).contains("v1");
    assertThat(recorder.of(Kind.REFRESHED).get(0).versionId()).contains("v2");
    assertThat(recorder.of(Kind.OVERLAP_ENDED).get(0).versionId()).contains("v1");
    assertThat(recorder.of(Kind.OVERLAP_ENDED).get(0).at()).isEqualTo(clock.instant());

    assertThat(recorder.calls).hasSize(2).allSatisfy(call -> {
      assertThat(call.operation()).isEqualTo(Operation.FETCH);
      assertThat(call.scheme()).isEqualTo("fake");
      assertThat(call.outcome()).isEqualTo(Outcome.OK);
      assertThat(call.ref()).contains(DB_KEY);
    });
    String everything = recorder.events + " " + recorder.calls;
    assertThat(everything).doesNotContain("hunter2");
  }

  @Test
  void theFirstReadOfAVersionNamesTheCallingClassAndMethod() {
    cache = builder().build();
    cache.get(DB);
    cache.get(DB);
    cache.value("prod/db");

    List<SecretEvent> reads = recorder.of(Kind.FIRST_READ);
    assertThat(reads).hasSize(1);
    assertThat(reads.get(0).caller())
        .contains(SecretObserverTest.class.getName() + ".theFirstReadOfAVersionNamesTheCallingClassAndMethod");
    assertThat(reads.get(0).versionId()).contains("v1");
  }

  @Test
  void aVersionRecordsItsFirstReadOnceAmongManyConcurrentReaders() throws Exception {
    cache = builder().build();
    cache.refresh(DB).join(); // loaded without a read
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 10_000; i++) {
            cache.get(DB);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(recorder.of(Kind.FIRST_READ)).hasSize(1);
    assertThat(cache.stats().hits()).isEqualTo(threads * 10_000L);
  }

  @Test
  void aRenewalAndAFailedRenewalAreReportedWithTheExceptionTypeOnly() {
    FakeSource.Spec spec = source.put("db/creds", "user-pass-secret");
    spec.leaseTtl = Duration.ofSeconds(100);
    spec.renewable = true;
    LeakGuard.watch("user-pass-secret");
    SecretRef creds = SecretRef.of("db/creds");
    cache = builder().build();
    cache.get(creds);
    clock.advance(Duration.ofSeconds(75)); // renewed
    source.failRenewals(() -> new SecretUnavailableException("backend 'fake' is down", creds));
    clock.advance(Duration.ofSeconds(75)); // renewal fails

    List<SecretEvent> renewals = recorder.of(Kind.RENEWED);
    assertThat(renewals).hasSizeGreaterThanOrEqualTo(2);
    assertThat(renewals.get(0).outcome()).isEqualTo(Outcome.OK);
    assertThat(renewals.get(0).versionId()).contains("v1");
    SecretEvent failed = renewals.get(1);
    assertThat(failed.outcome()).isEqualTo(Outcome.UNAVAILABLE);
    assertThat(failed.failure()).contains(SecretUnavailableException.class.getName());
    assertThat(failed.toString()).doesNotContain("down");
    assertThat(recorder.calls).filteredOn(c -> c.operation() == Operation.RENEW)
        .extracting(BackendCall::outcome).startsWith(Outcome.OK, Outcome.UNAVAILABLE);
    // the renewed version is the same version: its first read is not recorded again
    cache.get(creds);
    assertThat(recorder.of(Kind.FIRST_READ)).hasSize(1);
  }

  @Test
  void aFailedLoadAndALeaseThatRunsOutAreReported() {
    FakeSource.Spec spec = source.put("db/creds", "user-pass-secret");
    spec.leaseTtl = Duration.ofSeconds(100);
    LeakGuard.watch("user-pass-secret");
    SecretRef creds = SecretRef.of("db/creds");
    cache = builder().build();
    cache.get(creds);
    source.fail(() -> new SecretUnavailableException("backend 'fake' is down", creds));
    clock.advance(Duration.ofSeconds(100));

    assertThat(recorder.of(Kind.REFRESHED)).isNotEmpty().allSatisfy(e -> {
      assertThat(e.outcome()).isEqualTo(Outcome.UNAVAILABLE);
      assertThat(e.versionId()).isEmpty();
    });
    List<SecretEvent> expired = recorder.of(Kind.EXPIRED);
    assertThat(expired).hasSize(1);
    assertThat(expired.get(0).versionId()).contains("v1");
    assertThat(expired.get(0).at()).isEqualTo(clock.instant());

    SecretRef missing = SecretRef.of("nope/missing");
    source.heal();
    try {
      cache.get(missing);
    } catch (RuntimeException expected) {
      // not found
    }
    SecretEvent notFound = recorder.events.get(recorder.events.size() - 1);
    assertThat(notFound.kind()).isEqualTo(Kind.LOADED);
    assertThat(notFound.outcome()).isEqualTo(Outcome.NOT_FOUND);
  }

  @Test
  void anEntryDroppedForSizeOrForHavingNothingToServeIsReportedAsEvicted() {
    source.put("prod/other", "hunter2-other");
    LeakGuard.watch("hunter2-other");
    cache = builder().maximumSize(1).build();
    cache.get(DB);
    cache.get(SecretRef.of("prod/other"));
    ((DefaultSecretCache) cache).toString();
    cache.get(SecretRef.of("prod/other"));
    clock.advance(Duration.ofSeconds(1));

    assertThat(recorder.of(Kind.EVICTED)).hasSize((int) cache.stats().evictions()).isNotEmpty();
    assertThat(recorder.of(Kind.EVICTED).get(0).versionId()).isPresent();
  }

  @Test
  void anEntryDroppedForHavingNothingLeftToServeNamesTheVersionItZeroed() {
    cache = builder().build();
    Secret held = cache.get(DB);
    source.fail(() -> new SecretUnavailableException("backend 'fake' is down", DB));
    // defaultTtl 100 s, maxStale 300 s, then the grace minute: the entry is dropped, its value zeroed.
    clock.advance(Duration.ofSeconds(100 + 300 + 60));

    assertThat(held.value().isDestroyed()).isTrue();
    assertThat(cache.stats().evictions()).isEqualTo(1);
    List<SecretEvent> evicted = recorder.of(Kind.EVICTED);
    assertThat(evicted).hasSize(1);
    assertThat(evicted.get(0).versionId()).contains("v1");
  }

  @Test
  void anObserverThatThrowsIsIsolatedAndTheOthersAndTheCacheGoOn() {
    SecretObserver broken = new SecretObserver() {
      @Override
      public void onBackendCall(BackendCall call) {
        throw new IllegalStateException("observer bug");
      }

      @Override
      public void onEvent(SecretEvent event) {
        throw new IllegalStateException("observer bug");
      }
    };
    cache = SecretCache.builder(source).clock(clock).scheduler(scheduler).listenerExecutor(Runnable::run)
        .resilience(ResiliencePolicy.none()).observer(broken).observer(recorder).build();
    Secret s = cache.get(DB);

    assertThat(s.versionId()).isEqualTo("v1");
    assertThat(recorder.kinds()).containsExactly(Kind.LOADED, Kind.FIRST_READ);
    assertThat(recorder.calls).hasSize(1);
    assertThat(LeakGuard.captured()).anySatisfy(line -> assertThat(line)
        .contains(broken.getClass().getName()).contains(IllegalStateException.class.getName())
        .doesNotContain("observer bug"));
  }

  @Test
  void theAuditTrailWritesOneStructuredLinePerEventNamingTheReader() {
    List<AuditRecord> records = new CopyOnWriteArrayList<>();
    cache = builder().observer(AuditTrail.to(records::add)).observer(AuditTrail.toSlf4j()).build();
    cache.get(DB);

    assertThat(records).extracting(AuditRecord::event).containsExactly("loaded", "first_read");
    AuditRecord read = records.get(1);
    assertThat(read.secret()).isEqualTo("prod/db");
    assertThat(read.version()).contains("v1");
    assertThat(read.thread()).isEqualTo(Thread.currentThread().getName());
    assertThat(read.pid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(read.toLine()).startsWith("event=first_read secret=prod/db scheme=fake version=v1 outcome=ok caller="
        + SecretObserverTest.class.getName() + ".theAuditTrailWritesOneStructuredLinePerEventNamingTheReader thread=");
    assertThat(LeakGuard.captured()).anySatisfy(line -> assertThat(line).contains("event=first_read secret=prod/db"));
  }

  @Test
  void anAuditLineQuotesValuesWithSpacesAndQuotes() {
    AuditRecord r = new AuditRecord(clock.instant(), "loaded", "file://a b", "file", java.util.Optional.of("v\"1"),
        java.util.Optional.empty(), "ok", java.util.Optional.empty(), java.util.Optional.empty(), "pool 1", 7);
    assertThat(r.toLine()).isEqualTo("event=loaded secret=\"file://a b\" scheme=file version=\"v\\\"1\" outcome=ok"
        + " thread=\"pool 1\" pid=7 at=" + clock.instant());
  }

  @Test
  void aRefreshThatFindsTheSameVersionRecordsNoSecondFirstReadAndNoRotation() {
    cache = builder().build();
    cache.get(DB);
    cache.refresh(DB).join();
    cache.refresh(DB).join();
    cache.get(DB);

    assertThat(recorder.kinds()).containsExactly(Kind.LOADED, Kind.FIRST_READ, Kind.REFRESHED, Kind.REFRESHED);
    assertThat(recorder.of(Kind.REFRESHED)).allSatisfy(e -> assertThat(e.versionId()).contains("v1"));
  }
}
