package io.secretsdk;

import com.fasterxml.jackson.annotation.JsonValue;
import io.secretsdk.internal.Utf8;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Function;
import javax.security.auth.Destroyable;
import org.jspecify.annotations.Nullable;

/**
 * A secret's content, held in an array that is zeroed on {@link #destroy()}.
 *
 * <p>Text is held as {@code char[]}, binary content as {@code byte[]}; neither is ever turned into
 * a {@link String} unless the caller asks for one through {@link #revealString()}. Readers borrow a
 * copy through {@link #withChars} or {@link #withBytes}, which is wiped as soon as the reader
 * returns, so that no copy outlives its use.
 *
 * <p><b>Ownership.</b> A value is either <em>owned</em>, when the holder may and should destroy it,
 * or <em>borrowed</em> ({@link #borrow()}), a view of someone else's value that can be read but not
 * destroyed: its {@code destroy()} throws {@link UnsupportedOperationException}. What a {@code
 * SecretCache} returns is borrowed; the cache zeroes it at eviction, at the end of its overlap, or
 * at close. What a {@link SecretSource} returns is owned by the caller.
 *
 * <p><b>Redaction.</b> {@code toString()} never shows the content; {@code equals} and {@code
 * hashCode} are identity; the class is not {@link java.io.Serializable}, and Jackson data binding
 * fails on it rather than writing anything.
 *
 * <p>Thread-safe. Any access to the content after destruction throws {@link
 * IllegalStateException}; a destruction that races a reader never lets the reader see a partly
 * zeroed array: the reader either gets the whole content or the exception.
 */
public final class SecretValue implements Destroyable, AutoCloseable {

  private final Store store;
  private final boolean borrowed;

  private SecretValue(Store store, boolean borrowed) {
    this.store = store;
    this.borrowed = borrowed;
  }

  /**
   * Copies text into a new owned value. The caller keeps, and should wipe, its own array.
   *
   * @param text the characters to copy
   * @return an owned value
   */
  public static SecretValue copyOf(char[] text) {
    Objects.requireNonNull(text, "text");
    return new SecretValue(new Store(text.clone(), null), false);
  }

  /**
   * Takes ownership of an array: no copy is made, and the array is zeroed when the value is
   * destroyed. The caller must not use the array afterwards.
   *
   * @param text the characters to adopt
   * @return an owned value
   */
  public static SecretValue wrap(char[] text) {
    Objects.requireNonNull(text, "text");
    return new SecretValue(new Store(text, null), false);
  }

  /**
   * Decodes strict UTF-8 straight into a {@code char[]}, with no intermediate {@link String}; the
   * decoder's scratch space is wiped. The caller keeps, and should wipe, its own array.
   *
   * @param utf8 the encoded text
   * @return an owned text value
   * @throws SecretFormatException if the bytes are not well-formed UTF-8 (the message gives the
   *     offset, never the content)
   */
  public static SecretValue fromUtf8(byte[] utf8) {
    Objects.requireNonNull(utf8, "utf8");
    return new SecretValue(new Store(Utf8.decode(utf8, 0, utf8.length), null), false);
  }

  /**
   * Copies binary content into a new owned value. The caller keeps, and should wipe, its own
   * array.
   *
   * @param bytes the content
   * @return an owned binary value
   */
  public static SecretValue copyOfBinary(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return new SecretValue(new Store(null, bytes.clone()), false);
  }

  /**
   * Makes a borrowed view of this value: it reads the same content, is destroyed when this value
   * is, and cannot itself be destroyed. Hand this to code that must read but not own the value.
   *
   * @return a borrowed view sharing this value's content
   * @throws IllegalStateException if this value is destroyed
   */
  public SecretValue borrow() {
    store.checkAlive();
    return new SecretValue(store, true);
  }

  /**
   * Whether this value is binary content rather than text.
   *
   * @return {@code true} for a binary value
   */
  public boolean isBinary() {
    return store.bytes != null;
  }

  /**
   * Whether this is a borrowed view, which its holder cannot destroy.
   *
   * @return {@code true} for a borrowed view
   */
  public boolean isBorrowed() {
    return borrowed;
  }

