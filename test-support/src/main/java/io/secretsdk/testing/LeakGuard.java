package io.secretsdk.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Fails a test whose log output contains one of the secret values the test registered.
 *
 * <p>Registered for every JUnit Jupiter test of every module through extension auto-detection
 * (this jar's {@code META-INF/services} and {@code junit.jupiter.extensions.autodetection.enabled}
 * in the build). During each test it captures every log event of every thread: SLF4J over
 * Logback, and {@code java.util.logging} bridged into it, at every level the configuration lets
 * through (all levels of {@code io.secretsdk}, INFO and above of libraries; see this jar's
 * {@code logback-test.xml}). An event is searched in full: the formatted message, the raw
 * arguments, the logger and thread names, the MDC, and the whole exception chain with causes and
 * suppressed exceptions.
 *
 * <p>A test registers its values with {@link #watch(String)} (or the {@code char[]} and {@code
 * byte[]} forms) before or while it runs. The failure message never repeats the value.
 */
public final class LeakGuard implements BeforeEachCallback, AfterEachCallback {
  private static final List<String> WATCHED = new CopyOnWriteArrayList<>();
  private static final Queue<String> CAPTURED = new ConcurrentLinkedQueue<>();
  private static volatile boolean installed;
  // Strong references: java.util.logging forgets the level of a logger nobody references.
  private static final java.util.logging.Logger JUL_ROOT = java.util.logging.Logger.getLogger("");
  private static final java.util.logging.Logger JUL_SDK = java.util.logging.Logger.getLogger("io.secretsdk");

  /** Used by JUnit's extension auto-detection. */
  public LeakGuard() {}

  /**
   * Registers a value that must not appear in this test's log output.
   *
   * @param value a secret value used by the test
   */
  public static void watch(String value) {
    Objects.requireNonNull(value, "value");
    if (value.length() < 4) {
      throw new IllegalArgumentException("watch values of at least 4 characters, or every log line matches");
    }
    WATCHED.add(value);
  }

  /**
   * Registers a value that must not appear in this test's log output.
   *
   * @param value a secret value used by the test; not modified
   */
  public static void watch(char[] value) {
    watch(new String(value));
  }

  /**
   * Registers a UTF-8 value that must not appear in this test's log output.
   *
   * @param utf8 a secret value used by the test; not modified
   */
  public static void watch(byte[] utf8) {
    watch(new String(utf8, StandardCharsets.UTF_8));
  }

  /**
   * Everything captured so far in this test, rendered as searched. For tests of the guard itself.
   *
   * @return the rendered events
   */
  public static List<String> captured() {
    return new ArrayList<>(CAPTURED);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    install();
    WATCHED.clear();
    CAPTURED.clear();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    try {
      List<String> leaks = new ArrayList<>();
      int index = 0;
      for (String value : WATCHED) {
        index++;
        for (String event : CAPTURED) {
          if (event.contains(value)) {
            leaks.add("secret #" + index + " (of " + value.length() + " chars) appears in: "
                + redact(event, value));
            break;
          }
        }
      }
      if (!leaks.isEmpty()) {
        throw new AssertionError("log output contains registered secret values:\n  " + String.join("\n  ", leaks));
      }
    } finally {
      WATCHED.clear();
      CAPTURED.clear();
    }
  }

  private static String redact(String event, String value) {
    String shown = event.replace(value, "<SECRET>");
    int at = shown.indexOf("<SECRET>");
    int from = Math.max(0, at - 150);
    int to = Math.min(shown.length(), at + 150);
    return (from > 0 ? "..." : "") + shown.substring(from, to) + (to < shown.length() ? "..." : "");
  }

  private static synchronized void install() {
    if (installed) {
      return;
    }
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    JUL_ROOT.setLevel(java.util.logging.Level.INFO);
    JUL_SDK.setLevel(java.util.logging.Level.ALL);
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Capture capture = new Capture();
    capture.setContext(ctx);
    capture.setName("secretsdk-leak-guard");
    capture.start();
    ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(capture);
    installed = true;
  }

  /** Renders each event in full into the capture queue. */
  private static final class Capture extends AppenderBase<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent event) {
      StringBuilder sb = new StringBuilder(256);
      sb.append(event.getLevel()).append(' ').append(event.getLoggerName())
          .append(" [").append(event.getThreadName()).append("] ")
          .append(event.getFormattedMessage());
      Object[] args = event.getArgumentArray();
      if (args != null) {
        for (Object arg : args) {
          sb.append(" | arg: ").append(String.valueOf(arg));
        }
      }
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null && !mdc.isEmpty()) {
        sb.append(" | mdc: ").append(mdc);
      }
      if (event.getKeyValuePairs() != null) {
        sb.append(" | kv: ").append(event.getKeyValuePairs());
      }
      appendThrowable(sb, event.getThrowableProxy(), 0);
      CAPTURED.add(sb.toString());
    }

    private static void appendThrowable(StringBuilder sb, IThrowableProxy t, int depth) {
      if (t == null || depth > 20) {
        return;
      }
      sb.append("\n  ").append(t.getClassName()).append(": ").append(t.getMessage());
      StackTraceElementProxy[] frames = t.getStackTraceElementProxyArray();
      if (frames != null) {
        for (StackTraceElementProxy frame : frames) {
          sb.append("\n    at ").append(frame.getSTEAsString());
        }
      }
      IThrowableProxy[] suppressed = t.getSuppressed();
      if (suppressed != null) {
        for (IThrowableProxy s : suppressed) {
          appendThrowable(sb, s, depth + 1);
        }
      }
      appendThrowable(sb, t.getCause(), depth + 1);
    }
  }
}
