package io.secretsdk.aws.internal;

import io.secretsdk.SecretConfigurationException;

/**
 * Whether the AWS SSM client, an optional dependency of sdk-aws, is on the class path. Secrets
 * Manager users do not pay its 6 MB; {@code SsmParameterSource} and its provider call {@link
 * #require()} first, so that its absence is a clear {@link SecretConfigurationException} naming
 * the artifact to add, never a {@link NoClassDefFoundError}. This class refers to no SSM type.
 */
public final class SsmPresence {
  /** The artifact that brings the SSM client. */
  public static final String ARTIFACT = "software.amazon.awssdk:ssm";

  private static final String CLIENT_CLASS = "software.amazon.awssdk.services.ssm.SsmClient";

  private SsmPresence() {}

  /**
   * Whether the SSM client can be loaded by the loader of sdk-aws.
   *
   * @return {@code true} if it is there
   */
  public static boolean present() {
    try {
      Class.forName(CLIENT_CLASS, false, SsmPresence.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Fails clearly when the SSM client is missing.
   *
   * @throws SecretConfigurationException naming the artifact to add
   */
  public static void require() {
    if (!present()) {
      throw new SecretConfigurationException(
          "the aws-ssm scheme (SsmParameterSource) needs the AWS SSM client, which sdk-aws declares optional so"
              + " that Secrets Manager users do not carry its 6 MB: add the dependency " + ARTIFACT
              + " (version 2.54.13, the AWS SDK version sdk-aws is built with; io.secretsdk:sdk-bom manages it)");
    }
  }
}
