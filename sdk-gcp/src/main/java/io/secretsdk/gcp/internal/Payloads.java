package io.secretsdk.gcp.internal;

import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.secretsdk.SecretFormatException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Turns an {@code AccessSecretVersion} payload into a {@link SecretValue}: checks its CRC32C when
 * the server sent one, decides text or binary, copies once, and wipes the response's buffer.
 *
 * <p>The payload's {@link ByteString} is read in place through {@link
 * UnsafeByteOperations#unsafeWriteTo}, which lends its backing arrays without copying them. Well-formed
 * UTF-8 becomes a text value decoded straight from those arrays into an exactly sized {@code char[]}
 * (the one copy); any other content becomes a binary value. Afterwards, and on every failure, the
 * backing arrays are zeroed: the response is this source's to drop, and nobody else reads it. A
 * payload backed by a read-only direct buffer (never seen from either transport) cannot be wiped.
 */
public final class Payloads {
  private Payloads() {}

  /**
   * Converts and wipes a payload.
   *
   * @param payload the payload of an {@code AccessSecretVersionResponse}
   * @param ref the secret, for errors
   * @param what the item as messages name it
   * @return the value, owned by the caller
   * @throws SecretFormatException if the CRC32C does not match (the payload is wiped first)
   */
  public static SecretValue toValue(SecretPayload payload, SecretRef ref, String what) {
    List<Chunk> chunks = chunks(payload.getData());
    try {
      if (payload.hasDataCrc32C()) {
        CRC32C crc = new CRC32C();
        for (Chunk c : chunks) {
          c.update(crc);
        }
        if (crc.getValue() != payload.getDataCrc32C()) {
          throw new SecretFormatException(
              GcpErrors.SERVICE + " sent " + what + " with a payload whose CRC32C does not match its checksum "
                  + "(corrupted in transit or storage); the payload was discarded and wiped", ref);
        }
      }
      return convert(chunks);
    } finally {
      for (Chunk c : chunks) {
        c.wipe();
      }
    }
  }

  private static SecretValue convert(List<Chunk> chunks) {
    if (chunks.size() == 1 && chunks.get(0).array != null) {
      Chunk c = chunks.get(0);
      return convert(java.util.Objects.requireNonNull(c.array), c.offset, c.length);
    }
    // A rope or a direct buffer: gather into one array first, wiped below.
    int size = 0;
    for (Chunk c : chunks) {
      size += c.length;
    }
    byte[] all = new byte[size];
    try {
      int at = 0;
      for (Chunk c : chunks) {
        c.copyTo(all, at);
        at += c.length;
      }
      return convert(all, 0, size);
    } finally {
      Arrays.fill(all, (byte) 0);
    }
  }

  private static SecretValue convert(byte[] a, int offset, int length) {
    int chars = utf16Length(a, offset, length);
    if (chars < 0) {
      if (offset == 0 && length == a.length) {
        return SecretValue.copyOfBinary(a);
      }
      byte[] exact = Arrays.copyOfRange(a, offset, offset + length);
      try {
        return SecretValue.copyOfBinary(exact);
      } finally {
        Arrays.fill(exact, (byte) 0);
      }
    }
    char[] out = new char[chars];
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer dst = CharBuffer.wrap(out);
    CoderResult r = decoder.decode(ByteBuffer.wrap(a, offset, length), dst, true);
    if (!r.isError()) {
      r = decoder.flush(dst);
    }
    if (r.isError() || dst.position() != chars) {
      Arrays.fill(out, '\0');
      throw new IllegalStateException("UTF-8 decoder disagreed with the validator");
    }
    return SecretValue.wrap(out);
  }

  /**
   * The number of UTF-16 units strict UTF-8 decodes to (no overlongs, no surrogates, nothing past
   * U+10FFFF), or -1 if the bytes are not well-formed UTF-8.
   *
   * @param a the bytes
   * @param offset where to start
   * @param length how many
   * @return the length in chars, or -1
   */
  public static int utf16Length(byte[] a, int offset, int length) {
    int i = offset;
    int end = offset + length;
    int chars = 0;
    while (i < end) {
      int b = a[i] & 0xff;
      if (b < 0x80) {
        i++;
        chars++;
        continue;
      }
      int need;
      int lo = 0x80;
      int hi = 0xbf;
      if (b >= 0xc2 && b <= 0xdf) {
        need = 1;
      } else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        if (b == 0xe0) {
          lo = 0xa0;
        } else if (b == 0xed) {
          hi = 0x9f;
        }
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        if (b == 0xf0) {
          lo = 0x90;
        } else if (b == 0xf4) {
          hi = 0x8f;
        }
      } else {
        return -1;
      }
      if (end - i <= need) {
        return -1;
      }
      int second = a[i + 1] & 0xff;
      if (second < lo || second > hi) {
        return -1;
      }
      for (int k = 2; k <= need; k++) {
        int cont = a[i + k] & 0xff;
        if (cont < 0x80 || cont > 0xbf) {
          return -1;
        }
      }
      i += need + 1;
      chars += need == 3 ? 2 : 1;
    }
    return chars;
  }

  private static List<Chunk> chunks(ByteString data) {
    List<Chunk> chunks = new ArrayList<>(1);
    try {
      UnsafeByteOperations.unsafeWriteTo(data, new ByteOutput() {
        @Override
        public void write(byte value) {
          chunks.add(new Chunk(new byte[] {value}, 0, 1, null));
        }

        @Override
        public void write(byte[] value, int offset, int length) {
          chunks.add(new Chunk(value, offset, length, null));
        }

        @Override
        public void writeLazy(byte[] value, int offset, int length) {
          chunks.add(new Chunk(value, offset, length, null));
        }

        @Override
        public void write(ByteBuffer value) {
          writeLazy(value);
        }

        @Override
        public void writeLazy(ByteBuffer value) {
          if (value.hasArray()) {
            chunks.add(new Chunk(value.array(), value.arrayOffset() + value.position(), value.remaining(), null));
          } else {
            chunks.add(new Chunk(null, 0, value.remaining(), value.duplicate()));
          }
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return chunks;
  }

  /** One backing region of a {@link ByteString}: an array range, or a direct buffer. */
  private static final class Chunk {
    final byte @Nullable [] array;
    final int offset;
    final int length;
    final @Nullable ByteBuffer buffer;

    Chunk(byte @Nullable [] array, int offset, int length, @Nullable ByteBuffer buffer) {
      this.array = array;
      this.offset = offset;
      this.length = length;
      this.buffer = buffer;
    }

    void update(CRC32C crc) {
      if (array != null) {
        crc.update(array, offset, length);
      } else {
        crc.update(java.util.Objects.requireNonNull(buffer).duplicate());
      }
    }

    void copyTo(byte[] dst, int at) {
      if (array != null) {
        System.arraycopy(array, offset, dst, at, length);
      } else {
        java.util.Objects.requireNonNull(buffer).duplicate().get(dst, at, length);
      }
    }

    void wipe() {
      if (array != null) {
        Arrays.fill(array, offset, offset + length, (byte) 0);
      } else if (buffer != null && !buffer.isReadOnly()) {
        ByteBuffer b = buffer.duplicate();
        while (b.hasRemaining()) {
          b.put((byte) 0);
        }
      }
    }
  }
}
