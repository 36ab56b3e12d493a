package io.secretsdk.spi;

import io.secretsdk.SecretConfigurationException;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One scheme's provider properties, read the same way by every {@link SecretSourceProvider}: an
 * unknown (misspelled) property is refused at creation, naming the known ones and the closest
 * match; a value is trimmed and an empty one is refused; every problem is a {@link
 * SecretConfigurationException} naming the full property ({@code <scheme>.<key>}).
 *
 * <pre>{@code
 * ProviderProperties props = ProviderProperties.of("vault", properties, Set.of("address", "namespace"));
 * URI address = props.required("address", "the Vault address, e.g. https://vault:8200", URI::create);
 * Optional<String> namespace = props.optional("namespace");
 * }</pre>
 *
 * <p>Property values are configuration (where a backend is, how to authenticate), never secret
 * values, so they may appear in messages.
 */
public final class ProviderProperties {
  private final String scheme;
  private final Map<String, String> values;

  private ProviderProperties(String scheme, Map<String, String> values) {
    this.scheme = scheme;
    this.values = values;
  }

  /**
   * Checks that every property is one of {@code known}.
   *
   * @param scheme the scheme, for messages ({@code vault})
   * @param properties the scheme's properties, prefix removed
   * @param known every key this provider reads
   * @return the checked properties
   * @throws SecretConfigurationException naming an unknown property, the known ones and the closest match
   */
  public static ProviderProperties of(String scheme, Map<String, String> properties, Set<String> known) {
    Map<String, String> values = new TreeMap<>();
    for (Map.Entry<String, String> e : properties.entrySet()) {
      String key = e.getKey();
      if (!known.contains(key)) {
        String hint = closest(key, known).map(k -> " (did you mean " + scheme + "." + k + "?)").orElse("");
        throw new SecretConfigurationException(
            "unknown property " + scheme + "." + key + hint + "; the " + scheme + " properties are "
                + prefixed(scheme, known));
      }
      String value = e.getValue() == null ? "" : e.getValue().trim();
      if (value.isEmpty()) {
        throw new SecretConfigurationException("property " + scheme + "." + key + " is empty; remove it or give it a value");
      }
      values.put(key, value);
    }
    return new ProviderProperties(scheme, Collections.unmodifiableMap(values));
  }

  /**
   * A property's trimmed value.
   *
   * @param key the key, without the scheme
   * @return the value, or empty if it is not set
   */
  public Optional<String> optional(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /**
   * A property that must be set.
   *
   * @param key the key, without the scheme
   * @param what what the property holds, for the message ({@code "a directory"})
   * @return the value
   * @throws SecretConfigurationException if it is not set
   */
  public String required(String key, String what) {
    String value = values.get(key);
    if (value == null) {
      throw new SecretConfigurationException(
          "the " + scheme + " secret source needs the property " + scheme + "." + key + " (" + what + ")");
    }
    return value;
  }

  /**
   * A property read by a parser; a parser's {@link RuntimeException} becomes a typed error naming
   * the property (its own message is kept, since a property value is configuration, not a secret).
   *
   * @param key the key, without the scheme
   * @param what the expected form, for the message ({@code "a duration such as PT30S"})
   * @param parser turns the text into the value; throws on a malformed one
   * @param <T> the value's type
   * @return the parsed value, or empty if it is not set
   * @throws SecretConfigurationException if the value does not parse
   */
  public <T> Optional<T> parsed(String key, String what, java.util.function.Function<String, T> parser) {
    String value = values.get(key);
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(parser.apply(value));
    } catch (RuntimeException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new SecretConfigurationException(
          "property " + scheme + "." + key + " must be " + what + ", was '" + value + "' (" + reason + ")", null, e);
    }
  }

  /**
   * The keys that are set.
   *
   * @return the keys, sorted
   */
  public Set<String> keys() {
    return values.keySet();
  }

  private static Set<String> prefixed(String scheme, Set<String> known) {
    Set<String> out = new TreeSet<>();
    for (String k : known) {
      out.add(scheme + "." + k);
    }
    return out;
  }

  /** The known key at the smallest edit distance, if it is close enough to be a misspelling. */
  private static Optional<String> closest(String key, Set<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String lower = key.toLowerCase(Locale.ROOT);
    for (String k : new TreeSet<>(known)) {
      int d = distance(lower, k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best != null && bestDistance <= Math.max(2, best.length() / 3) ? Optional.of(best) : Optional.empty();
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
