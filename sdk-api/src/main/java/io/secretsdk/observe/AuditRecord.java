package io.secretsdk.observe;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of the client-side audit trail: which code path, in which process and thread, did what
 * with which version of which secret. Never a value.
 *
 * @param at when, on the cache's clock
 * @param event what happened ({@link SecretEvent.Kind#tag()}: {@code loaded}, {@code first_read}, ...)
 * @param secret the secret's reference, as a URI
 * @param scheme the backend
 * @param version the version concerned
 * @param previousVersion for a rotation, the version rotated away from
 * @param outcome {@code ok}, or how the step failed ({@link Outcome#tag()})
 * @param failure the exception's class name when it failed
 * @param caller for a first read, the class and method that read
 * @param thread the thread the event happened on
 * @param pid this process's id
 */
public record AuditRecord(
    Instant at,
    String event,
    String secret,
    String scheme,
    Optional<String> version,
    Optional<String> previousVersion,
    String outcome,
    Optional<String> failure,
    Optional<String> caller,
    String thread,
    long pid) {

  /**
   * Checks the parts.
   *
   * @param at when
   * @param event what happened
   * @param secret the secret's reference
   * @param scheme the backend
   * @param version the version concerned
   * @param previousVersion the version rotated away from
   * @param outcome how it ended
   * @param failure the exception's class name
   * @param caller the class and method that read
   * @param thread the thread
   * @param pid the process id
   */
  public AuditRecord {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(previousVersion, "previousVersion");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(failure, "failure");
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(thread, "thread");
  }

  /**
   * The record as one {@code key=value} line, keys in a fixed order, absent parts left out, values
   * with spaces or quotes quoted: {@code event=first_read secret=aws-sm://prod/db scheme=aws-sm
   * version=v7 outcome=ok caller=com.example.Repo.connect thread=main pid=4242 at=2026-...Z}.
   *
   * @return the line
   */
  public String toLine() {
    StringBuilder b = new StringBuilder(160);
    put(b, "event", event);
    put(b, "secret", secret);
    put(b, "scheme", scheme);
    version.ifPresent(v -> put(b, "version", v));
    previousVersion.ifPresent(v -> put(b, "previous_version", v));
    put(b, "outcome", outcome);
    failure.ifPresent(v -> put(b, "failure", v));
    caller.ifPresent(v -> put(b, "caller", v));
    put(b, "thread", thread);
    put(b, "pid", Long.toString(pid));
    put(b, "at", at.toString());
    return b.toString();
  }

  private static void put(StringBuilder b, String key, String value) {
    if (b.length() > 0) {
      b.append(' ');
    }
    b.append(key).append('=');
    boolean quote = value.isEmpty() || value.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20);
    if (!quote) {
      b.append(value);
      return;
    }
    b.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(' ');
      } else {
        b.append(c);
      }
    }
    b.append('"');
  }
}
