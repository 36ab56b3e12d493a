package io.secretsdk.internal;

import io.secretsdk.SecretValue;
import java.util.Objects;

/**
 * Lets secretsdk's parsers make a {@link SecretValue} of bytes they have just checked, without the
 * value checking them again when a field is read ({@code SecretValue}'s constructors are private;
 * {@code SecretValue} hands this class its one implementation when it is initialized). For
 * secretsdk's own modules only.
 */
public final class ValueAccess {
  private ValueAccess() {}

  /** What {@code SecretValue} offers its parsers. */
  public interface Access {
    /**
     * Adopts the exact bytes of one JSON object that {@link JsonReader#parse} checked: well-formed
     * UTF-8, no duplicate field names. Fields are then read where they lie without a second check.
     *
     * @param utf8 the object's bytes, adopted (zeroed when the value is destroyed)
     * @param ascii whether every byte is ASCII (then the text has as many chars as bytes)
     * @return an owned text value
     */
    SecretValue adoptCheckedObject(byte[] utf8, boolean ascii);
  }

  private static volatile Access access;

  /**
   * Called once, by {@code SecretValue}'s initializer.
   *
   * @param impl the implementation
   * @throws IllegalStateException if called by anything else, or twice
   */
  public static void install(Access impl) {
    Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass();
    if (caller != SecretValue.class || access != null) {
      throw new IllegalStateException("only SecretValue installs its access, once");
    }
    access = Objects.requireNonNull(impl, "impl");
  }

  /**
   * {@link Access#adoptCheckedObject}.
   *
   * @param utf8 the object's bytes, adopted
   * @param ascii whether every byte is ASCII
   * @return an owned text value
   */
  public static SecretValue adoptCheckedObject(byte[] utf8, boolean ascii) {
    return access().adoptCheckedObject(utf8, ascii);
  }

  private static Access access() {
    Access a = access;
    if (a == null) {
      try { // SecretValue's initializer installs it
        Class.forName(SecretValue.class.getName(), true, SecretValue.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      a = Objects.requireNonNull(access, "SecretValue did not install its access");
    }
    return a;
  }
}
