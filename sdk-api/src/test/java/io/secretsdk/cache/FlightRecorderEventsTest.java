package io.secretsdk.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.resilience.ResiliencePolicy;
import io.secretsdk.testing.LeakGuard;
import io.secretsdk.testing.ManualClock;
import io.secretsdk.testing.ManualScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Flight Recorder events, recorded without any observer and read back from a dumped recording. */
class FlightRecorderEventsTest {
  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final FakeSource source = new FakeSource(clock);

  @Test
  void backendCallsRotationsExpiriesAndFirstReadsAreRecordedWithoutAValue(@TempDir Path dir) throws Exception {
    LeakGuard.watch("jfr-secret-one");
    LeakGuard.watch("jfr-secret-two");
    source.put("prod/db", "jfr-secret-one");
    SecretRef db = SecretRef.of("prod/db");
    Path file = dir.resolve("cache.jfr");
    try (Recording recording = new Recording()) {
      for (String name : List.of("BackendCall", "Rotation", "Expired", "FirstRead")) {
        recording.enable("io.secretsdk." + name).withThreshold(Duration.ZERO);
      }
      recording.start();
      try (SecretCache cache = SecretCache.builder(source).clock(clock).scheduler(scheduler)
          .listenerExecutor(Runnable::run).resilience(ResiliencePolicy.none()).refreshJitter(0)
          .defaultTtl(Duration.ofSeconds(100)).maxStale(Duration.ofSeconds(50)).build()) {
        cache.get(db);
        cache.get(db);
        source.rotate("prod/db", "jfr-secret-two");
        clock.advance(Duration.ofSeconds(75)); // refresh: rotation to v2
        readFromHere(cache, db);
        source.fail(() -> new SecretUnavailableException("backend 'fake' is down", db));
        clock.advance(Duration.ofSeconds(200)); // v2 fresh until 175, stale until 225: expired
      }
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    List<RecordedEvent> calls = named(events, "io.secretsdk.BackendCall");
    assertThat(calls).isNotEmpty();
    assertThat(calls.get(0).getString("scheme")).isEqualTo("fake");
    assertThat(calls.get(0).getString("operation")).isEqualTo("fetch");
    assertThat(calls.get(0).getString("outcome")).isEqualTo("ok");
    assertThat(calls.get(0).getString("secret")).isEqualTo("fake://prod/db");
    assertThat(calls).anySatisfy(c -> {
      assertThat(c.getString("outcome")).isEqualTo("unavailable");
      assertThat(c.getString("failure")).isEqualTo(SecretUnavailableException.class.getName());
    });
    List<RecordedEvent> rotations = named(events, "io.secretsdk.Rotation");
    assertThat(rotations).hasSize(1);
    assertThat(rotations.get(0).getString("previousVersion")).isEqualTo("v1");
    assertThat(rotations.get(0).getString("version")).isEqualTo("v2");
    List<RecordedEvent> expired = named(events, "io.secretsdk.Expired");
    assertThat(expired).extracting(e -> e.getString("version")).containsExactly("v2");
    List<RecordedEvent> reads = named(events, "io.secretsdk.FirstRead");
    assertThat(reads).extracting(e -> e.getString("version")).containsExactly("v1", "v2");
    assertThat(reads.get(1).getString("caller")).isEqualTo(FlightRecorderEventsTest.class.getName() + ".readFromHere");
    String all = events.toString();
    assertThat(all).doesNotContain("jfr-secret");
  }

  private static void readFromHere(SecretCache cache, SecretRef ref) {
    cache.get(ref);
  }

  private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
    return events.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
  }
}
