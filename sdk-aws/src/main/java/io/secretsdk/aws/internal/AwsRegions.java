package io.secretsdk.aws.internal;

import io.secretsdk.SecretConfigurationException;
import io.secretsdk.internal.Printable;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;

/**
 * Refuses a region the AWS SDK does not know ({@code eu-wset-1}), which the SDK itself accepts
 * silently and then sends every request to a host that does not exist. The list is the SDK's own
 * ({@link Region#regions()}); a region newer than the SDK on the class path, or a private
 * partition's, is accepted together with an explicit endpoint.
 */
public final class AwsRegions {
  private AwsRegions() {}

  /**
   * Checks a region against the SDK's list.
   *
   * @param region the region
   * @param endpointOverridden whether an explicit endpoint is set, which makes any region name valid
   * @return the region
   * @throws SecretConfigurationException if the SDK does not know the region and no endpoint is set
   */
  public static Region check(Region region, boolean endpointOverridden) {
    if (endpointOverridden || known().contains(region.id())) {
      return region;
    }
    String hint = closest(region.id()).map(r -> " (did you mean " + r + "?)").orElse("");
    throw new SecretConfigurationException(
        "'" + Printable.text(region.id()) + "' is not an AWS region this AWS SDK knows" + hint
            + "; check the spelling (the SDK's list is Region.regions()), or, for a region newer than the SDK,"
            + " set an explicit endpoint as well, which makes any region name acceptable");
  }

  private static Set<String> known() {
    return Region.regions().stream().map(Region::id).collect(Collectors.toSet());
  }

  private static Optional<String> closest(String id) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : new TreeSet<>(known())) {
      int d = distance(id.toLowerCase(Locale.ROOT), k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best != null && bestDistance <= 3 ? Optional.of(best) : Optional.empty();
  }

  /** Optimal string alignment distance: a swap of two neighbours (wset/west) counts as one edit. */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
