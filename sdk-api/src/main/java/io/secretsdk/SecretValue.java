package io.secretsdk;

import com.fasterxml.jackson.annotation.JsonValue;
import io.secretsdk.internal.JsonFields;
import io.secretsdk.internal.JsonReader;
import io.secretsdk.internal.JsonStrings;
import io.secretsdk.internal.Utf8;
import io.secretsdk.internal.ValueAccess;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.security.auth.Destroyable;
import org.jspecify.annotations.Nullable;

/**
 * A secret's content, held in an array that is zeroed on {@link #destroy()}.
 *
 * <p>Text is held as the {@code char[]} it was given ({@link #wrap}, {@link #copyOf}) or as the
 * UTF-8 it was read from ({@link #fromUtf8}, {@link #wrapUtf8}: half the memory for ASCII text, and
 * no decoding until it is read); binary content as {@code byte[]}. None is ever turned into a
 * {@link String} unless the caller asks for one through {@link #revealString()}. Readers borrow a
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
 *       #wrap}, {@link #fromUtf8}, {@link #wrapUtf8}, {@link #copyOfBinary}</td><td>owned</td>
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
 * <p>Thread-safe, and readers take no lock: a reader copies, then checks that the value was not
 * destroyed meanwhile (destruction marks the value before it zeroes it). Any access to the content
 * after destruction throws {@link IllegalStateException}; a destruction that races a reader never
 * lets the reader see a partly zeroed array: the reader either gets the whole content or the
 * exception, and a copy it took meanwhile is wiped.
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

  static {
    ValueAccess.install((utf8, ascii) -> {
      Objects.requireNonNull(utf8, "utf8");
      Utf8Text text = new Utf8Text(utf8, ascii ? utf8.length : Utf8.measure(utf8, 0, utf8.length));
      text.checkedObject = true;
      return new SecretValue(text, Origin.OWNED);
    });
  }

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
    return new SecretValue(new Chars(text.clone()), Origin.OWNED);
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
    return new SecretValue(new Chars(text), Origin.OWNED);
  }

  /**
   * Copies UTF-8 text into a new owned value, checked strictly and kept as UTF-8 (no {@link
   * String}, no decoding until it is read). The caller keeps, and should wipe, its own array.
   *
   * @param utf8 the encoded text
   * @return an owned text value
   * @throws SecretFormatException if the bytes are not well-formed UTF-8 (the message gives the
   *     offset, never the content)
   */
  public static SecretValue fromUtf8(byte[] utf8) {
    Objects.requireNonNull(utf8, "utf8");
    int length = Utf8.measure(utf8, 0, utf8.length);
    return new SecretValue(new Utf8Text(utf8.clone(), length), Origin.OWNED);
  }

  /**
   * Takes ownership of UTF-8 text: checked strictly, no copy made, and the array is zeroed when the
   * value is destroyed. The caller must not use the array afterwards. On malformed input nothing
   * is adopted: the caller still owns (and should wipe) the array.
   *
   * @param utf8 the encoded text to adopt
   * @return an owned text value
   * @throws SecretFormatException if the bytes are not well-formed UTF-8 (the message gives the
   *     offset, never the content)
   */
  public static SecretValue wrapUtf8(byte[] utf8) {
    Objects.requireNonNull(utf8, "utf8");
    int length = Utf8.measure(utf8, 0, utf8.length);
    return new SecretValue(new Utf8Text(utf8, length), Origin.OWNED);
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
    return new SecretValue(new Binary(bytes.clone()), Origin.OWNED);
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

  /** This field value itself, checked to be alive (a field's messages say it belongs to its secret). */
  SecretValue aliveField() {
    store.checkAlive(Origin.FIELD);
    return this;
  }

  /**
   * Whether this value is binary content rather than text.
   *
   * @return {@code true} for a binary value
   */
  public boolean isBinary() {
    return store.binary();
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
    return store.length();
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
    return store.isDestroyed();
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
    return store.isDestroyed() ? "SecretValue[destroyed]" : "SecretValue[redacted]";
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

  /**
   * Reads one top-level field of this value, a JSON object, for {@link Secret#field}. Content held
   * as bytes (UTF-8 text, binary) is checked where it lies and the field becomes a view of its
   * bytes there: nothing is copied or decoded until the field is read, and the view dies with this
   * value. Text held as chars is encoded once, checked, and the field decoded into its own array,
   * destroyed with this value.
   *
   * @param secretName the secret's name, for errors
   * @param fieldName the field
   * @return the field's value for a string, number or boolean; {@link JsonFields.Kind#NULL} or
   *     {@link JsonFields.Kind#NESTED} for the others; {@code null} if the object has no such field
   * @throws SecretFormatException if the value is not a well-formed JSON object without duplicate
   *     names (possibly because a destruction raced the read: the caller checks)
   * @throws IllegalStateException if this value is destroyed
   */
  @Nullable Object readField(String secretName, String fieldName) {
    Store s = store;
    if (!(s instanceof InBytes)) {
      JsonFields.Field f = withBytes(bytes -> JsonFields.fieldOfSecret(bytes, secretName, fieldName));
      if (f == null) {
        return null;
      }
      if (f.text() == null) {
        return f.kind();
      }
      SecretValue text = new SecretValue(new Chars(f.text()), Origin.FIELD);
      attach(text);
      return text;
    }
    InBytes root = (InBytes) s;
    root.checkAlive(origin);
    byte[] in = root.content;
    int at = -1;
    int end = -1;
    if (root.checkedObject) { // checked before (by its parser or a first field read): find, don't check
      long found = JsonReader.memberOfChecked(in, fieldName);
      VarHandle.acquireFence();
      root.checkAlive(origin); // a destruction that raced the search makes its answer garbage
      if (found == -1) {
        return null;
      }
      if (found >= 0) {
        at = (int) (found >>> 32);
        end = (int) found;
      }
    }
    if (at < 0) {
      JsonReader json = JsonFields.objectOfSecret(in, secretName);
      root.checkedObject = true;
      at = json.field(json.root(), fieldName);
      if (at < 0) {
        return null;
      }
      end = json.end(at);
    }
    Store view;
    switch (in[at]) {
      case 'n':
        return JsonFields.Kind.NULL;
      case '{':
      case '[':
        return JsonFields.Kind.NESTED;
      case '"':
        int from = at + 1;
        int to = end - 1;
        boolean escaped = false;
        for (int i = from; i < to; i++) {
          if (in[i] == '\\') {
            escaped = true;
            break;
          }
        }
        int length = escaped ? JsonStrings.measureBody(in, from, to) : root.ascii() ? to - from : Utf8.measure(in, from, to);
        view = new Slice(root, from, to, escaped, length);
        break;
      default: // numbers and literals: their ASCII text as written
        view = new Slice(root, at, end, false, end - at);
    }
    return new SecretValue(view, Origin.FIELD);
  }

  /**
   * The content of an owned value and its borrowed views. Readers take no lock: they copy, then
   * check that no destruction began meanwhile ({@link #destroy} marks before it zeroes); a copy
   * that raced a destruction is wiped and the reader refused.
   */
  private abstract static class Store {

    /** Chars of text, bytes of binary content. */
    abstract int length();

    abstract boolean binary();

    /** A copy of the text without any check; garbage (never an out-of-bounds write) if a destroy races it. */
    abstract char[] readChars();

    /** A copy of the bytes (the UTF-8 of text) without any check, as {@link #readChars}. */
    abstract byte[] readBytes();

    abstract boolean isDestroyed();

    /** Registers a value derived from this one, destroyed with it; destroys it and throws if this one is. */
    abstract void attach(Store dependent);

    /** Marks, then zeroes: see the class comment. Idempotent. */
    abstract void destroy();

    final void checkAlive(Origin origin) {
      if (isDestroyed()) {
        throw destroyedError(origin);
      }
    }

    final char[] copyChars(Origin origin) {
      checkAlive(origin);
      if (binary()) {
        throw new IllegalStateException("this SecretValue is binary: read it with withBytes");
      }
      char[] copy;
      try {
        copy = readChars();
      } catch (RuntimeException e) {
        throw raced(origin, e);
      }
      VarHandle.acquireFence(); // the copy's loads complete before the check
      if (isDestroyed()) {
        Arrays.fill(copy, '\0');
        throw destroyedError(origin);
      }
      return copy;
    }

    final byte[] copyBytes(Origin origin) {
      checkAlive(origin);
      byte[] copy;
      try {
        copy = readBytes();
      } catch (RuntimeException e) {
        throw raced(origin, e);
      }
      VarHandle.acquireFence();
      if (isDestroyed()) {
        Arrays.fill(copy, (byte) 0);
        throw destroyedError(origin);
      }
      return copy;
    }

    /** A read that failed: refused if a destruction raced it, else its own error. */
    private RuntimeException raced(Origin origin, RuntimeException e) {
      VarHandle.acquireFence();
      return isDestroyed() ? destroyedError(origin) : e;
    }

    final boolean charsEqual(char[] other, Origin origin) {
      if (binary()) {
        checkAlive(origin);
        return false;
      }
      char[] mine = copyChars(origin);
      try {
        if (mine.length != other.length) {
          return false;
        }
        int diff = 0;
        for (int i = 0; i < mine.length; i++) {
          diff |= mine[i] ^ other[i];
        }
        return diff == 0;
      } finally {
        Arrays.fill(mine, '\0');
      }
    }

    final boolean bytesEqual(byte[] other, Origin origin) {
      if (!binary()) {
        checkAlive(origin);
        return false;
      }
      byte[] mine = copyBytes(origin);
      try {
        if (mine.length != other.length) {
          return false;
        }
        int diff = 0;
        for (int i = 0; i < mine.length; i++) {
          diff |= mine[i] ^ other[i];
        }
        return diff == 0;
      } finally {
        Arrays.fill(mine, (byte) 0);
      }
    }

  }

  /** A store with content of its own, which it zeroes. */
  private abstract static class Owned extends Store {
    private volatile boolean destroyed;
    /** Values derived from this one (decoded fields), destroyed with it; guarded by this. */
    private @Nullable List<Store> dependents;

    /** Zeroes the content; called once, under this object's monitor, after {@code destroyed} is set. */
    abstract void zero();

    @Override
    final boolean isDestroyed() {
      return destroyed;
    }

    @Override
    final void attach(Store dependent) {
      synchronized (this) {
        if (!destroyed) {
          if (dependents == null) {
            dependents = new ArrayList<>(2);
          }
          dependents.add(dependent);
          return;
        }
      }
      dependent.destroy();
      throw destroyedError(Origin.OWNED);
    }

    @Override
    final void destroy() {
      List<Store> toDestroy;
      synchronized (this) {
        if (destroyed) {
          return;
        }
        destroyed = true;
        VarHandle.storeStoreFence(); // the mark is visible before any zero
        zero();
        toDestroy = dependents;
        dependents = null;
      }
      if (toDestroy != null) {
        for (Store dependent : toDestroy) {
          dependent.destroy();
        }
      }
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

  /** Text held as the chars it was given. */
  private static final class Chars extends Owned {
    private final char[] chars;

    Chars(char[] chars) {
      this.chars = chars;
    }

    @Override
    int length() {
      return chars.length;
    }

    @Override
    boolean binary() {
      return false;
    }

    @Override
    char[] readChars() {
      return chars.clone();
    }

    @Override
    byte[] readBytes() {
      return Utf8.encode(chars);
    }

    @Override
    void zero() {
      Arrays.fill(chars, '\0');
    }
  }

  /** Content held as bytes: UTF-8 text or binary content. */
  private abstract static class InBytes extends Owned {
    final byte[] content;
    /**
     * Whether the content is known to be one well-formed JSON object without duplicate names (set
     * by its parser, or by the first field read's check): fields are then found without a check.
     * Only ever set; a reader that misses the write checks once more.
     */
    boolean checkedObject;

    /** Whether each byte is one char (ASCII text). */
    abstract boolean ascii();

    InBytes(byte[] content) {
      this.content = content;
    }

    @Override
    byte[] readBytes() {
      return content.clone();
    }

    @Override
    void zero() {
      Arrays.fill(content, (byte) 0);
    }
  }

  /** Text held as well-formed UTF-8, decoded on each read. */
  private static final class Utf8Text extends InBytes {
    private final int length;

    Utf8Text(byte[] utf8, int length) {
      super(utf8);
      this.length = length;
    }

    @Override
    int length() {
      return length;
    }

    @Override
    boolean ascii() {
      return length == content.length;
    }

    @Override
    boolean binary() {
      return false;
    }

    @Override
    char[] readChars() {
      char[] out = new char[length];
      Utf8.decodeInto(content, 0, content.length, out);
      return out;
    }
  }

  /** Binary content. */
  private static final class Binary extends InBytes {
    Binary(byte[] bytes) {
      super(bytes);
    }

    @Override
    int length() {
      return content.length;
    }

    @Override
    boolean ascii() {
      return false; // a field of it is measured as UTF-8
    }

    @Override
    boolean binary() {
      return true;
    }

    @Override
    char[] readChars() {
      throw new IllegalStateException("this SecretValue is binary: read it with withBytes");
    }
  }

  /**
   * A field of a JSON object held in bytes, read where it lies: the body of a string (unescaped on
   * each read when it holds escapes) or a number's or literal's text. Alive exactly as long as the
   * value it is part of; it has no content of its own to zero.
   */
  private static final class Slice extends Store {
    private final InBytes root;
    private final int from;
    private final int to;
    private final boolean escaped;
    private final int length;

    Slice(InBytes root, int from, int to, boolean escaped, int length) {
      this.root = root;
      this.from = from;
      this.to = to;
      this.escaped = escaped;
      this.length = length;
    }

    @Override
    boolean isDestroyed() {
      return root.isDestroyed();
    }

    @Override
    int length() {
      return length;
    }

    @Override
    boolean binary() {
      return false;
    }

    @Override
    char[] readChars() {
      char[] out = new char[length];
      if (escaped) {
        JsonStrings.decodeBody(root.content, from, to, out);
      } else {
        Utf8.decodeInto(root.content, from, to, out);
      }
      return out;
    }

    @Override
    byte[] readBytes() {
      if (!escaped) {
        return Arrays.copyOfRange(root.content, from, to);
      }
      char[] chars = readChars();
      try {
        return Utf8.encode(chars);
      } finally {
        Arrays.fill(chars, '\0');
      }
    }

    @Override
    void attach(Store dependent) {
      root.attach(dependent);
    }

    @Override
    void destroy() {
      // Never called (a field cannot be destroyed): its content is the root's, zeroed with it.
    }
  }
}
