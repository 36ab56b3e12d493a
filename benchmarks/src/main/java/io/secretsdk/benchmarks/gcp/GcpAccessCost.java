package io.secretsdk.benchmarks.gcp;

import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import io.secretsdk.BatchResult;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.VersionCheck;
import io.secretsdk.VersionChecks;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.gcp.GcpSecretManagerSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Access operations (what Google bills) and metadata-only version checks per hour for 100 secrets
 * read through secretsdk's cache at its default settings, against the in-process Secret Manager.
 *
 * <ol>
 *   <li><b>The cache as it is</b>: 100 secrets warmed, then all read in a loop for 8 s with a 2 s
 *       ttl (refresh ahead and jitter at their defaults) while 10 secrets rotate half way; every
 *       call the cache makes is counted, {@code AccessSecretVersion} and {@code GetSecretVersion}
 *       apart. If the cache uses {@code checkVersion} (the cost work merged), this line shows it.
 *   <li><b>With the version check</b>: the refreshes the cache made in (1), replayed against a
 *       fresh source in order, each as {@code checkVersion} first and {@code fetch} only when the
 *       version moved, with the same 10 rotations half way.
 * </ol>
 *
 * <p>Refreshes per secret per ttl are scaled to an hour at the default ttl of 5 minutes.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.secretsdk.benchmarks.gcp.GcpAccessCost}
 * (real time passes: about 15 s).
 */
public final class GcpAccessCost {
  private static final int SECRETS = 100;
  private static final int ROTATIONS = 10;
  private static final Duration TTL = Duration.ofSeconds(2);
  private static final Duration WINDOW = Duration.ofSeconds(8);
  private static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  private GcpAccessCost() {}

  public static void main(String[] args) throws Exception {
    List<SecretRef> refs = new ArrayList<>();
    for (int i = 0; i < SECRETS; i++) {
      refs.add(SecretRef.parse("gcp-sm://s" + i));
    }
    double scale = 3600.0 / DEFAULT_TTL.toSeconds() / (WINDOW.toMillis() / (double) TTL.toMillis());
    try (InProcessSecretManager server = new InProcessSecretManager(SECRETS)) {
      // 1. The cache as it is.
      List<SecretRef> refreshes = new CopyOnWriteArrayList<>();
      long access1;
      long checks1;
      long getSecret1;
      try (SecretManagerServiceClient client = server.client();
          Recording source = new Recording(GcpSecretManagerSource.builder().client(client)
              .project(InProcessSecretManager.PROJECT).build(), refreshes);
          SecretCache cache = SecretCache.builder(source).defaultTtl(TTL).build()) {
        refs.forEach(cache::get);
        System.out.printf(Locale.ROOT, "warm-up of %d secrets: %d AccessSecretVersion, %d GetSecret%n", SECRETS,
            server.calls("AccessSecretVersion"), server.calls("GetSecret"));
        server.resetCounts();
        source.recording = true;
        long start = System.nanoTime();
        long end = start + WINDOW.toNanos();
        boolean rotated = false;
        while (System.nanoTime() < end) {
          if (!rotated && System.nanoTime() - start > WINDOW.toNanos() / 2) {
            for (int i = 0; i < ROTATIONS; i++) {
              server.rotate("s" + i);
            }
            rotated = true;
          }
          refs.forEach(cache::get);
          Thread.sleep(5);
        }
        source.recording = false;
        access1 = server.calls("AccessSecretVersion");
        checks1 = server.calls("GetSecretVersion");
        getSecret1 = server.calls("GetSecret");
      }
      System.out.printf(Locale.ROOT, "1. cache as it is, %d s window, ttl %d s, %d rotations: %d AccessSecretVersion, "
          + "%d GetSecretVersion, %d GetSecret (%d refreshes)%n", WINDOW.toSeconds(), TTL.toSeconds(), ROTATIONS,
          access1, checks1, getSecret1, refreshes.size());
      System.out.printf(Locale.ROOT, "   per hour, 100 secrets, default ttl 5 min: %.0f AccessSecretVersion, "
          + "%.0f GetSecretVersion%n", (access1 - 0.0) * scale, checks1 * scale);

      // 2. The same refreshes, each a version check first.
      server.resetCounts();
      long access2;
      long checks2;
      long getSecret2;
      try (SecretManagerServiceClient client = server.client();
          GcpSecretManagerSource source = GcpSecretManagerSource.builder().client(client)
              .project(InProcessSecretManager.PROJECT).build()) {
        Map<SecretRef, String> held = new HashMap<>();
        for (SecretRef r : refs) {
          Secret s = source.fetch(r);
          held.put(r, s.versionId());
          s.value().destroy();
        }
        server.resetCounts();
        for (int k = 0; k < refreshes.size(); k++) {
          if (k == refreshes.size() / 2) {
            for (int i = 0; i < ROTATIONS; i++) {
              server.rotate("s" + i);
            }
          }
          SecretRef r = refreshes.get(k);
          Optional<VersionCheck> check = source.checkVersion(r);
          if (check.isEmpty() || !check.get().versionId().equals(held.get(r))) {
            Secret s = source.fetch(r);
            held.put(r, s.versionId());
            s.value().destroy();
          }
        }
        access2 = server.calls("AccessSecretVersion");
        checks2 = server.calls("GetSecretVersion");
        getSecret2 = server.calls("GetSecret");
      }
      System.out.printf(Locale.ROOT, "2. same %d refreshes as version checks, %d rotations: %d AccessSecretVersion, "
          + "%d GetSecretVersion, %d GetSecret%n", refreshes.size(), ROTATIONS, access2, checks2, getSecret2);
      System.out.printf(Locale.ROOT, "   per hour, 100 secrets, default ttl 5 min, no rotation: 0 AccessSecretVersion, "
          + "%.0f GetSecretVersion (each rotation adds 1 AccessSecretVersion and 1 GetSecret)%n",
          (checks2 - 0.0) * scale);
    }
  }

  /** Forwards everything; records each fetch while {@link #recording} is set (the cache's refreshes). */
  private static final class Recording implements SecretSource {
    private final SecretSource delegate;
    private final List<SecretRef> fetches;
    volatile boolean recording;

    Recording(SecretSource delegate, List<SecretRef> fetches) {
      this.delegate = delegate;
      this.fetches = fetches;
    }

    @Override
    public String scheme() {
      return delegate.scheme();
    }

    @Override
    public Secret fetch(SecretRef ref) {
      if (recording) {
        fetches.add(ref);
      }
      return delegate.fetch(ref);
    }

    @Override
    public BatchResult fetchAll(Collection<SecretRef> refs) {
      if (recording) {
        fetches.addAll(refs);
      }
      return delegate.fetchAll(refs);
    }

    @Override
    public Optional<Secret> fetchPrevious(SecretRef ref) {
      return delegate.fetchPrevious(ref);
    }

    @Override
    public Optional<VersionCheck> checkVersion(SecretRef ref) {
      if (recording) {
        fetches.add(ref);
      }
      return delegate.checkVersion(ref);
    }

    @Override
    public VersionChecks checkVersions(Collection<SecretRef> refs) {
      if (recording) {
        fetches.addAll(refs);
      }
      return delegate.checkVersions(refs);
    }

    @Override
    public SecretRef canonical(SecretRef ref) {
      return delegate.canonical(ref);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
