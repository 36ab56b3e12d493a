package io.secretsdk.spring.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.EnumerablePropertySource;

/**
 * The properties one imported secret gives, replaced in place when the secret rotates. Its {@code
 * toString()} names the secret, never a value.
 */
final class SecretsPropertySource extends EnumerablePropertySource<Map<String, String>> {
  private volatile Map<String, String> values;

  SecretsPropertySource(String name, Map<String, String> values) {
    super(name, new ConcurrentHashMap<>());
    this.values = Map.copyOf(values);
  }

  @Override
  public String[] getPropertyNames() {
    return values.keySet().toArray(new String[0]);
  }

  @Override
  public @Nullable Object getProperty(String name) {
    return values.get(name);
  }

  @Override
  public boolean containsProperty(String name) {
    return values.containsKey(name);
  }

  Map<String, String> values() {
    return values;
  }

  void replace(Map<String, String> next) {
    this.values = Map.copyOf(next);
  }

  @Override
  public String toString() {
    return "SecretsPropertySource[" + getName() + ", " + values.size() + " properties]";
  }
}
