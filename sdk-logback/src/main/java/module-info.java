/** Logback masking of the values secretsdk's caches hold: a pattern layout and an encoder. */
module io.secretsdk.logback {
  requires transitive io.secretsdk;
  requires transitive ch.qos.logback.classic;
  requires transitive ch.qos.logback.core;

  exports io.secretsdk.logback;
}
