package io.secretsdk.logback;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.secretsdk.observe.SecretMasking;

/**
 * A {@link PatternLayout} whose every line has the values secretsdk's caches hold masked. Starting
 * it turns masking on ({@link SecretMasking#enable()}). Use it wherever a layout is configured:
 *
 * <pre>{@code
 * <encoder class="ch.qos.logback.core.encoder.LayoutWrappingEncoder">
 *   <layout class="io.secretsdk.logback.SecretMaskingLayout">
 *     <pattern>%d %-5level [%thread] %logger - %msg %mdc%n%ex</pattern>
 *   </layout>
 * </encoder>
 * }</pre>
 */
public class SecretMaskingLayout extends PatternLayout {
  /** Made by Logback's configurator. */
  public SecretMaskingLayout() {}

  @Override
  public void start() {
    SecretMasking.enable();
    super.start();
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    return SecretMasking.mask(super.doLayout(event));
  }
}
