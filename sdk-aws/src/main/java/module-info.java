/**
 * secretsdk's AWS backends: AWS Secrets Manager (scheme {@code aws-sm}) and SSM Parameter Store
 * (scheme {@code aws-ssm}) on AWS SDK for Java v2.
 */
module io.secretsdk.aws {
  requires transitive io.secretsdk;
  // The builders take the SDK's clients, regions and credentials providers.
  requires transitive software.amazon.awssdk.services.secretsmanager;
  // Optional: only SsmParameterSource needs it (see the README: add software.amazon.awssdk:ssm).
  requires static transitive software.amazon.awssdk.services.ssm;
  requires transitive software.amazon.awssdk.regions;
  requires transitive software.amazon.awssdk.auth;
  requires transitive software.amazon.awssdk.identity.spi;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.http;
  requires software.amazon.awssdk.http.urlconnection;
  requires software.amazon.awssdk.retries.api;
  requires org.slf4j;
  // The local AWS agent transport (AwsAgent): plain HTTP to localhost.
  requires java.net.http;

  exports io.secretsdk.aws;

  provides io.secretsdk.spi.SecretSourceProvider with
      io.secretsdk.aws.internal.AwsSecretsManagerSourceProvider,
      io.secretsdk.aws.internal.SsmParameterSourceProvider;
}
