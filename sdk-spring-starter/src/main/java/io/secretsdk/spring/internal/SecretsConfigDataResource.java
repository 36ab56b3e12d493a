package io.secretsdk.spring.internal;

import io.secretsdk.SecretRef;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.config.ConfigDataResource;

/** One secret named by {@code spring.config.import=secrets:<uri>[?prefix=P]}. */
public final class SecretsConfigDataResource extends ConfigDataResource {
  private final SecretRef ref;
  private final @Nullable String prefix;
  private final boolean optional;

  SecretsConfigDataResource(SecretRef ref, @Nullable String prefix, boolean optional) {
    super(optional);
    this.ref = ref;
    this.prefix = prefix;
    this.optional = optional;
  }

  /**
   * The secret.
   *
   * @return the reference, with its field if one was named
   */
  public SecretRef ref() {
    return ref;
  }

  /**
   * The property name prefix, if given.
   *
   * @return the prefix, or null
   */
  public @Nullable String prefix() {
    return prefix;
  }

  /**
   * Whether the import was marked {@code optional:}.
   *
   * @return true if startup goes on without it
   */
  public boolean optional() {
    return optional;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof SecretsConfigDataResource r && r.ref.equals(ref) && Objects.equals(r.prefix, prefix);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ref, prefix);
  }

  @Override
  public String toString() {
    return "secrets:" + ref.toUri() + (prefix == null ? "" : "?prefix=" + prefix);
  }
}
