package io.secretsdk.spring;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * The {@code secrets.*} properties: how the cache behaves and where each backend is. Bound and
 * checked at startup; a bad value stops the application with a message naming the property and
 * what is wrong with it. None of these properties holds a secret value: credentials of the
 * backends come from their usual places (instance roles, files, the environment of the SDKs).
 */
@ConfigurationProperties("secrets")
public class SecretsProperties implements Validator {
  private static final Set<String> VAULT_METHODS = Set.of("token", "approle", "kubernetes", "jwt");

  /** The cache's timing. */
  private final Cache cache = new Cache();
  /** AWS Secrets Manager ({@code aws-sm://}) and SSM Parameter Store ({@code aws-ssm://}); needs sdk-aws. */
  private final Aws aws = new Aws();
  /** Google Cloud Secret Manager ({@code gcp-sm://}); needs sdk-gcp. */
  private final Gcp gcp = new Gcp();
  /** Azure Key Vault ({@code azure-kv://}); needs sdk-azure. */
  private final Azure azure = new Azure();
  /** HashiCorp Vault ({@code vault://}); needs sdk-vault. */
  private final Vault vault = new Vault();
  /** Mounted secret files ({@code file://}), as Kubernetes secret volumes and Vault Agent write them. */
  private final File file = new File();
  /** The auto-configured HikariCP pool's credentials. */
  private final Datasource datasource = new Datasource();
  /** The scheme a reference without one goes to, such as {@code aws-sm}; default the only configured backend. */
  private @Nullable String defaultScheme;

  /** Properties with their defaults; Spring binds the configured values onto it. */
  public SecretsProperties() {}

  /**
   * The cache's timing.
   *
   * @return the cache properties
   */
  public Cache getCache() {
    return cache;
  }

  /**
   * The AWS backends.
   *
   * @return the AWS properties
   */
  public Aws getAws() {
    return aws;
  }

  /**
   * The Google Cloud backend.
   *
   * @return the GCP properties
   */
  public Gcp getGcp() {
    return gcp;
  }

  /**
   * The Azure backend.
   *
   * @return the Azure properties
   */
  public Azure getAzure() {
    return azure;
  }

  /**
   * The Vault backend.
   *
   * @return the Vault properties
   */
  public Vault getVault() {
    return vault;
  }

  /**
   * The file backend.
   *
   * @return the file properties
   */
  public File getFile() {
    return file;
  }

  /**
   * The pool's credentials.
   *
   * @return the data source properties
   */
  public Datasource getDatasource() {
    return datasource;
  }

  /**
   * The scheme for references without one.
   *
   * @return the scheme, or null for the only configured backend
   */
  public @Nullable String getDefaultScheme() {
    return defaultScheme;
  }

  /**
   * Sets the scheme for references without one.
   *
   * @param defaultScheme a scheme such as {@code aws-sm}
   */
  public void setDefaultScheme(@Nullable String defaultScheme) {
    this.defaultScheme = defaultScheme;
  }

  /**
   * The provider properties ({@code <scheme>.<key>}, as {@code SecretSources.fromProperties} reads
   * them) of each configured backend, by backend name ({@code aws}, {@code gcp}, {@code azure},
   * {@code vault}, {@code file}). A backend none of whose properties is set is absent.
   *
   * @return the configured backends' properties, in a fixed order
   */
  public Map<String, Map<String, String>> backendProperties() {
    Map<String, Map<String, String>> all = new LinkedHashMap<>();
    Map<String, String> p = new LinkedHashMap<>();
    // aws-ssm only when the optional SSM client is there: sdk-aws refuses to make that source without it.
    boolean ssm = org.springframework.util.ClassUtils.isPresent("software.amazon.awssdk.services.ssm.SsmClient",
        SecretsProperties.class.getClassLoader());
    for (String scheme : ssm ? List.of("aws-sm", "aws-ssm") : List.of("aws-sm")) {
      put(p, scheme + ".region", aws.region);
      put(p, scheme + ".endpoint", aws.endpoint);
      put(p, scheme + ".profile", aws.profile);
    }
    add(all, "aws", p);
    p = new LinkedHashMap<>();
    put(p, "gcp-sm.project", gcp.project);
    put(p, "gcp-sm.location", gcp.location);
    put(p, "gcp-sm.endpoint", gcp.endpoint);
    put(p, "gcp-sm.transport", gcp.transport);
    add(all, "gcp", p);
    p = new LinkedHashMap<>();
    put(p, "azure-kv.vault-url", azure.vaultUrl);
    put(p, "azure-kv.tenant-id", azure.tenantId);
    put(p, "azure-kv.client-id", azure.clientId);
    add(all, "azure", p);
    p = new LinkedHashMap<>();
    put(p, "vault.address", vault.address);
    put(p, "vault.namespace", vault.namespace);
    Vault.Auth a = vault.auth;
    put(p, "vault.auth.method", a.method);
    put(p, "vault.auth.token-file", a.tokenFile);
    put(p, "vault.auth.role-id", a.roleId);
    put(p, "vault.auth.secret-id-file", a.secretIdFile);
    put(p, "vault.auth.role", a.role);
    put(p, "vault.auth.jwt-file", a.jwtFile);
    put(p, "vault.auth.mount", a.mount);
    put(p, "vault.kv-v2-mounts", join(vault.kvV2Mounts));
    put(p, "vault.kv-v1-mounts", join(vault.kvV1Mounts));
    put(p, "vault.database-mounts", join(vault.databaseMounts));
    put(p, "vault.ca-pem", vault.caPem);
    put(p, "vault.request-timeout", vault.requestTimeout);
    put(p, "vault.revoke-on-close", vault.revokeOnClose);
    add(all, "vault", p);
    p = new LinkedHashMap<>();
    put(p, "file.root", file.root);
    add(all, "file", p);
    return all;
  }

