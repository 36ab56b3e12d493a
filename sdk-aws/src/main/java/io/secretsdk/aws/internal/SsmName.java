package io.secretsdk.aws.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import io.secretsdk.VersionStage;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A parameter reference split into the parameter (name or ARN) and its selector: a version number
 * or a label, written {@code name:3}, {@code name:prod} or {@code ?version=3}. Parameter names
 * cannot hold a colon, so the first colon after an ARN's resource part starts the selector.
 */
public final class SsmName {
  private final String parameter;
  private final @Nullable String selector;

  private SsmName(String parameter, @Nullable String selector) {
    this.parameter = parameter;
    this.selector = selector;
  }

  /**
   * Splits a reference.
   *
   * @param ref the reference
   * @return its parameter and selector
   * @throws InvalidSecretRefException if the selector is empty, named twice, or given with a
   *     stage other than current
   */
  public static SsmName of(SecretRef ref) {
    Objects.requireNonNull(ref, "ref");
    String name = ref.name();
    int from = 0;
    if (name.startsWith("arn:")) {
      // arn:partition:service:region:account:parameter/name — the resource starts after the fifth colon.
      for (int i = 0; i < 5; i++) {
        from = name.indexOf(':', from) + 1;
        if (from == 0) {
          throw new InvalidSecretRefException(
              "parameter ARN '" + name + "' is malformed; expected arn:aws:ssm:REGION:ACCOUNT:parameter/NAME", ref);
        }
      }
    }
    int colon = name.indexOf(':', from);
    String parameter = colon < 0 ? name : name.substring(0, colon);
    String selector = colon < 0 ? null : name.substring(colon + 1);
    if (parameter.isEmpty() || parameter.equals(name.substring(0, from))) {
      throw new InvalidSecretRefException("parameter reference '" + ref + "' has no parameter name", ref);
    }
    if (selector != null && (selector.isEmpty() || selector.indexOf(':') >= 0 || selector.indexOf('/') >= 0)) {
      throw new InvalidSecretRefException(
          "parameter reference '" + ref + "' has a malformed selector; write NAME:VERSION or NAME:LABEL", ref);
    }
    if (ref.version().isPresent()) {
      if (selector != null) {
        throw new InvalidSecretRefException(
            "parameter reference '" + ref + "' names a version or label twice (':" + selector
                + "' and ?version=); name it once", ref);
      }
      selector = ref.version().get();
    }
    if (selector != null && ref.stage().isPresent() && ref.stage().get() != VersionStage.CURRENT) {
      throw new InvalidSecretRefException(
          "parameter reference '" + ref + "' names both a version or label and a stage; name one", ref);
    }
    return new SsmName(parameter, selector);
  }

  /**
   * The parameter's name or ARN, without selector.
   *
   * @return the parameter
   */
  public String parameter() {
    return parameter;
  }

  /**
   * The version number or label asked for.
   *
   * @return the selector without its colon, or {@code null} for the current version
   */
  public @Nullable String selector() {
    return selector;
  }

  /**
   * Whether the selector is a version number rather than a label.
   *
   * @return {@code true} for a number
   */
  public boolean selectsVersion() {
    if (selector == null || selector.isEmpty()) {
      return false;
    }
    for (int i = 0; i < selector.length(); i++) {
      if (selector.charAt(i) < '0' || selector.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * The {@code Name} to send: the parameter, and {@code :selector} if there is one.
   *
   * @return the request name
   */
  public String requestName() {
    return selector == null ? parameter : parameter + ":" + selector;
  }

  /**
   * Whether a returned parameter answers this name.
   *
   * @param name the returned {@code Name}
   * @param arn the returned {@code ARN}
   * @param returnedSelector the returned {@code Selector} (with its leading colon), if any
   * @return {@code true} if it is this parameter, with this selector
   */
  public boolean matches(@Nullable String name, @Nullable String arn, @Nullable String returnedSelector) {
    boolean sameParameter = parameter.equals(name) || parameter.equals(arn)
        || (name != null && parameter.endsWith(":parameter" + (name.startsWith("/") ? "" : "/") + name));
    if (!sameParameter) {
      return false;
    }
    String returned = returnedSelector == null || returnedSelector.isEmpty()
        ? null
        : returnedSelector.startsWith(":") ? returnedSelector.substring(1) : returnedSelector;
    return Objects.equals(selector, returned);
  }

  @Override
  public String toString() {
    return requestName();
  }
}