  /**
   * The length of the content.
   *
   * @return the number of chars of a text value, or of bytes of a binary value
   * @throws IllegalStateException if the value is destroyed
   */
  public int length() {
    store.checkAlive();
    return store.length;
  }

  /**
   * Lends the reader a copy of the text, wiped as soon as the reader returns (or throws). The
   * reader must not keep the array.
   *
   * @param reader reads the characters; its result is returned
   * @param <R> the reader's result type
   * @return what the reader returned
   * @throws IllegalStateException if the value is destroyed, or is binary
   */
  public <R> R withChars(Function<char[], R> reader) {
    Objects.requireNonNull(reader, "reader");
    char[] copy = store.copyChars();
    try {
      return reader.apply(copy);
    } finally {
      Arrays.fill(copy, '\0');
    }
  }

  /**
   * Lends the reader the content as bytes: the UTF-8 encoding of a text value, or a binary value's
   * own bytes. The array is wiped as soon as the reader returns (or throws).
   *
   * @param reader reads the bytes; its result is returned
   * @param <R> the reader's result type
   * @return what the reader returned
   * @throws IllegalStateException if the value is destroyed
   * @throws SecretFormatException if the text holds an unpaired surrogate and has no UTF-8 form
   */
  public <R> R withBytes(Function<byte[], R> reader) {
    Objects.requireNonNull(reader, "reader");
    byte[] copy = store.copyBytes();
    try {
      return reader.apply(copy);
    } finally {
      Arrays.fill(copy, (byte) 0);
    }
  }

  /**
   * Copies the text into an array the caller owns and must wipe.
   *
   * @return a new array with the text
   * @throws IllegalStateException if the value is destroyed, or is binary
   */
  public char[] toCharArray() {
    return store.copyChars();
  }

  /**
   * Makes a {@link String} of the text. A String cannot be wiped and may outlive every reference
   * to it, so use this only where an API accepts nothing else; the method's name makes such places
   * easy to find.
   *
   * @return the text as a String
   * @throws IllegalStateException if the value is destroyed, or is binary
   */
  public String revealString() {
    char[] copy = store.copyChars();
    try {
      return new String(copy);
    } finally {
      Arrays.fill(copy, '\0');
    }
  }

  /**
   * Compares content with another value in time that depends only on the lengths.
   *
   * @param other the value to compare with
   * @return {@code true} if both are text with the same characters, or both binary with the same
   *     bytes
   * @throws IllegalStateException if either value is destroyed
   */
  public boolean contentEquals(SecretValue other) {
    Objects.requireNonNull(other, "other");
    if (other.store == store) {
      store.checkAlive();
      return true;
    }
    if (other.isBinary() != isBinary()) {
      store.checkAlive();
      other.store.checkAlive();
      return false;
    }
    if (isBinary()) {
      byte[] theirs = other.store.copyBytes();
      try {
        return store.bytesEqual(theirs);
      } finally {
        Arrays.fill(theirs, (byte) 0);
      }
    }
    char[] theirs = other.store.copyChars();
    try {
      return store.charsEqual(theirs);
    } finally {
      Arrays.fill(theirs, '\0');
    }
  }

  /**
   * Compares the text with an array in time that depends only on the lengths.
   *
   * @param other the characters to compare with; not modified
   * @return {@code true} if this is a text value with exactly these characters
   * @throws IllegalStateException if the value is destroyed
   */
  public boolean contentEquals(char[] other) {
    Objects.requireNonNull(other, "other");
    if (isBinary()) {
      store.checkAlive();
      return false;
    }
    return store.charsEqual(other);
  }

  /**
   * Zeroes the content. Idempotent. Values derived from this one (borrowed views, parsed fields)
   * are destroyed with it.
   *
   * @throws UnsupportedOperationException if this is a borrowed view: its owner destroys it
   */
  @Override
  public void destroy() {
    if (borrowed) {
      throw new UnsupportedOperationException(
          "this SecretValue is borrowed (from a SecretCache or a Secret's field); its owner destroys it");
    }
    store.destroy();
  }

