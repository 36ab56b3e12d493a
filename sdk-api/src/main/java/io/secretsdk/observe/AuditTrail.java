package io.secretsdk.observe;

import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The client-side half of an audit log: one structured record per thing a cache did with a
 * secret (loaded, refreshed, renewed, rotated, overlap ended, expired, evicted, and the first read
 * of each version naming the class and method that read it). Register it with {@link
 * io.secretsdk.cache.SecretCache.Builder#observer(SecretObserver)}.
 *
 * <p>The backend's own audit log (AWS CloudTrail, a Vault audit device, Google Cloud Audit Logs,
 * Azure Monitor for Key Vault) records which identity fetched which secret from which address. It
 * cannot see what happens after: which process, thread and code path used which version, when a
 * rotated-out version stopped being readable, when a cached value expired unused. This trail
 * records exactly that, with the same secret names and version ids, so the two can be joined.
 *
 * <pre>{@code
 * SecretCache cache = SecretCache.builder(source).observer(AuditTrail.toSlf4j()).build();
 * // INFO io.secretsdk.audit - event=first_read secret=aws-sm://prod/db scheme=aws-sm version=v7
 * //      outcome=ok caller=com.example.OrderRepository.connect thread=main pid=4242 at=...
 * }</pre>
 *
 * <p>Backend calls are not repeated here (every attempt is in {@link SecretObserver#onBackendCall}
 * and in Flight Recorder); a trail of them is the backend's own log.
 */
public final class AuditTrail implements SecretObserver {
  /** The logger {@link #toSlf4j()} writes to. */
  public static final String LOGGER = "io.secretsdk.audit";

  private static final long PID = ProcessHandle.current().pid();

  private final Consumer<AuditRecord> sink;

  private AuditTrail(Consumer<AuditRecord> sink) {
    this.sink = sink;
  }

  /**
   * Writes each record at INFO to the SLF4J logger {@value #LOGGER}: the message is {@link
   * AuditRecord#toLine()}, and each part is also a key-value pair of the event (SLF4J 2's fluent
   * API), for structured encoders (Logback's {@code %kvp}, a JSON encoder).
   *
   * @return the trail
   */
  public static AuditTrail toSlf4j() {
    return toSlf4j(LoggerFactory.getLogger(LOGGER));
  }

  /**
   * Writes each record at INFO to the given logger, as {@link #toSlf4j()} does.
   *
   * @param logger where to write
   * @return the trail
   */
  public static AuditTrail toSlf4j(Logger logger) {
    Objects.requireNonNull(logger, "logger");
    return new AuditTrail(r -> {
      if (!logger.isInfoEnabled()) {
        return;
      }
      LoggingEventBuilder b = logger.atInfo()
          .addKeyValue("event", r.event())
          .addKeyValue("secret", r.secret())
          .addKeyValue("scheme", r.scheme());
      if (r.version().isPresent()) {
        b = b.addKeyValue("version", r.version().get());
      }
      if (r.previousVersion().isPresent()) {
        b = b.addKeyValue("previous_version", r.previousVersion().get());
      }
      b = b.addKeyValue("outcome", r.outcome());
      if (r.failure().isPresent()) {
        b = b.addKeyValue("failure", r.failure().get());
      }
      if (r.caller().isPresent()) {
        b = b.addKeyValue("caller", r.caller().get());
      }
      b.addKeyValue("pid", r.pid()).setMessage(r.toLine()).log();
    });
  }

  /**
   * Hands each record to a consumer (a SIEM forwarder, a test), on the thread of the event: it
   * must return quickly.
   *
   * @param sink the consumer
   * @return the trail
   */
  public static AuditTrail to(Consumer<AuditRecord> sink) {
    return new AuditTrail(Objects.requireNonNull(sink, "sink"));
  }

  @Override
  public void onEvent(SecretEvent e) {
    sink.accept(new AuditRecord(e.at(), e.kind().tag(), e.ref().toUri(), e.scheme(), e.versionId(),
        e.previousVersionId(), e.outcome().tag(), e.failure(), e.caller(), Thread.currentThread().getName(), PID));
  }

  @Override
  public String toString() {
    return "AuditTrail";
  }
}
