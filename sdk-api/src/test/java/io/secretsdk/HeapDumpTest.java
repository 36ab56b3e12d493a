package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.testing.HeapDumps;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The values the SDK holds leave no copy on the heap once destroyed. */
class HeapDumpTest {
  @TempDir Path dir;

  @Test
  void destroyedValuesLeaveNoCopyOnTheHeap() throws Exception {
    long seed = new SecureRandom().nextLong();
    HeapDumps.Forked run = HeapDumps.runForked(HeapDumpProbe.class, 120, Long.toString(seed), dir.toString());
    assertThat(run.exitCode()).as(run.output()).isZero();

    Map<String, Long> counts = new LinkedHashMap<>();
    for (String line : run.output().split("\n")) {
      String[] parts = line.trim().split(" ");
      if (parts.length == 3 && (parts[0].equals("before") || parts[0].equals("after"))) {
        counts.put(parts[0] + " " + parts[1], Long.parseLong(parts[2]));
      }
    }
    assertThat(counts).as(run.output()).hasSize(6);
    System.out.println("heap dump counts: " + counts);
    // Positive control: each value is found while it is alive...
    assertThat(counts.get("before fromUtf8")).isPositive();
    assertThat(counts.get("before field")).isPositive();
    assertThat(counts.get("before file")).isPositive();
    // ...and nowhere once destroyed.
    assertThat(counts.get("after fromUtf8")).isZero();
    assertThat(counts.get("after field")).isZero();
    assertThat(counts.get("after file")).isZero();
  }
}