  private static void add(Map<String, Map<String, String>> all, String backend, Map<String, String> p) {
    if (!p.isEmpty()) {
      all.put(backend, p);
    }
  }

  private static void put(Map<String, String> p, String key, @Nullable Object value) {
    if (value != null && !value.toString().isBlank()) {
      p.put(key, value.toString().strip());
    }
  }

  private static @Nullable String join(List<String> values) {
    return values.isEmpty() ? null : String.join(",", values);
  }

  @Override
  public boolean supports(Class<?> type) {
    return SecretsProperties.class.isAssignableFrom(type);
  }

  @Override
  public void validate(Object target, Errors errors) {
    SecretsProperties p = (SecretsProperties) target;
    for (String problem : p.problems()) {
      int colon = problem.indexOf(':');
      String field = problem.substring("secrets.".length(), colon);
      errors.rejectValue(camel(field), "invalid", problem);
    }
  }

  /**
   * Every problem of these properties, each a sentence starting with the full property name.
   *
   * @return the problems; empty when the properties are usable
   */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    Cache c = cache;
    positive(out, "secrets.cache.default-ttl", c.defaultTtl);
    notNegative(out, "secrets.cache.max-stale", c.maxStale);
    notNegative(out, "secrets.cache.overlap", c.overlap);
    notNegative(out, "secrets.cache.negative-ttl", c.negativeTtl);
    if (!(c.refreshAhead > 0 && c.refreshAhead < 1)) {
      out.add("secrets.cache.refresh-ahead: must be a fraction strictly between 0 and 1 (the share of a "
          + "value's lifetime after which it is refreshed, default 0.75), was " + c.refreshAhead);
    }
    if (!(c.refreshJitter >= 0 && c.refreshJitter <= 1)) {
      out.add("secrets.cache.refresh-jitter: must be between 0 and 1, was " + c.refreshJitter);
    }
    if (c.maximumSize < 1) {
      out.add("secrets.cache.maximum-size: must be at least 1, was " + c.maximumSize);
    }
    if (file.root != null && !Files.isDirectory(file.root)) {
      out.add("secrets.file.root: must be an existing directory, was " + file.root);
    }
    boolean vaultSet = backendProperties().containsKey("vault");
    if (vaultSet && vault.address == null) {
      out.add("secrets.vault.address: must be set (the Vault address, such as https://vault:8200) when other "
          + "secrets.vault properties are");
    }
    if (vaultSet && vault.auth.method == null) {
      out.add("secrets.vault.auth.method: must be set to one of " + new java.util.TreeSet<>(VAULT_METHODS));
    } else if (vault.auth.method != null && !VAULT_METHODS.contains(vault.auth.method.strip().toLowerCase(Locale.ROOT))) {
      out.add("secrets.vault.auth.method: must be one of " + new java.util.TreeSet<>(VAULT_METHODS) + ", was '"
          + vault.auth.method + "'");
    }
    if (datasource.secret != null) {
      try {
        SecretRef.parse(datasource.secret);
      } catch (InvalidSecretRefException e) {
        out.add("secrets.datasource.secret: must be a secret reference such as aws-sm://prod/db, " + e.getMessage());
      }
    }
    if (datasource.usernameField.equals(datasource.passwordField)) {
      out.add("secrets.datasource.password-field: must differ from secrets.datasource.username-field, both were '"
          + datasource.passwordField + "'");
    }
    return out;
  }

  private static void positive(List<String> out, String name, Duration d) {
    if (d.isNegative() || d.isZero()) {
      out.add(name + ": must be a positive duration such as 5m, was " + d);
    }
  }

  private static void notNegative(List<String> out, String name, Duration d) {
    if (d.isNegative()) {
      out.add(name + ": must not be negative, was " + d);
    }
  }

  private static String camel(String dashed) {
    StringBuilder b = new StringBuilder(dashed.length());
    boolean up = false;
    for (char ch : dashed.toCharArray()) {
      if (ch == '-') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(ch) : ch);
        up = false;
      }
    }
    return b.toString();
  }

  /** The cache's timing ({@code secrets.cache.*}). */
  public static class Cache {
    /** How long a value without a lease, expiry or rotation schedule is good for. */
    private Duration defaultTtl = Duration.ofMinutes(5);
    /** At which fraction of a value's lifetime it is refreshed in the background, strictly between 0 and 1. */
    private double refreshAhead = 0.75;
    /** How much refresh times are spread, as a fraction of the lifetime, from 0 to 1. */
    private double refreshJitter = 0.1;
    /** How long past its lifetime a value without a lease is still served while its backend fails. */
    private Duration maxStale = Duration.ofHours(1);
    /** How long the previous version stays readable (and usable by the pool) after a rotation. */
    private Duration overlap = Duration.ofMinutes(5);
    /** How long a not-found answer is remembered. */
    private Duration negativeTtl = Duration.ofSeconds(30);
    /** How many secrets are held at most. */
    private long maximumSize = 10_000;

    /** Defaults: 5 minutes, 0.75, 0.1, 1 hour, 5 minutes, 30 seconds, 10,000. */
    public Cache() {}

    /**
     * The default lifetime.
     *
     * @return the duration
     */
    public Duration getDefaultTtl() {
      return defaultTtl;
    }

    /**
     * Sets the default lifetime.
     *
     * @param defaultTtl a positive duration
     */
    public void setDefaultTtl(Duration defaultTtl) {
      this.defaultTtl = defaultTtl;
    }

    /**
     * The refresh-ahead fraction.
     *
     * @return the fraction
     */
    public double getRefreshAhead() {
      return refreshAhead;
    }

    /**
     * Sets the refresh-ahead fraction.
     *
     * @param refreshAhead strictly between 0 and 1
     */
    public void setRefreshAhead(double refreshAhead) {
      this.refreshAhead = refreshAhead;
    }

    /**
     * The refresh jitter.
     *
     * @return the fraction
     */
    public double getRefreshJitter() {
      return refreshJitter;
    }

    /**
     * Sets the refresh jitter.
     *
     * @param refreshJitter from 0 to 1
     */
    public void setRefreshJitter(double refreshJitter) {
      this.refreshJitter = refreshJitter;
    }

    /**
     * The stale limit.
     *
     * @return the duration
     */
    public Duration getMaxStale() {
      return maxStale;
    }

    /**
     * Sets the stale limit.
     *
     * @param maxStale zero or more
     */
    public void setMaxStale(Duration maxStale) {
      this.maxStale = maxStale;
    }

    /**
     * The overlap after a rotation.
     *
     * @return the duration
     */
    public Duration getOverlap() {
      return overlap;
    }

    /**
     * Sets the overlap after a rotation.
     *
     * @param overlap zero or more
     */
    public void setOverlap(Duration overlap) {
      this.overlap = overlap;
    }

    /**
     * How long not-found is remembered.
     *
     * @return the duration
     */
    public Duration getNegativeTtl() {
      return negativeTtl;
    }

    /**
     * Sets how long not-found is remembered.
     *
     * @param negativeTtl zero or more
     */
    public void setNegativeTtl(Duration negativeTtl) {
      this.negativeTtl = negativeTtl;
    }

    /**
     * The size bound.
     *
     * @return the number of secrets
     */
    public long getMaximumSize() {
      return maximumSize;
    }

    /**
     * Sets the size bound.
     *
     * @param maximumSize at least 1
     */
    public void setMaximumSize(long maximumSize) {
      this.maximumSize = maximumSize;
    }
  }

  /** The AWS backends ({@code secrets.aws.*}); credentials come from the SDK's default chain. */
  public static class Aws {
    /** The region, such as eu-west-1; default the SDK's region chain. */
    private @Nullable String region;
    /** An endpoint override, such as a VPC endpoint or a local emulator. */
    private @Nullable URI endpoint;
    /** A named profile of the shared AWS configuration files. */
    private @Nullable String profile;

    /** Nothing set. */
    public Aws() {}

    /**
     * The region.
     *
     * @return the region, or null
     */
    public @Nullable String getRegion() {
      return region;
    }

    /**
     * Sets the region.
     *
     * @param region such as eu-west-1
     */
    public void setRegion(@Nullable String region) {
      this.region = region;
    }

    /**
     * The endpoint override.
     *
     * @return the endpoint, or null
     */
    public @Nullable URI getEndpoint() {
      return endpoint;
    }

    /**
     * Sets the endpoint override.
     *
     * @param endpoint the endpoint
     */
    public void setEndpoint(@Nullable URI endpoint) {
      this.endpoint = endpoint;
    }

    /**
     * The profile.
     *
     * @return the profile, or null
     */
    public @Nullable String getProfile() {
      return profile;
    }

    /**
     * Sets the profile.
     *
     * @param profile a profile name
     */
    public void setProfile(@Nullable String profile) {
      this.profile = profile;
    }
  }

  /** The Google Cloud backend ({@code secrets.gcp.*}); credentials are Application Default Credentials. */
  public static class Gcp {
    /** The project for short secret names. */
    private @Nullable String project;
    /** A location, for regional secrets and the regional endpoint. */
    private @Nullable String location;
    /** An endpoint override (host:port). */
    private @Nullable String endpoint;
    /** The transport: grpc or http-json. */
    private @Nullable String transport;

    /** Nothing set. */
    public Gcp() {}

    /**
     * The default project.
     *
     * @return the project, or null
     */
    public @Nullable String getProject() {
      return project;
    }

    /**
     * Sets the default project.
     *
     * @param project a project id
     */
    public void setProject(@Nullable String project) {
      this.project = project;
    }

    /**
     * The location.
     *
     * @return the location, or null
     */
    public @Nullable String getLocation() {
      return location;
    }

    /**
     * Sets the location.
     *
     * @param location such as europe-west1
     */
    public void setLocation(@Nullable String location) {
      this.location = location;
    }

    /**
     * The endpoint override.
     *
     * @return host:port, or null
     */
    public @Nullable String getEndpoint() {
      return endpoint;
    }

    /**
     * Sets the endpoint override.
     *
     * @param endpoint host:port
     */
    public void setEndpoint(@Nullable String endpoint) {
      this.endpoint = endpoint;
    }

    /**
     * The transport.
     *
     * @return grpc or http-json, or null
     */
    public @Nullable String getTransport() {
      return transport;
    }

    /**
     * Sets the transport.
     *
     * @param transport grpc or http-json
     */
    public void setTransport(@Nullable String transport) {
      this.transport = transport;
    }
  }

  /** The Azure backend ({@code secrets.azure.*}); credentials are DefaultAzureCredential's. */
  public static class Azure {
    /** The vault URL, such as https://my-vault.vault.azure.net. */
    private @Nullable String vaultUrl;
    /** The tenant id. */
    private @Nullable String tenantId;
    /** The client id of a user-assigned managed identity. */
    private @Nullable String clientId;

    /** Nothing set. */
    public Azure() {}

    /**
     * The vault URL.
     *
     * @return the URL, or null
     */
    public @Nullable String getVaultUrl() {
      return vaultUrl;
    }

    /**
     * Sets the vault URL.
     *
     * @param vaultUrl such as https://my-vault.vault.azure.net
     */
    public void setVaultUrl(@Nullable String vaultUrl) {
      this.vaultUrl = vaultUrl;
    }

    /**
     * The tenant id.
     *
     * @return the id, or null
     */
    public @Nullable String getTenantId() {
      return tenantId;
    }

    /**
     * Sets the tenant id.
     *
     * @param tenantId the id
     */
    public void setTenantId(@Nullable String tenantId) {
      this.tenantId = tenantId;
    }

    /**
     * The managed identity's client id.
     *
     * @return the id, or null
     */
    public @Nullable String getClientId() {
      return clientId;
    }

    /**
     * Sets the managed identity's client id.
     *
     * @param clientId the id
     */
    public void setClientId(@Nullable String clientId) {
      this.clientId = clientId;
    }
  }

  /** The Vault backend ({@code secrets.vault.*}). */
  public static class Vault {
    /** The Vault address, such as https://vault:8200. */
    private @Nullable URI address;
    /** The Vault Enterprise namespace. */
    private @Nullable String namespace;
    /** How the application logs in. */
    private final Auth auth = new Auth();
    /** Mounts of the KV version 2 engine (default secret). */
    private List<String> kvV2Mounts = new ArrayList<>();
    /** Mounts of the KV version 1 engine. */
    private List<String> kvV1Mounts = new ArrayList<>();
    /** Mounts of the database secrets engine (default database). */
    private List<String> databaseMounts = new ArrayList<>();
    /** A PEM file of the CA certificates to trust. */
    private @Nullable Path caPem;
    /** The timeout of each request. */
    private @Nullable Duration requestTimeout;
    /** Whether leases are revoked when the application stops. */
    private @Nullable Boolean revokeOnClose;

    /** Nothing set. */
    public Vault() {}

    /**
     * The address.
     *
     * @return the address, or null
     */
    public @Nullable URI getAddress() {
      return address;
    }

    /**
     * Sets the address.
     *
     * @param address such as https://vault:8200
     */
    public void setAddress(@Nullable URI address) {
      this.address = address;
    }

    /**
     * The namespace.
     *
     * @return the namespace, or null
     */
    public @Nullable String getNamespace() {
      return namespace;
    }

    /**
     * Sets the namespace.
     *
     * @param namespace the namespace
     */
    public void setNamespace(@Nullable String namespace) {
      this.namespace = namespace;
    }

    /**
     * The login.
     *
     * @return the auth properties
     */
    public Auth getAuth() {
      return auth;
    }

    /**
     * The KV v2 mounts.
     *
     * @return the mounts
     */
    public List<String> getKvV2Mounts() {
      return kvV2Mounts;
    }

    /**
     * Sets the KV v2 mounts.
     *
     * @param kvV2Mounts the mounts
     */
    public void setKvV2Mounts(List<String> kvV2Mounts) {
      this.kvV2Mounts = kvV2Mounts;
    }

    /**
     * The KV v1 mounts.
     *
     * @return the mounts
     */
    public List<String> getKvV1Mounts() {
      return kvV1Mounts;
    }

    /**
     * Sets the KV v1 mounts.
     *
     * @param kvV1Mounts the mounts
     */
    public void setKvV1Mounts(List<String> kvV1Mounts) {
      this.kvV1Mounts = kvV1Mounts;
    }

    /**
     * The database mounts.
     *
     * @return the mounts
     */
    public List<String> getDatabaseMounts() {
      return databaseMounts;
    }

    /**
     * Sets the database mounts.
     *
     * @param databaseMounts the mounts
     */
    public void setDatabaseMounts(List<String> databaseMounts) {
      this.databaseMounts = databaseMounts;
    }

    /**
     * The CA bundle.
     *
     * @return the file, or null
     */
    public @Nullable Path getCaPem() {
      return caPem;
    }

    /**
     * Sets the CA bundle.
     *
     * @param caPem a PEM file
     */
    public void setCaPem(@Nullable Path caPem) {
      this.caPem = caPem;
    }

    /**
     * The request timeout.
     *
     * @return the timeout, or null
     */
    public @Nullable Duration getRequestTimeout() {
      return requestTimeout;
    }

    /**
     * Sets the request timeout.
     *
     * @param requestTimeout the timeout
     */
    public void setRequestTimeout(@Nullable Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
    }

    /**
     * Whether leases are revoked at close.
     *
     * @return the flag, or null for the backend's default
     */
    public @Nullable Boolean getRevokeOnClose() {
      return revokeOnClose;
    }

    /**
     * Sets whether leases are revoked at close.
     *
     * @param revokeOnClose the flag
     */
    public void setRevokeOnClose(@Nullable Boolean revokeOnClose) {
      this.revokeOnClose = revokeOnClose;
    }

    /** The Vault login ({@code secrets.vault.auth.*}); secrets are read from files, never from properties. */
    public static class Auth {
      /** The login method: token, approle, kubernetes or jwt. */
      private @Nullable String method;
      /** For token: the file holding the token. */
      private @Nullable Path tokenFile;
      /** For approle: the role id (not secret). */
      private @Nullable String roleId;
      /** For approle: the file holding the secret id. */
      private @Nullable Path secretIdFile;
      /** For kubernetes and jwt: the role. */
      private @Nullable String role;
      /** For kubernetes and jwt: the file holding the JWT (kubernetes: default the service-account token). */
      private @Nullable Path jwtFile;
      /** The auth method's mount, when not the method's name. */
      private @Nullable String mount;

      /** Nothing set. */
      public Auth() {}

      /**
       * The method.
       *
       * @return the method, or null
       */
      public @Nullable String getMethod() {
        return method;
      }

      /**
       * Sets the method.
       *
       * @param method token, approle, kubernetes or jwt
       */
      public void setMethod(@Nullable String method) {
        this.method = method;
      }

      /**
       * The token file.
       *
       * @return the file, or null
       */
      public @Nullable Path getTokenFile() {
        return tokenFile;
      }

      /**
       * Sets the token file.
       *
       * @param tokenFile the file
       */
      public void setTokenFile(@Nullable Path tokenFile) {
        this.tokenFile = tokenFile;
      }

      /**
       * The AppRole role id.
       *
       * @return the id, or null
       */
      public @Nullable String getRoleId() {
        return roleId;
      }

      /**
       * Sets the AppRole role id.
       *
       * @param roleId the id
       */
      public void setRoleId(@Nullable String roleId) {
        this.roleId = roleId;
      }

      /**
       * The AppRole secret id file.
       *
       * @return the file, or null
       */
      public @Nullable Path getSecretIdFile() {
        return secretIdFile;
      }

      /**
       * Sets the AppRole secret id file.
       *
       * @param secretIdFile the file
       */
      public void setSecretIdFile(@Nullable Path secretIdFile) {
        this.secretIdFile = secretIdFile;
      }

      /**
       * The role.
       *
       * @return the role, or null
       */
      public @Nullable String getRole() {
        return role;
      }

      /**
       * Sets the role.
       *
       * @param role the role
       */
      public void setRole(@Nullable String role) {
        this.role = role;
      }

      /**
       * The JWT file.
       *
       * @return the file, or null
       */
      public @Nullable Path getJwtFile() {
        return jwtFile;
      }

      /**
       * Sets the JWT file.
       *
       * @param jwtFile the file
       */
      public void setJwtFile(@Nullable Path jwtFile) {
        this.jwtFile = jwtFile;
      }

      /**
       * The mount.
       *
       * @return the mount, or null
       */
      public @Nullable String getMount() {
        return mount;
      }

      /**
       * Sets the mount.
       *
       * @param mount the mount
       */
      public void setMount(@Nullable String mount) {
        this.mount = mount;
      }
    }
  }

  /** The file backend ({@code secrets.file.*}). */
  public static class File {
    /** The directory the secret files are under; a reference's name is a path relative to it. */
    private @Nullable Path root;

    /** Nothing set. */
    public File() {}

    /**
     * The root directory.
     *
     * @return the directory, or null
     */
    public @Nullable Path getRoot() {
      return root;
    }

    /**
     * Sets the root directory.
     *
     * @param root an existing directory
     */
    public void setRoot(@Nullable Path root) {
      this.root = root;
    }
  }

  /** The auto-configured HikariCP pool ({@code secrets.datasource.*}). */
  public static class Datasource {
    /**
     * The secret whose credentials the pool logs in with and follows, such as aws-sm://prod/db.
     * Without spring.datasource.url, the URL is made from the secret's engine, host, port and
     * dbname fields (AWS RDS's format).
     */
    private @Nullable String secret;
    /** The JSON field of the user name. */
    private String usernameField = "username";
    /** The JSON field of the password. */
    private String passwordField = "password";

    /** Nothing set; fields username and password. */
    public Datasource() {}

    /**
     * The secret.
     *
     * @return the reference, or null
     */
    public @Nullable String getSecret() {
      return secret;
    }

    /**
     * Sets the secret.
     *
     * @param secret a secret reference
     */
    public void setSecret(@Nullable String secret) {
      this.secret = secret;
    }

    /**
     * The user name field.
     *
     * @return the field
     */
    public String getUsernameField() {
      return usernameField;
    }

    /**
     * Sets the user name field.
     *
     * @param usernameField the field
     */
    public void setUsernameField(String usernameField) {
      this.usernameField = usernameField;
    }

    /**
     * The password field.
     *
     * @return the field
     */
    public String getPasswordField() {
      return passwordField;
    }

    /**
     * Sets the password field.
     *
     * @param passwordField the field
     */
    public void setPasswordField(String passwordField) {
      this.passwordField = passwordField;
    }
  }
}
