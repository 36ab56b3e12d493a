package io.secretsdk.observe.internal;

import java.nio.CharBuffer;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Keyed fingerprints of the values caches hold, and the scan that masks them in a line of text.
 * Holds no plaintext: per value (and per top-level JSON field) a 32-bit tag of a keyed rolling
 * hash of its first {@value #WINDOW} characters, its length, and a keyed SipHash-2-4 of the whole
 * text. A line is scanned with one rolling hash; each position costs a multiply-add, a mix and one
 * bit of an 8 KiB bit set, then (rarely) a probe of an open-addressing table of tags; only a tag
 * hit computes a SipHash over the candidate
 * span. Registered sets are replaced copy-on-write, so scans take no lock.
 *
 * <p>A retired owner (its value zeroed) stays masked for the retention period, then is dropped.
 */
public final class MaskRegistry {
  /** The rolling window, and the shortest text masked. */
  public static final int WINDOW = 8;

  /** The registry every cache of the process feeds; disabled until a masking module enables it. */
  public static final MaskRegistry GLOBAL = new MaskRegistry(Clock.systemUTC(), Duration.ofMinutes(10), new SecureRandom());

  private final Clock clock;
  private final long retentionMillis;
  private final long k0;
  private final long k1;
  private final long base;
  private final long offset;
  private final long baseW;
  private final long mixer;
  private volatile boolean enabled;
  /** Guarded by this. */
  private final Map<Object, Owner> owners = new IdentityHashMap<>();
  private volatile Table table = Table.EMPTY;

  /**
   * A registry with its own random key.
   *
   * @param clock when retired owners stop being masked is read from it
   * @param retention how long a retired owner stays masked
   * @param random where the key comes from
   */
  public MaskRegistry(Clock clock, Duration retention, Random random) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.retentionMillis = retention.toMillis();
    this.k0 = random.nextLong();
    this.k1 = random.nextLong();
    this.base = random.nextLong() | 1;
    this.offset = random.nextLong() >>> 16;
    this.mixer = random.nextLong() | 1;
    long p = 1;
    for (int i = 0; i < WINDOW; i++) {
      p *= base;
    }
    this.baseW = p;
  }

  /**
   * Whether registrations are taken: one volatile read.
   *
   * @return true once enabled
   */
  public boolean enabled() {
    return enabled;
  }

  /** Starts taking registrations. Idempotent. */
  public void enable() {
    enabled = true;
  }

  /**
   * How long a retired owner stays masked.
   *
   * @return the retention
   */
  public Duration retention() {
    return Duration.ofMillis(retentionMillis);
  }

  /**
   * The fingerprint of one text, or null if it is shorter than {@link #WINDOW}.
   *
   * @param label what replaces it, inside {@code ***secret:...***}
   * @param text the text; only read
   * @return the fingerprint
   */
  public @Nullable Print print(String label, char[] text) {
    if (text.length < WINDOW) {
      return null;
    }
    long h = 0;
    for (int i = 0; i < WINDOW; i++) {
      h = h * base + (text[i] + offset);
    }
    return new Print(tagOf(h), text.length, SipHash.hash(k0, k1, CharBuffer.wrap(text), 0, text.length),
        "***secret:" + label + "***");
  }

  /**
   * Registers (or replaces) what is masked for one owner.
   *
   * @param owner the object whose retirement ends masking, compared by identity
   * @param prints its fingerprints
   */
  public synchronized void register(Object owner, List<Print> prints) {
    if (prints.isEmpty()) {
      return;
    }
    owners.put(owner, new Owner(List.copyOf(prints)));
    rebuild(clock.millis());
  }

  /**
   * Marks an owner retired: it stays masked for the retention period. Idempotent.
   *
   * @param owner as registered
   */
  public synchronized void retire(Object owner) {
    Owner o = owners.get(owner);
    if (o == null || o.retireAt != Long.MAX_VALUE) {
      return;
    }
    long now = clock.millis();
    o.retireAt = now + retentionMillis;
    rebuild(now);
  }

  /**
   * How many fingerprints are held.
   *
   * @return the count
   */
  public int size() {
    return table.size;
  }

  /**
   * The line with every held text replaced by its label.
   *
   * @param line a rendered log line
   * @return the line, the same instance if nothing matched
   */
  public String mask(String line) {
    Table t = table;
    if (t.size == 0) {
      return line;
    }
    if (t.nextRetire != Long.MAX_VALUE && clock.millis() >= t.nextRetire) {
      synchronized (this) {
        rebuild(clock.millis());
      }
      t = table;
      if (t.size == 0) {
        return line;
      }
    }
    int n = line.length();
    StringBuilder out = null;
    int copied = 0;
    long h = 0;
    int filled = 0;
    int[] slots = t.slots;
    long[] bloom = t.bloom;
    int mask = slots.length - 1;
    for (int i = 0; i < n; i++) {
      h = h * base + (line.charAt(i) + offset);
      if (filled == WINDOW) {
        h -= (line.charAt(i - WINDOW) + offset) * baseW;
      } else if (++filled < WINDOW) {
        continue;
      }
      int tag = tagOf(h);
      if ((bloom[tag >>> 22] & (1L << (tag >>> 16))) == 0) {
        continue; // the common case, from an 8 KiB bit set that stays in the L1 cache
      }
      int idx = tag & mask;
      int slot;
      while ((slot = slots[idx]) != 0 && slot != tag) {
        idx = (idx + 1) & mask;
      }
      if (slot == 0) {
        continue;
      }
      int start = i - WINDOW + 1;
      Print best = null;
      for (Print p : t.buckets[idx]) {
        if (start + p.length <= n && (best == null || p.length > best.length)
            && SipHash.hash(k0, k1, line, start, p.length) == p.full) {
          best = p;
        }
      }
      if (best == null) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(n + 32);
      }
      out.append(line, copied, start).append(best.replacement);
      copied = start + best.length;
      i = copied - 1;
      h = 0;
      filled = 0;
    }
    return out == null ? line : out.append(line, copied, n).toString();
  }

  private int tagOf(long h) {
    int tag = (int) (((h ^ (h >>> 29)) * mixer) >>> 32);
    return tag == 0 ? 1 : tag;
  }

  /** Holds this. */
  private void rebuild(long now) {
    List<Print> all = new ArrayList<>();
    long nextRetire = Long.MAX_VALUE;
    for (var it = owners.values().iterator(); it.hasNext(); ) {
      Owner o = it.next();
      if (o.retireAt <= now) {
        it.remove();
        continue;
      }
      nextRetire = Math.min(nextRetire, o.retireAt);
      all.addAll(o.prints);
    }
    table = Table.of(all, nextRetire);
  }

  /** The fingerprint of one text: no plaintext. */
  public static final class Print {
    final int tag;
    final int length;
    final long full;
    final String replacement;

    Print(int tag, int length, long full, String replacement) {
      this.tag = tag;
      this.length = length;
      this.full = full;
      this.replacement = replacement;
    }

    @Override
    public String toString() {
      return "Print[" + replacement + ", " + length + " chars]";
    }
  }

  private static final class Owner {
    final List<Print> prints;
    long retireAt = Long.MAX_VALUE;

    Owner(List<Print> prints) {
      this.prints = prints;
    }
  }

  /**
   * An open-addressing table of tags (0 = empty slot), each slot with the prints of that tag, and
   * in front of it a bit set of 2^16 bits indexed by the tag's top 16 bits (the slot index uses the
   * low bits), so that most positions of a line are decided by one bit of an 8 KiB array.
   */
  private static final class Table {
    static final int BLOOM_WORDS = 1 << 10;
    static final Table EMPTY = new Table(new int[1], new Print[1][], new long[BLOOM_WORDS], 0, Long.MAX_VALUE);

    final int[] slots;
    final Print[][] buckets;
    final long[] bloom;
    final int size;
    final long nextRetire;

    Table(int[] slots, Print[][] buckets, long[] bloom, int size, long nextRetire) {
      this.slots = slots;
      this.buckets = buckets;
      this.bloom = bloom;
      this.size = size;
      this.nextRetire = nextRetire;
    }

    static Table of(List<Print> prints, long nextRetire) {
      if (prints.isEmpty()) {
        return EMPTY;
      }
      int capacity = Integer.highestOneBit(Math.max(8, prints.size() * 4) - 1) << 1;
      int[] slots = new int[capacity];
      Print[][] buckets = new Print[capacity][];
      long[] bloom = new long[BLOOM_WORDS];
      int mask = capacity - 1;
      for (Print p : prints) {
        bloom[p.tag >>> 22] |= 1L << (p.tag >>> 16);
        int idx = p.tag & mask;
        while (slots[idx] != 0 && slots[idx] != p.tag) {
          idx = (idx + 1) & mask;
        }
        slots[idx] = p.tag;
        Print[] old = buckets[idx];
        if (old == null) {
          buckets[idx] = new Print[] {p};
        } else {
          Print[] grown = java.util.Arrays.copyOf(old, old.length + 1);
          grown[old.length] = p;
          buckets[idx] = grown;
        }
      }
      return new Table(slots, buckets, bloom, prints.size(), nextRetire);
    }
  }
}
