package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class LeakGuardTest {

  /** Run through the test kit below, never directly (surefire skips nested classes). */
  static class Examples {
    private static final Logger LOG = LoggerFactory.getLogger("io.secretsdk.example");
    private static final String SECRET = "hunter2-" + "s3cr3t-value";

    @Test
    void logsTheSecretInAMessage() {
      LeakGuard.watch(SECRET);
      LOG.debug("connecting with {}", SECRET);
    }

    @Test
    void logsTheSecretDeepInAnExceptionChain() {
      LeakGuard.watch(SECRET);
      Exception inner = new IllegalStateException("bad password " + SECRET);
      LOG.warn("failed", new RuntimeException("outer", new RuntimeException("middle", inner)));
    }

    @Test
    void logsTheSecretInTheMdc() {
      LeakGuard.watch(SECRET);
      MDC.put("password", SECRET);
      try {
        LOG.trace("hello");
      } finally {
        MDC.clear();
      }
    }

    @Test
    void logsTheSecretThroughJavaUtilLogging() {
      LeakGuard.watch(SECRET);
      java.util.logging.Logger.getLogger("io.secretsdk.jul").log(Level.FINE, "value " + SECRET);
    }

    @Test
    void logsTheSecretFromAnotherThread() throws InterruptedException {
      LeakGuard.watch(SECRET);
      Thread t = new Thread(() -> LOG.info("other thread {}", SECRET));
      t.start();
      t.join();
    }

    @Test
    void logsOnlyNames() {
      LeakGuard.watch(SECRET);
      LOG.info("read secret {} version {}", "db/password", "v2");
    }
  }

  private static EngineExecutionResults runExamples() {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
        .selectors(selectClass(Examples.class))
        .execute();
  }

  @Test
  void failsEveryTestThatLogsItsSecretAndPassesTheOneThatDoesNot() {
    EngineExecutionResults results = runExamples();
    assertThat(results.testEvents().failed().stream().map(e -> e.getTestDescriptor().getDisplayName()))
        .containsExactlyInAnyOrder(
            "logsTheSecretInAMessage()",
            "logsTheSecretDeepInAnExceptionChain()",
            "logsTheSecretInTheMdc()",
            "logsTheSecretThroughJavaUtilLogging()",
            "logsTheSecretFromAnotherThread()");
    assertThat(results.testEvents().succeeded().stream().map(e -> e.getTestDescriptor().getDisplayName()))
        .containsExactly("logsOnlyNames()");
  }

  @Test
  void failureMessagesNeverRepeatTheSecret() {
    EngineExecutionResults results = runExamples();
    for (Event failed : results.testEvents().failed().list()) {
      Throwable error = failed.getPayload(org.junit.platform.engine.TestExecutionResult.class)
          .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
          .orElseThrow();
      assertThat(error).isInstanceOf(AssertionError.class);
      assertThat(error.getMessage()).contains("registered secret values").contains("<SECRET>")
          .doesNotContain("s3cr3t-value");
    }
  }
}
