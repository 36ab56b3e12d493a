/** Log4j 2 masking of the values secretsdk's caches hold: a layout plugin wrapping any string layout. */
module io.secretsdk.log4j2 {
  requires transitive io.secretsdk;
  requires transitive org.apache.logging.log4j;
  requires transitive org.apache.logging.log4j.core;

  exports io.secretsdk.log4j2;
}
