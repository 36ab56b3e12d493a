/** The quickstart sample. */
module io.secretsdk.samples.quickstart {
  requires io.secretsdk;
}
