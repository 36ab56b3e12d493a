package io.secretsdk;

import com.fasterxml.jackson.annotation.JsonValue;
import io.secretsdk.internal.Utf8;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;
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
 * <p><b>Ownership: owned or borrowed.</b> A value is either <em>owned</em>, when the holder may and
 * should destroy it, or <em>borrowed</em> ({@link #isBorrowed()}), a view of someone else's value
 * that can be read but not destroyed. The rule, by where the value came from:
 *
 * <table>
 *   <caption>Who destroys a value</caption>
 *   <tr><th>from</th><th>is</th><th>so</th></tr>
 *   <tr><td>{@code SecretCache.get(..).value()}, {@code SecretCache.value(..)}, {@code previous},
 *       {@code accepted}, a {@code RotationEvent}</td><td>borrowed</td>
 *       <td>never close it; the cache zeroes it at eviction, at the end of its overlap after a
 *       rotation, or at close, so read it from the cache each time instead of keeping it</td></tr>
 *   <tr><td>{@link Secret#field(String)}, {@link Credentials#password()}</td><td>borrowed</td>
 *       <td>destroyed with the secret's value</td></tr>
 *   <tr><td>{@link SecretSource#fetch} and the other source calls, {@link #copyOf}, {@link
 *       #wrap}, {@link #fromUtf8}, {@link #copyOfBinary}</td><td>owned</td>
 *       <td>close it when done: {@code try (SecretValue v = source.fetch(ref).value()) {...}}</td></tr>
 * </table>
 *
 * <p>Closing a borrowed value throws {@link UnsupportedOperationException} saying so; reading a
 * kept cache value after the cache zeroed it throws {@link IllegalStateException} saying to read it
 * from the cache again.
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

  /** Where a value came from, for the messages that say what to do with it. */
  private enum Origin {
    OWNED,
    /** Made by {@link #borrow()}: in practice, handed out by a {@code SecretCache}. */
    BORROWED,
    /** A parsed field of a secret's value. */
    FIELD
  }

  private final Store store;
  private final Origin origin;

  private SecretValue(Store store, Origin origin) {
    this.store = store;
    this.origin = origin;
  }

  /**
   * Copies text into a new owned value. The caller keeps, and should wipe, its own array.
   *
   * @param text the characters to copy
   * @return an owned value
   */
  public static SecretValue copyOf(char[] text) {
    Objects.requireNonNull(text, "text");
    return new SecretValue(new Store(text.clone(), null), Origin.OWNED);
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
    return new SecretValue(new Store(text, null), Origin.OWNED);
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
    return new SecretValue(new Store(Utf8.decode(utf8, 0, utf8.length), null), Origin.OWNED);
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
    return new SecretValue(new Store(null, bytes.clone()), Origin.OWNED);
  }

  /**
   * Makes a borrowed view of this value: it reads the same content, is destroyed when this value
   * is, and cannot itself be destroyed. Hand this to code that must read but not own the value.
   *
   * @return a borrowed view sharing this value's content
   * @throws IllegalStateException if this value is destroyed
   */
  public SecretValue borrow() {
    store.checkAlive(Origin.OWNED);
    return new SecretValue(store, Origin.BORROWED);
  }

  /** A borrowed view for a parsed field, whose messages say it belongs to its secret. */
  SecretValue borrowAsField() {
    store.checkAlive(Origin.FIELD);
    return new SecretValue(store, Origin.FIELD);
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
    return origin != Origin.OWNED;
  }

  /**
   * The length of the content.
   *
   * @return the number of chars of a text value, or of bytes of a binary value
   * @throws IllegalStateException if the value is destroyed
   */
  public int length() {
    store.checkAlive(origin);
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
    char[] copy = store.copyChars(origin);
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
    byte[] copy = store.copyBytes(origin);
    try {
      return reader.apply(copy);
    } finally {
      Arrays.fill(copy, (byte) 0);
    }
  }

  /**
   * Lends the consumer a copy of the text, wiped as soon as it returns (or throws): the form of
   * {@link #withChars} for uses that return nothing, such as {@code value.useChars(chars ->
   * connect(user, chars))} where {@code connect} is {@code void}. The consumer must not keep the
   * array.
   *
   * @param consumer uses the characters
   * @throws IllegalStateException if the value is destroyed, or is binary
   */
  public void useChars(Consumer<char[]> consumer) {
    Objects.requireNonNull(consumer, "consumer");
    char[] copy = store.copyChars(origin);
    try {
      consumer.accept(copy);
    } finally {
      Arrays.fill(copy, '\0');
    }
  }

  /**
   * Lends the consumer the content as bytes (as {@link #withBytes} does), wiped as soon as it
   * returns (or throws): the form for uses that return nothing.
   *
   * @param consumer uses the bytes
   * @throws IllegalStateException if the value is destroyed
   * @throws SecretFormatException if the text holds an unpaired surrogate and has no UTF-8 form
   */
  public void useBytes(Consumer<byte[]> consumer) {
    Objects.requireNonNull(consumer, "consumer");
    byte[] copy = store.copyBytes(origin);
    try {
      consumer.accept(copy);
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
    return store.copyChars(origin);
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
    char[] copy = store.copyChars(origin);
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
      store.checkAlive(origin);
      return true;
    }
    if (other.isBinary() != isBinary()) {
      store.checkAlive(origin);
      other.store.checkAlive(origin);
      return false;
    }
    if (isBinary()) {
      byte[] theirs = other.store.copyBytes(other.origin);
      try {
        return store.bytesEqual(theirs, origin);
      } finally {
        Arrays.fill(theirs, (byte) 0);
      }
    }
    char[] theirs = other.store.copyChars(other.origin);
    try {
      return store.charsEqual(theirs, origin);
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
      store.checkAlive(origin);
      return false;
    }
    return store.charsEqual(other, origin);
  }

  /**
   * Zeroes the content. Idempotent. Values derived from this one (borrowed views, parsed fields)
   * are destroyed with it.
   *
   * @throws UnsupportedOperationException if this is a borrowed view (from a {@code SecretCache}
   *     or a secret's field): its owner destroys it
   */
  @Override
  public void destroy() {
    if (origin == Origin.BORROWED) {
      throw new UnsupportedOperationException(
          "this value is borrowed from a SecretCache, which zeroes it; do not close it — use try-with-resources"
              + " only on values a SecretSource returned");
    }
    if (origin == Origin.FIELD) {
      throw new UnsupportedOperationException(
          "this value is a field of a Secret and is destroyed with the secret's value; do not close it — close"
              + " the value of a secret a SecretSource returned, and nothing from a SecretCache");
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

    void checkAlive(Origin origin) {
      if (destroyed) {
        throw destroyedError(origin);
      }
    }

    private static IllegalStateException destroyedError(Origin origin) {
      switch (origin) {
        case BORROWED:
          return new IllegalStateException(
              "this value was zeroed by its cache after its version was replaced (or it was evicted, or the cache"
                  + " closed); read it again from the cache each time you need it instead of keeping it");
        case FIELD:
          return new IllegalStateException(
              "this field's secret has been destroyed (by its owner, or by its cache after its version was"
                  + " replaced); read the secret again instead of keeping its fields");
        default:
          return new IllegalStateException("this SecretValue has been destroyed (closed by its owner)");
      }
    }

    char[] copyChars(Origin origin) {
      long stamp = lock.readLock();
      try {
        checkAlive(origin);
        if (chars == null) {
          throw new IllegalStateException("this SecretValue is binary: read it with withBytes");
        }
        return chars.clone();
      } finally {
        lock.unlockRead(stamp);
      }
    }

    byte[] copyBytes(Origin origin) {
      long stamp = lock.readLock();
      try {
        checkAlive(origin);
        if (bytes != null) {
          return bytes.clone();
        }
        return Utf8.encode(Objects.requireNonNull(chars));
      } finally {
        lock.unlockRead(stamp);
      }
    }

    boolean charsEqual(char[] other, Origin origin) {
      long stamp = lock.readLock();
      try {
        checkAlive(origin);
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

    boolean bytesEqual(byte[] other, Origin origin) {
      long stamp = lock.readLock();
      try {
        checkAlive(origin);
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
      throw destroyedError(Origin.OWNED);
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
