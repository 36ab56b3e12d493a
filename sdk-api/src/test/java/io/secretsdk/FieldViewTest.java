package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.internal.ValueAccess;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Values held as UTF-8 ({@link SecretValue#fromUtf8}, {@link SecretValue#wrapUtf8}) and the fields
 * read from them where they lie: same content as the char-held path, the same errors, and no torn
 * read when a destruction races the readers.
 */
class FieldViewTest {

  private static Secret secretOf(SecretValue value) {
    return Secret.builder("db").versionId("v1").value(value).build();
  }

  private static String read(SecretValue v) {
    return v.withChars(String::new);
  }

  @Test
  void fieldsOfAUtf8ValueReadTheSameAsFieldsOfACharValue() {
    String json = "{\"plain\":\"p4ss\",\"esc\":\"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\\n\",\"multi\":\"é€😀\","
        + "\"n\":-12.5e3,\"t\":true,\"f\":false,\"z\":null,\"o\":{\"x\":1},\"a\":[1],\"empty\":\"\"}";
    Secret bytes = secretOf(SecretValue.fromUtf8(json.getBytes(StandardCharsets.UTF_8)));
    Secret chars = secretOf(SecretValue.copyOf(json.toCharArray()));
    for (String name : List.of("plain", "esc", "multi", "n", "t", "f", "empty")) {
      SecretValue a = bytes.field(name);
      SecretValue b = chars.field(name);
      assertThat(read(a)).as(name).isEqualTo(read(b));
      assertThat(a.length()).as(name).isEqualTo(b.length());
      assertThat((String) a.withBytes(x -> new String(x, StandardCharsets.UTF_8))).as(name).isEqualTo(read(b));
      assertThat(a.contentEquals(b)).as(name).isTrue();
      assertThat(a.isBorrowed()).isTrue();
    }
    assertThat(read(bytes.field("esc"))).isEqualTo("a\"b\\cé😀\n");
    for (String name : List.of("z", "o", "a", "missing")) {
      assertThatThrownBy(() -> bytes.field(name)).isInstanceOf(SecretFormatException.class)
          .hasMessageContaining("'" + name + "'");
    }
  }

  @Test
  void namesWithEscapesOrBeyondAsciiAreFoundAndPrefixesAreNot() {
    String json = "{\"pass\":\"1\",\"password\":\"2\",\"pa\\u0073s2\":\"3\",\"pässe\":\"4\",\"q\\\"\":\"5\"}";
    Secret s = secretOf(SecretValue.fromUtf8(json.getBytes(StandardCharsets.UTF_8)));
    assertThat(read(s.field("pass"))).isEqualTo("1");
    assertThat(read(s.field("password"))).isEqualTo("2");
    assertThat(read(s.field("pass2"))).isEqualTo("3");
    assertThat(read(s.field("pässe"))).isEqualTo("4");
    assertThat(read(s.field("q\""))).isEqualTo("5");
    assertThatThrownBy(() -> s.field("pas")).isInstanceOf(SecretFormatException.class);
    assertThatThrownBy(() -> s.field("passwords")).isInstanceOf(SecretFormatException.class);
  }

  @Test
  void aFieldOfABinaryValueIsText() {
    Secret s = secretOf(SecretValue.copyOfBinary("{\"k\":\"v\\u0041\"}".getBytes(StandardCharsets.UTF_8)));
    assertThat(s.field("k").isBinary()).isFalse();
    assertThat(read(s.field("k"))).isEqualTo("vA");
  }

  @Test
  void anEscapedLoneSurrogateReadsAsCharsButHasNoUtf8Form() {
    Secret s = secretOf(SecretValue.fromUtf8("{\"k\":\"x\\ud800\"}".getBytes(StandardCharsets.UTF_8)));
    assertThat((int) s.field("k").withChars(c -> c.length)).isEqualTo(2);
    assertThatThrownBy(() -> s.field("k").withBytes(b -> b.length)).isInstanceOf(SecretFormatException.class)
        .hasMessageNotContaining("x");
  }

  @Test
  void wrapUtf8AdoptsTheArrayZeroesItAndRefusesMalformedInputWithoutTakingIt() {
    byte[] owned = "s3cr3t".getBytes(StandardCharsets.UTF_8);
    SecretValue v = SecretValue.wrapUtf8(owned);
    assertThat(v.length()).isEqualTo(6);
    v.destroy();
    assertThat(owned).containsOnly(0);
    byte[] bad = {'o', 'k', (byte) 0xC0, (byte) 0x80};
    assertThatThrownBy(() -> SecretValue.wrapUtf8(bad)).isInstanceOf(SecretFormatException.class)
        .hasMessageContaining("offset 2").hasMessageNotContaining("ok");
    assertThat(bad[0]).isEqualTo((byte) 'o');
  }

  @Test
  void fieldsDieWithTheirValueAndCannotBeClosed() {
    SecretValue value = SecretValue.fromUtf8("{\"k\":\"v\"}".getBytes(StandardCharsets.UTF_8));
    Secret s = secretOf(value);
    SecretValue k = s.field("k");
    assertThatThrownBy(k::close).isInstanceOf(UnsupportedOperationException.class);
    value.destroy();
    assertThat(k.isDestroyed()).isTrue();
    assertThatThrownBy(() -> k.withChars(c -> c)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> s.field("k")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aCopyOnTheSameValueSharesTheFieldsAlreadyRead() {
    Secret s = secretOf(SecretValue.fromUtf8("{\"k\":\"v\"}".getBytes(StandardCharsets.UTF_8)));
    SecretValue k = s.field("k");
    Secret copy = s.toBuilder().value(s.value()).build();
    assertThat(copy.field("k")).isSameAs(k);
  }

  /**
   * Readers of a UTF-8 value and of its fields (plain and escaped) race its destruction: each read
   * gives the whole content or is refused, never a partly zeroed copy.
   */
  @Test
  void readersOfUtf8ValuesAndTheirFieldsRacingDestroyGetAllOrARefusal() throws Exception {
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < 1024; i++) {
      big.append((char) ('a' + i % 26));
    }
    String plain = big.toString();
    String escapedText = plain + "\"é\n" + plain;
    String json = "{\"plain\":\"" + plain + "\",\"esc\":\"" + plain + "\\\"\\u00e9\\n" + plain + "\"}";
    byte[] jsonBytes = json.getBytes(StandardCharsets.UTF_8);
    int readers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(readers);
    List<String> torn = new CopyOnWriteArrayList<>();
    AtomicLong whole = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    try {
      for (int round = 0; round < 40; round++) {
        SecretValue owned = SecretValue.fromUtf8(jsonBytes);
        Secret secret = secretOf(owned.borrow());
        SecretValue plainField = secret.field("plain");
        SecretValue escField = secret.field("esc");
        CyclicBarrier start = new CyclicBarrier(readers + 1);
        CountDownLatch destroyed = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
          int kind = r;
          futures.add(pool.submit(() -> {
            start.await();
            boolean after = false;
            while (!after) {
              after = destroyed.getCount() == 0;
              try {
                boolean ok;
                switch (kind) {
                  case 0:
                    ok = owned.withChars(c -> new String(c).equals(json));
                    break;
                  case 1:
                    ok = plainField.withChars(c -> new String(c).equals(plain));
                    break;
                  case 2:
                    ok = escField.withChars(c -> new String(c).equals(escapedText));
                    break;
                  default:
                    ok = escField.withBytes(b -> Arrays.equals(b, escapedText.getBytes(StandardCharsets.UTF_8)));
                }
                if (ok) {
                  whole.incrementAndGet();
                } else {
                  torn.add("reader kind " + kind + " saw a partly zeroed value");
                }
              } catch (IllegalStateException expected) {
                refused.incrementAndGet();
                return null;
              }
            }
            return null;
          }));
        }
        start.await(5, TimeUnit.SECONDS);
        Thread.onSpinWait();
        owned.destroy();
        destroyed.countDown();
        for (Future<?> f : futures) {
          f.get(5, TimeUnit.SECONDS);
        }
        assertThat(plainField.isDestroyed()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(torn).isEmpty();
    assertThat(refused.get()).isEqualTo(40L * readers);
    assertThat(whole.get()).isPositive();
  }

  @Test
  void aValueItsParserCheckedReadsItsFieldsAsAValueCheckedOnItsFirstRead() {
    for (String json : List.of(
        "{\"plain\":\"p4ss\",\"esc\":\"a\\\"b\\u00e9\",\"n\":12,\"t\":true,\"z\":null,\"o\":{\"plain\":1}}",
        " {\"multi\":\"é€😀\",\"plain\":\"p4ss\",\"pä\":\"x\",\"esc\":\"\\n\",\"n\":-1.5,\"t\":false} ")) {
      byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
      boolean ascii = json.chars().allMatch(c -> c < 0x80);
      Secret checked = secretOf(ValueAccess.adoptCheckedObject(utf8.clone(), ascii));
      Secret parsed = secretOf(SecretValue.fromUtf8(utf8));
      assertThat(checked.value().length()).isEqualTo(json.length());
      for (String name : List.of("plain", "esc", "multi", "pä", "n", "t")) {
        if (!json.contains("\"" + name + "\"")) {
          assertThatThrownBy(() -> checked.field(name)).isInstanceOf(SecretFormatException.class)
              .hasMessageContaining("has no field");
          continue;
        }
        SecretValue a = checked.field(name);
        SecretValue b = parsed.field(name);
        assertThat(read(a)).as(name).isEqualTo(read(b));
        assertThat(a.length()).as(name).isEqualTo(b.length());
        assertThat(a.contentEquals(b)).as(name).isTrue();
      }
      for (String name : List.of("z", "o", "missing", "plai")) {
        if (json.contains("\"" + name + "\"") || name.equals("missing") || name.equals("plai")) {
          assertThatThrownBy(() -> checked.field(name)).as(name).isInstanceOf(SecretFormatException.class)
              .hasMessageContaining("'" + name + "'");
        }
      }
    }
  }

  @Test
  void onlySecretValueInstallsTheAccessItsParsersUse() {
    assertThatThrownBy(() -> ValueAccess.install((utf8, ascii) -> SecretValue.wrapUtf8(utf8)))
        .isInstanceOf(IllegalStateException.class);
  }

  /**
   * First reads of fields (each on a new secret, so each looks the field up in the bytes) race the
   * value's destruction, on a value checked by its parser (found without a check) and on one
   * checked by its first read: each gives the whole field or a refusal, never a format error, an
   * out-of-bounds read or a wrong field.
   */
  @Test
  void firstReadsOfFieldsRacingDestroyGetTheWholeFieldOrARefusal() throws Exception {
    StringBuilder json = new StringBuilder("{");
    int fields = 64;
    for (int i = 0; i < fields; i++) {
      json.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":\"").append("v".repeat(40)).append(i)
          .append(i % 3 == 0 ? "\\\"" : "").append('"');
    }
    byte[] utf8 = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    int readers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(readers);
    List<String> wrong = new CopyOnWriteArrayList<>();
    AtomicLong whole = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    try {
      for (int round = 0; round < 60; round++) {
        SecretValue owned = round % 2 == 0 ? ValueAccess.adoptCheckedObject(utf8.clone(), true)
            : SecretValue.fromUtf8(utf8);
        if (round % 2 == 1) {
          secretOf(owned.borrow()).field("f0"); // checked by this first read; the others find without a check
        }
        CyclicBarrier start = new CyclicBarrier(readers + 1);
        List<Future<?>> futures = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
          int seed = r;
          futures.add(pool.submit(() -> {
            start.await();
            for (int k = 0; ; k++) {
              int i = fields - 1 - ((k * 7 + seed) % fields);
              String expected = "v".repeat(40) + i + (i % 3 == 0 ? "\"" : "");
              try {
                SecretValue field = secretOf(owned.borrow()).field("f" + i);
                if (field.withChars(c -> new String(c).equals(expected))) {
                  whole.incrementAndGet();
                } else {
                  wrong.add("field f" + i + " read wrong content");
                }
              } catch (IllegalStateException expectedRefusal) {
                refused.incrementAndGet();
                return null;
              } catch (RuntimeException e) {
                wrong.add("field f" + i + ": " + e);
                return null;
              }
            }
          }));
        }
        start.await(5, TimeUnit.SECONDS);
        for (int spin = 0; spin < round * 50; spin++) {
          Thread.onSpinWait();
        }
        owned.destroy();
        for (Future<?> f : futures) {
          f.get(5, TimeUnit.SECONDS);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(wrong).isEmpty();
    assertThat(refused.get()).isEqualTo(60L * readers);
    assertThat(whole.get()).isPositive();
  }
}
