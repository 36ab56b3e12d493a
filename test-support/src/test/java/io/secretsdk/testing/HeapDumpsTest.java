package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeapDumpsTest {
  @TempDir Path dir;

  @Test
  void countsEveryOccurrenceIncludingThoseAcrossWindowBoundaries() throws IOException {
    byte[] data = new byte[(1 << 20) * 3 + 777];
    new Random(7).nextBytes(data);
    for (int i = 0; i < data.length; i++) {
      if (data[i] == 'k') {
        data[i] = 'x'; // keep the pattern's first byte out of the noise
      }
    }
    byte[] pattern = "key-0123456789".getBytes();
    int[] at = {0, (1 << 20) - 5, (1 << 20) * 2 - 1, (1 << 20) * 2 + 20, data.length - pattern.length};
    for (int a : at) {
      System.arraycopy(pattern, 0, data, a, pattern.length);
    }
    Path file = dir.resolve("data.bin");
    Files.write(file, data);
    assertThat(HeapDumps.count(file, List.of(pattern))).isEqualTo(at.length);
  }

  @Test
  void encodesTextAsLatin1AndBothUtf16ByteOrders() {
    List<byte[]> encodings = HeapDumps.encodings(new char[] {'a', 'b'});
    assertThat(encodings.get(0)).containsExactly('a', 'b');
    assertThat(encodings.get(1)).containsExactly(0, 'a', 0, 'b');
    assertThat(encodings.get(2)).containsExactly('a', 0, 'b', 0);
  }

  @Test
  void findsALiveCharArrayInARealHeapDump() throws IOException {
    char[] live = "zq-live-marker-4f1e2d".toCharArray();
    Path file = dir.resolve("heap.hprof");
    HeapDumps.dump(file);
    assertThat(HeapDumps.count(file, HeapDumps.encodings(live))).isPositive();
    assertThat(live).isNotEmpty();
  }
}
