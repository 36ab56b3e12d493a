package io.secretsdk.spring.internal;

import io.secretsdk.SecretConfigurationException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Says the {@code secrets.*} property a user wrote where a backend module names its own property
 * ({@code gcp-sm.transport} is {@code secrets.gcp.transport}), so that a refused value names what to
 * change in {@code application.properties}.
 */
public final class PropertyNames {
  /** The backend modules' property prefixes and the starter's. */
  private static final Map<String, String> PREFIXES = Map.of(
      "gcp-sm", "secrets.gcp", "azure-kv", "secrets.azure", "aws-sm", "secrets.aws", "aws-ssm", "secrets.aws",
      "vault", "secrets.vault", "file", "secrets.file");
  /** A module property name standing alone (not inside a host name such as my-vault.vault.azure.net). */
  private static final Pattern NAME = Pattern.compile(
      "(?<![\\w.\\-/])(gcp-sm|azure-kv|aws-sm|aws-ssm|vault|file)\\.(?!azure\\.)([a-z][a-z0-9\\-]*(?:\\.[a-z][a-z0-9\\-]*)*)");

  private PropertyNames() {}

  /**
   * The text with each module property name replaced by the {@code secrets.*} name it comes from.
   *
   * @param text a message of a backend module
   * @return the message in the starter's property names
   */
  public static String inSecretsTerms(String text) {
    Matcher m = NAME.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(PREFIXES.get(m.group(1)) + "." + m.group(2)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * A refused configuration, retold in the starter's property names (the original is its cause).
   *
   * @param e what a backend module threw
   * @return the same refusal naming {@code secrets.*} properties
   */
  public static SecretConfigurationException inSecretsTerms(SecretConfigurationException e) {
    String message = String.valueOf(e.getMessage());
    String told = inSecretsTerms(message);
    return told.equals(message) ? e : new SecretConfigurationException(told, null, e);
  }
}
