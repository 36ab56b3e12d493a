package io.secretsdk.aws.internal;

/** The two AWS services, with what their error messages need to say. */
public enum AwsBackend {
  /** AWS Secrets Manager. */
  SECRETS_MANAGER("AWS Secrets Manager", "aws-sm", "secret", "secretsmanager:GetSecretValue"),
  /** AWS Systems Manager Parameter Store. */
  SSM("AWS SSM Parameter Store", "aws-ssm", "parameter", "ssm:GetParameter");

  private final String displayName;
  private final String scheme;
  private final String noun;
  private final String readPermission;

  AwsBackend(String displayName, String scheme, String noun, String readPermission) {
    this.displayName = displayName;
    this.scheme = scheme;
    this.noun = noun;
    this.readPermission = readPermission;
  }

  /**
   * The service's name, for messages.
   *
   * @return e.g. {@code AWS Secrets Manager}
   */
  public String displayName() {
    return displayName;
  }

  /**
   * The scheme, for messages naming provider properties.
   *
   * @return {@code aws-sm} or {@code aws-ssm}
   */
  public String scheme() {
    return scheme;
  }

  /**
   * What the service calls a stored item.
   *
   * @return {@code secret} or {@code parameter}
   */
  public String noun() {
    return noun;
  }

  /**
   * The IAM action that reading needs.
   *
   * @return e.g. {@code secretsmanager:GetSecretValue}
   */
  public String readPermission() {
    return readPermission;
  }
}