  /**
   * Whether the content has been zeroed.
   *
   * @return {@code true} once destroyed
   */
  @Override
  public boolean isDestroyed() {
    return store.destroyed;
  }

  /**
   * The same as {@link #destroy()}, so that an owned value can be used in try-with-resources.
   *
   * @throws UnsupportedOperationException if this is a borrowed view
   */
  @Override
  public void close() {
    destroy();
  }

  /**
   * Never shows the content.
   *
   * @return {@code "SecretValue[redacted]"}, or {@code "SecretValue[destroyed]"}
   */
  @Override
  public String toString() {
    return store.destroyed ? "SecretValue[destroyed]" : "SecretValue[redacted]";
  }

  /** Makes Jackson data binding fail before it writes anything for this value. */
  @JsonValue
  @SuppressWarnings("unused")
  private Object refuseSerialization() {
    throw new UnsupportedOperationException("a SecretValue cannot be serialized");
  }

  /** Registers a value whose content derives from this one, to be destroyed with it. */
  void attach(SecretValue dependent) {
    store.attach(dependent.store);
  }

  /** The shared, lockable content of an owned value and its borrowed views. */
  private static final class Store {
    private final StampedLock lock = new StampedLock();
    private final char @Nullable [] chars;
    private final byte @Nullable [] bytes;
    private final int length;
    private volatile boolean destroyed;
    private @Nullable List<Store> dependents;

    Store(char @Nullable [] chars, byte @Nullable [] bytes) {
      this.chars = chars;
      this.bytes = bytes;
      this.length = chars != null ? chars.length : Objects.requireNonNull(bytes).length;
    }

    void checkAlive() {
      if (destroyed) {
        throw destroyedError();
      }
    }

    private static IllegalStateException destroyedError() {
      return new IllegalStateException("this SecretValue has been destroyed");
    }

    char[] copyChars() {
      long stamp = lock.readLock();
      try {
        checkAlive();
        if (chars == null) {
          throw new IllegalStateException("this SecretValue is binary: read it with withBytes");
        }
        return chars.clone();
      } finally {
        lock.unlockRead(stamp);
      }
    }

    byte[] copyBytes() {
      long stamp = lock.readLock();
      try {
        checkAlive();
        if (bytes != null) {
          return bytes.clone();
        }
        return Utf8.encode(Objects.requireNonNull(chars));
      } finally {
        lock.unlockRead(stamp);
      }
    }

    boolean charsEqual(char[] other) {
      long stamp = lock.readLock();
      try {
        checkAlive();
        char[] mine = chars;
        if (mine == null || mine.length != other.length) {
          return false;
        }
        int diff = 0;
        for (int i = 0; i < mine.length; i++) {
          diff |= mine[i] ^ other[i];
        }
        return diff == 0;
      } finally {
        lock.unlockRead(stamp);
      }
    }

    boolean bytesEqual(byte[] other) {
      long stamp = lock.readLock();
      try {
        checkAlive();
        byte[] mine = bytes;
        if (mine == null || mine.length != other.length) {
          return false;
        }
        int diff = 0;
        for (int i = 0; i < mine.length; i++) {
          diff |= mine[i] ^ other[i];
        }
        return diff == 0;
      } finally {
        lock.unlockRead(stamp);
      }
    }

    void attach(Store dependent) {
      long stamp = lock.writeLock();
      try {
        if (!destroyed) {
          if (dependents == null) {
            dependents = new ArrayList<>(2);
          }
          dependents.add(dependent);
          return;
        }
      } finally {
        lock.unlockWrite(stamp);
      }
      dependent.destroy();
      throw destroyedError();
    }

    void destroy() {
      List<Store> toDestroy;
      long stamp = lock.writeLock();
      try {
        if (destroyed) {
          return;
        }
        if (chars != null) {
          Arrays.fill(chars, '\0');
        }
        if (bytes != null) {
          Arrays.fill(bytes, (byte) 0);
        }
        destroyed = true;
        toDestroy = dependents;
        dependents = null;
      } finally {
        lock.unlockWrite(stamp);
      }
      if (toDestroy != null) {
        for (Store dependent : toDestroy) {
          dependent.destroy();
        }
      }
    }
  }
}
