package io.secretsdk.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.PatternLayoutEncoderBase;

/**
 * In place of Logback's {@code PatternLayoutEncoder}: the same {@code pattern}, {@code charset}
 * and {@code outputPatternAsHeader} options, through a {@link SecretMaskingLayout}.
 *
 * <pre>{@code
 * <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
 *   <encoder class="io.secretsdk.logback.SecretMaskingEncoder">
 *     <pattern>%d %-5level [%thread] %logger - %msg %mdc%n</pattern>
 *   </encoder>
 * </appender>
 * }</pre>
 */
public class SecretMaskingEncoder extends PatternLayoutEncoderBase<ILoggingEvent> {
  /** Made by Logback's configurator. */
  public SecretMaskingEncoder() {}

  @Override
  public void start() {
    SecretMaskingLayout layout = new SecretMaskingLayout();
    layout.setContext(context);
    layout.setPattern(getPattern());
    layout.setOutputPatternAsHeader(outputPatternAsHeader);
    layout.start();
    this.layout = layout;
    super.start();
  }
}
