package io.secretsdk.aws.internal;

import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;

/**
 * Metadata of many secrets in few {@code ListSecrets} calls: the "did anything change?" answer for
 * many secrets at once, and their rotation schedules, without moving a value.
 *
 * <p><b>How names are asked for.</b> ListSecrets' {@code name} filter is a case-sensitive prefix
 * match with at most 10 values. Names are grouped by their folder (the part up to the last {@code
 * /}; a name without one is its own group), so that 100 secrets under {@code prod/app/} cost one
 * filter value; up to 10 groups go in one call, pages of 100 entries are followed until every asked
 * name was seen. A group whose prefix matches far more secrets than were asked for (a page budget of
 * the asked count / 100 + 2 pages) is asked again by exact names, and what is still missing then is
 * left unanswered (the caller falls back to one call per secret). Only exact name matches count.
 *
 * <p><b>What it cannot answer.</b> ARNs (the filter matches names only, and another account's
 * secrets are not listed), names with characters the filter refuses, and names longer than 512.
 *
 * <p><b>Consistency.</b> AWS documents that ListSecrets "might not reflect changes from the last
 * five minutes" ({@link #LAG}); callers treat an answer as at most that old.
 *
 * <p>Without {@code secretsmanager:ListSecrets} the first refusal is logged once at info and the
 * listing is not tried again.
 */
public final class SecretListing {
  /** How stale a ListSecrets answer may be, as AWS documents it. */
  public static final Duration LAG = Duration.ofMinutes(5);
  /** Values one ListSecrets filter takes. */
  public static final int VALUES_PER_CALL = 10;
  /** Entries one ListSecrets page holds at most. */
  public static final int PAGE_SIZE = 100;

  private static final Logger LOG = LoggerFactory.getLogger(SecretListing.class);
  private static final Pattern FILTERABLE = Pattern.compile("[a-zA-Z0-9 :_@/+=.\\-]{1,512}");

  private final SecretsManagerClient client;
  private volatile boolean denied;

  /**
   * Creates a listing over a client.
   *
   * @param client the client to list with
   */
  public SecretListing(SecretsManagerClient client) {
    this.client = client;
  }

  /**
   * Whether a name can be found by listing: a plain name the filter accepts, not an ARN.
   *
   * @param name the secret's name or ARN as referenced
   * @return true if {@link #find} can answer for it
   */
  public static boolean listable(String name) {
    return !name.startsWith("arn:") && !name.startsWith("!") && FILTERABLE.matcher(name).matches();
  }

  /**
   * Whether listing was refused once, and is no longer tried.
   *
   * @return true after an access-denied answer
   */
  public boolean denied() {
    return denied;
  }

  /**
   * Lists the named secrets.
   *
   * @param names listable names ({@link #listable})
   * @param refFor a reference per name, for the messages of mapped failures
   * @return what was found, what failed, and what could not be answered
   */
  public Result find(Collection<String> names, java.util.function.Function<String, SecretRef> refFor) {
    Result result = new Result();
    Set<String> wanted = new LinkedHashSet<>(names);
    if (denied) {
      result.unanswered.addAll(wanted);
      return result;
    }
    Map<String, List<String>> byGroup = new HashMap<>();
    for (String name : wanted) {
      byGroup.computeIfAbsent(group(name), g -> new ArrayList<>()).add(name);
    }
    List<String> groups = new ArrayList<>(new TreeSet<>(byGroup.keySet()));
    Set<String> retryExact = new LinkedHashSet<>();
    for (int from = 0; from < groups.size(); from += VALUES_PER_CALL) {
      List<String> values = groups.subList(from, Math.min(groups.size(), from + VALUES_PER_CALL));
      Set<String> asked = new LinkedHashSet<>();
      values.forEach(v -> asked.addAll(byGroup.get(v)));
      Set<String> left = run(values, asked, result, refFor);
      if (left != null) {
        for (String name : left) {
          if (values.contains(name)) {
            result.unanswered.add(name); // already asked by its exact name
          } else {
            retryExact.add(name);
          }
        }
      }
    }
    List<String> exact = new ArrayList<>(retryExact);
    for (int from = 0; from < exact.size(); from += VALUES_PER_CALL) {
      List<String> values = exact.subList(from, Math.min(exact.size(), from + VALUES_PER_CALL));
      Set<String> left = run(values, new LinkedHashSet<>(values), result, refFor);
      if (left != null) {
        result.unanswered.addAll(left);
      }
    }
    return result;
  }

  /** One filtered listing; returns the asked names still missing when the page budget ran out, else null. */
  private @Nullable Set<String> run(List<String> values, Set<String> asked, Result result,
      java.util.function.Function<String, SecretRef> refFor) {
    if (denied) {
      result.unanswered.addAll(asked);
      return null;
    }
    Filter filter = Filter.builder().key(FilterNameStringType.NAME).values(values).build();
    Set<String> missing = new LinkedHashSet<>(asked);
    int budget = asked.size() / PAGE_SIZE + 2;
    String token = null;
    int pages = 0;
    try {
      do {
        String pageToken = token;
        ListSecretsResponse r = client.listSecrets(b -> b.maxResults(PAGE_SIZE).nextToken(pageToken)
            .filters(filter));
        pages++;
        result.calls++;
        if (r.hasSecretList()) {
          for (SecretListEntry e : r.secretList()) {
            if (e.name() != null && missing.remove(e.name())) {
              result.found.put(e.name(), e);
            }
          }
        }
        token = r.nextToken();
      } while (token != null && !missing.isEmpty() && pages < budget);
    } catch (SdkException | UncheckedIOException e) {
      String first = missing.isEmpty() ? asked.iterator().next() : missing.iterator().next();
      SecretException mapped = AwsErrors.map(e, refFor.apply(first), AwsBackend.SECRETS_MANAGER, "a list of secrets");
      if (mapped instanceof SecretAccessDeniedException) {
        denied = true;
        LOG.info("{} refused ListSecrets; checking secrets one by one (DescribeSecret) from now on "
            + "(grant secretsmanager:ListSecrets to check up to {} secrets a call)",
            AwsBackend.SECRETS_MANAGER.displayName(), PAGE_SIZE);
        result.unanswered.addAll(missing);
        return null;
      }
      LOG.debug("ListSecrets failed ({}) with {} of {} secrets unseen", mapped.getClass().getSimpleName(),
          missing.size(), asked.size());
      for (String name : missing) {
        result.failed.put(name, e);
      }
      return null;
    }
    return token != null && !missing.isEmpty() ? missing : null;
  }

  /** The filter value a name is asked by: its folder, or itself. */
  static String group(String name) {
    int slash = name.lastIndexOf('/');
    return slash < 0 ? name : name.substring(0, slash + 1);
  }

  /** What one {@link #find} learned. Names in no map were listed in full and are not there. */
  public static final class Result {
    /** The entries of the names found. */
    public final Map<String, SecretListEntry> found = new HashMap<>();
    /** The names whose listing failed, with the SDK's failure (map it per reference). */
    public final Map<String, RuntimeException> failed = new HashMap<>();
    /** The names listing could not answer for (refused, or too many other secrets share the prefix). */
    public final Set<String> unanswered = new LinkedHashSet<>();
    /** ListSecrets calls made. */
    public int calls;

    /**
     * Whether the listing ran to the end for a name and did not see it: the secret is missing,
     * scheduled for deletion, or newer than the listing.
     *
     * @param name an asked name
     * @return true if it is in none of the maps
     */
    public boolean absent(String name) {
      return !found.containsKey(name) && !failed.containsKey(name) && !unanswered.contains(name);
    }
  }
}
