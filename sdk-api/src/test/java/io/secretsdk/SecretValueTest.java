package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.testing.LeakGuard;
import java.io.ByteArrayOutputStream;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SecretValueTest {
  private static final String TEXT = "p4ssw0rd-ünïcødé-✓";

  @Test
  void copyOfKeepsItsOwnCopy() {
    char[] mine = TEXT.toCharArray();
    SecretValue value = SecretValue.copyOf(mine);
    Arrays.fill(mine, 'x');
    assertThat(value.revealString()).isEqualTo(TEXT);
    assertThat(value.isBinary()).isFalse();
    assertThat(value.length()).isEqualTo(TEXT.length());
  }

  @Test
  void wrapTakesTheArrayAndZeroesItOnDestroy() {
    char[] adopted = TEXT.toCharArray();
    SecretValue value = SecretValue.wrap(adopted);
    value.destroy();
    assertThat(adopted).containsOnly('\0');
    assertThat(value.isDestroyed()).isTrue();
  }

  @Test
  void fromUtf8DecodesMultibyteText() {
    SecretValue value = SecretValue.fromUtf8(TEXT.getBytes(StandardCharsets.UTF_8));
    assertThat(value.contentEquals(TEXT.toCharArray())).isTrue();
    String emoji = "key-\uD83D\uDD11";
    assertThat(SecretValue.fromUtf8(emoji.getBytes(StandardCharsets.UTF_8)).revealString()).isEqualTo(emoji);
  }

  @Test
  void fromUtf8RejectsMalformedInputWithoutQuotingIt() {
    byte[][] bad = {
      {'a', (byte) 0xC3}, // truncated
      {(byte) 0xC0, (byte) 0xAF}, // overlong
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // surrogate
      {'s', 'e', 'c', 'r', 'e', 't', (byte) 0xFF},
    };
    for (byte[] b : bad) {
      assertThatThrownBy(() -> SecretValue.fromUtf8(b))
          .isInstanceOf(SecretFormatException.class)
          .hasMessageContaining("UTF-8")
          .hasMessageNotContaining("secret");
    }
  }

  @Test
  void binaryValuesAreReadAsBytesOnly() {
    byte[] raw = {0, 1, (byte) 0xFF, 42};
    SecretValue value = SecretValue.copyOfBinary(raw);
    raw[0] = 9;
    assertThat(value.isBinary()).isTrue();
    assertThat(value.length()).isEqualTo(4);
    assertThat(value.<byte[]>withBytes(b -> b.clone())).containsExactly(0, 1, (byte) 0xFF, 42);
    assertThatThrownBy(value::toCharArray).isInstanceOf(IllegalStateException.class).hasMessageContaining("binary");
    assertThatThrownBy(value::revealString).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void lentArraysAreWipedWhenTheReaderReturnsOrThrows() {
    SecretValue value = SecretValue.copyOf(TEXT.toCharArray());
    AtomicReference<char[]> lent = new AtomicReference<>();
    String read = value.withChars(chars -> { lent.set(chars); return new String(chars); });
    assertThat(read).isEqualTo(TEXT);
    assertThat(lent.get()).containsOnly('\0');

    AtomicReference<byte[]> lentBytes = new AtomicReference<>();
    assertThatThrownBy(() -> value.withBytes(bytes -> { lentBytes.set(bytes); throw new IllegalStateException("boom"); }))
        .hasMessage("boom");
    assertThat(lentBytes.get()).containsOnly(0);
    assertThat(value.revealString()).isEqualTo(TEXT);
  }

  @Test
  void withBytesGivesTheUtf8OfText() {
    SecretValue value = SecretValue.copyOf(TEXT.toCharArray());
    String read = value.withBytes(b -> new String(b, StandardCharsets.UTF_8));
    assertThat(read).isEqualTo(TEXT);
  }

  @Test
  void contentEqualsComparesKindAndContent() {
    SecretValue a = SecretValue.copyOf("abc".toCharArray());
    assertThat(a.contentEquals(SecretValue.copyOf("abc".toCharArray()))).isTrue();
    assertThat(a.contentEquals(SecretValue.copyOf("abd".toCharArray()))).isFalse();
    assertThat(a.contentEquals(SecretValue.copyOf("abcd".toCharArray()))).isFalse();
    assertThat(a.contentEquals(SecretValue.copyOfBinary("abc".getBytes(StandardCharsets.UTF_8)))).isFalse();
    assertThat(a.contentEquals(a.borrow())).isTrue();
    assertThat(a.contentEquals("abc".toCharArray())).isTrue();
    assertThat(SecretValue.copyOfBinary(new byte[] {1}).contentEquals(SecretValue.copyOfBinary(new byte[] {1}))).isTrue();
  }

  @Test
  void everyAccessAfterDestroyFailsClearly() {
    SecretValue value = SecretValue.copyOf(TEXT.toCharArray());
    SecretValue view = value.borrow();
    value.close();
    value.destroy(); // idempotent
    for (Runnable access : List.<Runnable>of(
        value::length, value::toCharArray, value::revealString, () -> value.withChars(c -> 1),
        () -> value.withBytes(b -> 1), () -> value.contentEquals(new char[0]), value::borrow)) {
      assertThatThrownBy(access::run).isInstanceOf(IllegalStateException.class).hasMessageContaining("destroyed");
    }
    // A borrowed view (what a cache hands out) says to read again instead of keeping it.
    assertThatThrownBy(view::revealString).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("zeroed by its cache").hasMessageContaining("instead of keeping it");
    assertThat(view.isDestroyed()).isTrue();
    assertThat(value.toString()).isEqualTo("SecretValue[destroyed]");
  }

  @Test
  void borrowedViewsReadButCannotDestroy() {
    SecretValue owner = SecretValue.copyOf(TEXT.toCharArray());
    SecretValue view = owner.borrow();
    assertThat(view.isBorrowed()).isTrue();
    assertThat(owner.isBorrowed()).isFalse();
    assertThat(view.revealString()).isEqualTo(TEXT);
    assertThatThrownBy(view::destroy).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("borrowed");
    assertThatThrownBy(view::close).isInstanceOf(UnsupportedOperationException.class);
    assertThat(owner.isDestroyed()).isFalse();
  }

  @Test
  void toStringEqualsAndHashCodeRevealNothing() {
    LeakGuard.watch(TEXT);
    SecretValue a = SecretValue.copyOf(TEXT.toCharArray());
    SecretValue b = SecretValue.copyOf(TEXT.toCharArray());
    assertThat(a.toString()).isEqualTo("SecretValue[redacted]");
    assertThat(a).isNotEqualTo(b);
    assertThat(a).isEqualTo(a);
    assertThat(a.hashCode()).isEqualTo(System.identityHashCode(a));
    org.slf4j.LoggerFactory.getLogger(SecretValueTest.class).info("value {} in a log line", a);
  }

  @Test
  void javaSerializationFails() {
    SecretValue value = SecretValue.copyOf(TEXT.toCharArray());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertThatThrownBy(() -> {
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(value);
      }
    }).isInstanceOf(NotSerializableException.class);
    assertThat(new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1)).doesNotContain("p4ssw0rd");
  }

  @Test
  void jacksonSerializationFailsAndWritesNothingOfTheValue() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    SecretValue value = SecretValue.copyOf(TEXT.toCharArray());
    assertThatThrownBy(() -> mapper.writeValueAsString(value)).hasMessageContaining("cannot be serialized");
    StringWriter out = new StringWriter();
    assertThatThrownBy(() -> mapper.writeValue(out, Map.of("password", value)))
        .hasMessageContaining("cannot be serialized");
    assertThat(out.toString()).doesNotContain("p4ssw0rd");
    Secret secret = Secret.builder("db").versionId("1").value(value).build();
    assertThatThrownBy(() -> mapper.writeValueAsString(secret)).hasMessageContaining("cannot be serialized");
  }

  @Test
  void destroyNeverLetsAConcurrentReaderSeeAPartlyZeroedArray() throws Exception {
    char[] expected = new char[64 * 1024];
    Arrays.fill(expected, 'k');
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 20; round++) {
        SecretValue value = SecretValue.copyOf(expected);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger torn = new AtomicInteger();
        AtomicInteger whole = new AtomicInteger();
        Future<?>[] readers = new Future<?>[8];
        for (int t = 0; t < readers.length; t++) {
          readers[t] = pool.submit(() -> {
            start.await();
            for (int i = 0; i < 200; i++) {
              try {
                boolean ok = value.withChars(c -> Arrays.equals(c, expected));
                (ok ? whole : torn).incrementAndGet();
              } catch (IllegalStateException destroyed) {
                return null;
              }
            }
            return null;
          });
        }
        start.countDown();
        value.destroy();
        for (Future<?> f : readers) {
          f.get(10, TimeUnit.SECONDS);
        }
        assertThat(torn.get()).as("reads that saw a partly zeroed array").isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void useCharsServesVoidUsesAndWipesTheLentCopy() {
    SecretValue value = SecretValue.copyOf(TEXT.toCharArray());
    char[][] lent = new char[1][];
    StringBuilder seen = new StringBuilder();
    // An implicitly typed lambda calling a void method: withChars(Function) cannot take this.
    value.useChars(chars -> {
      lent[0] = chars;
      seen.append(chars.length);
    });
    assertThat(seen.toString()).isEqualTo(String.valueOf(TEXT.length()));
    assertThat(lent[0]).containsOnly('\0');
    byte[][] bytes = new byte[1][];
    value.useBytes(b -> bytes[0] = b);
    assertThat(bytes[0]).containsOnly((byte) 0);
    // withChars with a value-returning lambda still resolves, unchanged.
    int length = value.withChars(chars -> chars.length);
    assertThat(length).isEqualTo(TEXT.length());
    value.destroy();
    assertThatThrownBy(() -> value.useChars(c -> { })).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anOwnedValueThatWasClosedSaysSo() {
    SecretValue value = SecretValue.copyOf(TEXT.toCharArray());
    value.close();
    assertThatThrownBy(value::revealString).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("destroyed (closed by its owner)");
  }
}
