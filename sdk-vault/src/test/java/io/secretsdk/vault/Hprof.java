package io.secretsdk.vault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough of an HPROF reader to say which object holds each occurrence of a pattern in a heap
 * dump: the primitive array it lies in, and the chain of instances that refer to that array, by
 * class name. Used to tell copies the SDK made from buffers inside the JDK.
 */
final class Hprof {
  private final byte[] data;
  private final int idSize;
  private final Map<Long, String> strings = new HashMap<>();
  private final Map<Long, String> classNames = new HashMap<>();
  /** class id -> [super class id, then for each instance field: type] as parsed. */
  private final Map<Long, long[]> superOf = new HashMap<>();
  private final Map<Long, byte[]> fieldTypes = new HashMap<>();
  /** start, end, id, class id of every instance record's field data. */
  private final List<long[]> instances = new ArrayList<>();
  /** start, end, id of every primitive array's elements. */
  private final List<long[]> arrays = new ArrayList<>();

  Hprof(Path file) throws IOException {
    data = Files.readAllBytes(file);
    int p = 0;
    while (data[p] != 0) {
      p++;
    }
    p++;
    idSize = u4(p);
    p += 12;
    while (p < data.length) {
      int tag = data[p] & 0xFF;
      int len = u4(p + 5);
      int body = p + 9;
      int end = body + len;
      if (tag == 0x01) {
        strings.put(id(body), new String(data, body + idSize, len - idSize, StandardCharsets.UTF_8));
      } else if (tag == 0x02) {
        classNames.put(id(body + 4), String.valueOf(id(body + 8 + idSize)));
      } else if (tag == 0x0C || tag == 0x1C) {
        segment(body, end);
      }
      p = end;
    }
    classNames.replaceAll((k, v) -> strings.getOrDefault(Long.parseLong(v), v));
  }

  private int u4(int at) {
    return ((data[at] & 0xFF) << 24) | ((data[at + 1] & 0xFF) << 16) | ((data[at + 2] & 0xFF) << 8) | (data[at + 3] & 0xFF);
  }

  private long id(int at) {
    long v = 0;
    for (int i = 0; i < idSize; i++) {
      v = (v << 8) | (data[at + i] & 0xFF);
    }
    return v;
  }

  private int size(int type) {
    switch (type) {
      case 2: return idSize;
      case 4: case 8: return 1;
      case 5: case 9: return 2;
      case 6: case 10: return 4;
      case 7: case 11: return 8;
      default: throw new IllegalStateException("unknown basic type " + type);
    }
  }

  private void segment(int q, int end) {
    while (q < end) {
      int sub = data[q++] & 0xFF;
      switch (sub) {
        case 0xFF: q += idSize; break;
        case 0x01: q += 2 * idSize; break;
        case 0x02: case 0x03: q += idSize + 8; break;
        case 0x04: q += idSize + 4; break;
        case 0x05: case 0x07: q += idSize; break;
        case 0x06: q += idSize + 4; break;
        case 0x08: q += idSize + 8; break;
        case 0x20: {
          long cls = id(q);
          long sup = id(q + idSize + 4);
          q += idSize + 4 + 6 * idSize + 4;
          int cp = ((data[q] & 0xFF) << 8) | (data[q + 1] & 0xFF);
          q += 2;
          for (int i = 0; i < cp; i++) {
            q += 2;
            int t = data[q++] & 0xFF;
            q += size(t);
          }
          int ns = ((data[q] & 0xFF) << 8) | (data[q + 1] & 0xFF);
          q += 2;
          for (int i = 0; i < ns; i++) {
            q += idSize;
            int t = data[q++] & 0xFF;
            q += size(t);
          }
          int ni = ((data[q] & 0xFF) << 8) | (data[q + 1] & 0xFF);
          q += 2;
          byte[] types = new byte[ni];
          for (int i = 0; i < ni; i++) {
            q += idSize;
            types[i] = data[q++];
          }
          superOf.put(cls, new long[] {sup});
          fieldTypes.put(cls, types);
          break;
        }
        case 0x21: {
          long oid = id(q);
          long cls = id(q + idSize + 4);
          int n = u4(q + 2 * idSize + 4);
          int s = q + 2 * idSize + 8;
          instances.add(new long[] {s, s + n, oid, cls});
          q = s + n;
          break;
        }
        case 0x22: {
          int n = u4(q + idSize + 4);
          q += 2 * idSize + 8 + n * idSize;
          break;
        }
        case 0x23: {
          long oid = id(q);
          int n = u4(q + idSize + 4);
          int t = data[q + idSize + 8] & 0xFF;
          int s = q + idSize + 9;
          arrays.add(new long[] {s, s + (long) n * size(t), oid});
          q = s + n * size(t);
          break;
        }
        default:
          throw new IllegalStateException("unknown heap dump sub-record " + sub);
      }
    }
  }

  /** The ids of the objects an instance refers to through its fields (its class's and supers'). */
  private List<Long> references(long[] instance) {
    List<Long> out = new ArrayList<>();
    int at = (int) instance[0];
    long cls = instance[3];
    while (cls != 0 && fieldTypes.containsKey(cls)) {
      for (byte t : fieldTypes.get(cls)) {
        if (t == 2) {
          out.add(id(at));
        }
        at += size(t);
      }
      cls = superOf.get(cls)[0];
    }
    return out;
  }

  private List<long[]> referrers(long target) {
    List<long[]> out = new ArrayList<>();
    for (long[] inst : instances) {
      if (references(inst).contains(target)) {
        out.add(inst);
      }
    }
    return out;
  }

  /**
   * For each occurrence of each pattern: the class chain holding it, e.g. {@code
   * [java/nio/HeapByteBuffer <- jdk/internal/net/http/SocketTube$SliceBufferSource]}, found by
   * walking up to two referrers from the array the occurrence lies in.
   *
   * @param patterns byte patterns
   * @return one list of holder chains per occurrence
   */
  List<List<String>> holders(List<byte[]> patterns) {
    List<List<String>> out = new ArrayList<>();
    for (byte[] p : patterns) {
      for (int i = indexOf(p, 0); i >= 0; i = indexOf(p, i + 1)) {
        long array = -1;
        for (long[] a : arrays) {
          if (a[0] <= i && i < a[1]) {
            array = a[2];
            break;
          }
        }
        List<String> chains = new ArrayList<>();
        if (array < 0) {
          chains.add("(not in a primitive array)");
        } else {
          for (long[] first : referrers(array)) {
            String name = classNames.getOrDefault(first[3], "?");
            List<long[]> second = referrers(first[2]);
            if (second.isEmpty()) {
              chains.add(name);
            }
            for (long[] s : second) {
              chains.add(name + " <- " + classNames.getOrDefault(s[3], "?"));
            }
          }
          if (chains.isEmpty()) {
            chains.add("(array with no instance referrer)");
          }
        }
        out.add(chains);
      }
    }
    return out;
  }

  private int indexOf(byte[] p, int from) {
    outer:
    for (int i = from; i + p.length <= data.length; i++) {
      for (int k = 0; k < p.length; k++) {
        if (data[i + k] != p[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
