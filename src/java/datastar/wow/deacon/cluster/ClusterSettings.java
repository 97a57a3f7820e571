package datastar.wow.deacon.cluster;

import datastar.wow.deacon.InvalidInputException;
import datastar.wow.deacon.LocalNode;
import datastar.wow.deacon.Peers;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The settings of one node of a cluster over a Redis, and the {@link Peers.Factory} that joins it:
 * give them to a store builder's {@code cluster(...)}. They are checked when they are made: a bad
 * value fails at once with an {@link InvalidInputException} naming the setting and the value
 * (passwords in URIs are never shown). In Clojure they are the {@code :cluster} map of a store's
 * options, whose keys the table gives too.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>Java</th><th>Clojure</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link #builder(String) builder(uri)}</td><td>{@code :redis}</td><td>required</td>
 *       <td>{@code redis://[[user]:password@]host[:port][/db]} or {@code rediss://...} for
 *       TLS</td></tr>
 *   <tr><td>{@link Builder#node}</td><td>{@code :node}</td><td>host name, process id and random
 *       letters</td><td>this node's id, unique in the cluster: letters, digits, {@code . _ -}, at
 *       most 100</td></tr>
 *   <tr><td>{@link Builder#prefix}</td><td>{@code :prefix}</td><td>{@code "deacon"}</td><td>the
 *       first part of every Redis key and channel name: apps sharing one Redis keep apart by prefix
 *       (pub/sub ignores the database number, so the prefix is what separates them)</td></tr>
 *   <tr><td>{@link Builder#lease}</td><td>{@code :lease-ms}</td><td>15 s</td><td>how long the
 *       cluster trusts this node without news from it; refreshed every third of it; 1 s to 1
 *       h</td></tr>
 *   <tr><td>{@link Builder#sendTimeout}</td><td>{@code :send-timeout-ms}</td><td>500 ms</td><td>the
 *       longest a send, a broadcast or a directory query waits for Redis; 1 ms to 1 s</td></tr>
 *   <tr><td>{@link Builder#maxMessageBytes}</td><td>{@code :max-message-bytes}</td><td>1048576</td>
 *       <td>the largest encoded message sent or accepted, enforced by the sender and by every
 *       receiver; 1 KiB to 512 MiB</td></tr>
 *   <tr><td>{@link Builder#caCertificate}</td><td>{@code :ca-certificate}</td><td>the JVM's trusted
 *       roots</td><td>with {@code rediss://}: a PEM file of the certificates that sign the
 *       server's; the server's name must match its certificate</td></tr>
 * </table>
 *
 * <pre>{@code
 * ClusterSettings s = ClusterSettings.builder("redis://:secret@redis.internal:6379")
 *     .prefix("shop")
 *     .lease(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 *
 * <pre>{@code
 * (d*conn/store {:type :caffeine
 *                :cluster {:redis "rediss://redis.internal:6380" :prefix "shop" :lease-ms 10000}})
 * }</pre>
 */
public final class ClusterSettings implements Peers.Factory {
  /** The prefix used when none is given. */
  public static final String DEFAULT_PREFIX = "deacon";
  /** The lease used when none is given. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);
  /** The send timeout used when none is given. */
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofMillis(500);
  /** The message size cap used when none is given: 1 MiB. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern DATABASE = Pattern.compile("/?|/[0-9]{1,5}");
  private static final Duration MIN_LEASE = Duration.ofSeconds(1);
  private static final Duration MAX_LEASE = Duration.ofHours(1);
  private static final Duration MAX_SEND_TIMEOUT = Duration.ofSeconds(1);
  private static final int MIN_MESSAGE_BYTES = 1024;
  private static final int MAX_MESSAGE_BYTES_LIMIT = 512 << 20;

  final String redisUri;
  private final String shownUri;
  private final String node;
  private final String prefix;
  final Duration lease;
  final Duration sendTimeout;
  final int maxMessageBytes;
  final @Nullable Path caCertificate;
  /** How much of each key's events the nodes keep: the joining store's replay settings. */
  final HistoryShape history;

  private ClusterSettings(Builder b) {
    this.history = HistoryShape.NONE;
    this.redisUri = b.redisUri;
    this.shownUri = redact(b.redisUri);
    this.node = b.node != null ? b.node : defaultNode();
    this.prefix = b.prefix;
    this.lease = b.lease;
    this.sendTimeout = b.sendTimeout;
    this.maxMessageBytes = b.maxMessageBytes;
    this.caCertificate = b.caCertificate;
    if (caCertificate != null && !b.redisUri.regionMatches(true, 0, "rediss:", 0, 7)) {
      throw InvalidInputException.ofCall(
          "caCertificate", caCertificate.toString(), "is read only with a rediss:// URI");
    }
  }

  /** These settings, for a store keeping {@code history}. */
  private ClusterSettings(ClusterSettings base, HistoryShape history) {
    this.redisUri = base.redisUri;
    this.shownUri = base.shownUri;
    this.node = base.node;
    this.prefix = base.prefix;
    this.lease = base.lease;
    this.sendTimeout = base.sendTimeout;
    this.maxMessageBytes = base.maxMessageBytes;
    this.caCertificate = base.caCertificate;
    this.history = history;
  }

  /** These settings, for a store that keeps {@code history} (shared through Redis). */
  ClusterSettings keeping(HistoryShape history) {
    return new ClusterSettings(this, history);
  }

  /**
   * Starts settings for the Redis server at {@code redisUri}.
   *
   * @param redisUri {@code redis://} or {@code rediss://} URI, with the password if the server
   *     asks for one
   * @return a builder holding the defaults for everything else
   * @throws InvalidInputException when the URI is not one the backplane can use
   */
  public static Builder builder(String redisUri) {
    return new Builder(redisUri);
  }

  /**
   * The Redis URI with any password replaced by {@code ***}, for logs and messages.
   *
   * @return the URI without its password
   */
  public String shownUri() {
    return shownUri;
  }

  /**
   * This node's id in the cluster.
   *
   * @return the id
   */
  public String node() {
    return node;
  }

  /**
   * Joins the cluster on behalf of one store: connects to Redis in the background and returns at
   * once. Store builders call it; see {@link Peers.Factory}.
   *
   * @param local what the store offers the other nodes
   * @return the store's peers
   * @throws IllegalStateException naming the dependency to add when Lettuce is not on the
   *     classpath
   */
  @Override
  public Peers join(LocalNode local) {
    return new RedisPeers(this, local);
  }

  /**
   * The first part of every Redis key and channel name of this node's cluster.
   *
   * @return the prefix
   */
  public String prefix() {
    return prefix;
  }

  @Override
  public String toString() {
    return "ClusterSettings{uri="
        + shownUri
        + ", node="
        + node
        + ", prefix="
        + prefix
        + ", lease="
        + lease.toMillis()
        + "ms, sendTimeout="
        + sendTimeout.toMillis()
        + "ms, maxMessageBytes="
        + maxMessageBytes
        + (caCertificate != null ? ", caCertificate=" + caCertificate : "")
        + "}";
  }

  /**
   * A default node id: the host's name, the process id and eight random hex digits, so two
   * processes on one host, or one process restarted, never share an id.
   */
  static String defaultNode() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isEmpty()) host = System.getenv("COMPUTERNAME");
    if (host == null || host.isEmpty()) host = "node";
    host = host.replaceAll("[^A-Za-z0-9._-]", "_");
    if (host.length() > 60) host = host.substring(0, 60);
    int random = new SecureRandom().nextInt();
    return host + "-" + ProcessHandle.current().pid() + "-" + String.format(Locale.ROOT, "%08x", random);
  }

  /** Replaces the password of a URI's user info, if any, with {@code ***}. */
  static String redact(String uri) {
    if (uri == null) return null;
    int scheme = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    if (scheme < 0 || at < scheme) return uri;
    String userInfo = uri.substring(scheme + 3, at);
    int colon = userInfo.indexOf(':');
    // redis://secret@host: Lettuce reads a user info without a colon as a password
    String user = colon < 0 ? "" : userInfo.substring(0, colon);
    return uri.substring(0, scheme + 3) + user + ":***" + uri.substring(at);
  }

  static void checkUri(String uri) {
    if (uri == null) {
      throw InvalidInputException.ofCall("builder", null, "must be a redis:// or rediss:// URI");
    }
    String shown = redact(uri);
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw InvalidInputException.ofCall("builder", shown, "is not a URI (" + e.getReason() + ")");
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw InvalidInputException.ofCall("builder", shown, "must start with redis:// (plain) or rediss:// (TLS)");
    }
    if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
      throw InvalidInputException.ofCall("builder", shown, "must name a host, e.g. redis://127.0.0.1:6379");
    }
    if (parsed.getPort() == 0 || parsed.getPort() > 65535) {
      throw InvalidInputException.ofCall("builder", shown, "must have a port from 1 to 65535");
    }
    String path = parsed.getRawPath() == null ? "" : parsed.getRawPath();
    if (!DATABASE.matcher(path).matches()) {
      throw InvalidInputException.ofCall("builder", shown, "may end only with a database number, e.g. redis://host:6379/0");
    }
    if (parsed.getRawQuery() != null || parsed.getRawFragment() != null) {
      throw InvalidInputException.ofCall("builder", shown, "must have no query or fragment: timeouts and TLS are settings");
    }
  }

  static String checkName(String setter, String value, int max) {
    if (value == null || value.length() > max || !NAME.matcher(value).matches()) {
      throw InvalidInputException.ofCall(
          setter, value, "must be 1 to " + max + " letters, digits, '.', '_' or '-'");
    }
    return value;
  }

  /** Builds {@link ClusterSettings}; each setter checks its value at once. */
  public static final class Builder {
    final String redisUri;
    private String node;
    private String prefix = DEFAULT_PREFIX;
    private Duration lease = DEFAULT_LEASE;
    private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private Path caCertificate;

    private Builder(String redisUri) {
      checkUri(redisUri);
      this.redisUri = redisUri;
    }

    /**
     * Sets this node's id; by default one is made from the host name, the process id and random
     * digits.
     *
     * @param node 1 to 100 letters, digits, {@code .}, {@code _} or {@code -}
     * @return this builder
     */
    public Builder node(String node) {
      this.node = checkName("node", node, 100);
      return this;
    }

    /**
     * Sets the prefix of every Redis key and channel name.
     *
     * @param prefix 1 to 64 letters, digits, {@code .}, {@code _} or {@code -}
     * @return this builder
     */
    public Builder prefix(String prefix) {
      this.prefix = checkName("prefix", prefix, 64);
      return this;
    }

    /**
     * Sets the lease: how long the cluster keeps routing to this node without a refresh from it.
     *
     * @param lease from 1 second to 1 hour
     * @return this builder
     */
    public Builder lease(Duration lease) {
      if (lease == null || lease.compareTo(MIN_LEASE) < 0 || lease.compareTo(MAX_LEASE) > 0) {
        throw InvalidInputException.ofCall("lease", lease, "must be from 1 second to 1 hour");
      }
      this.lease = lease;
      return this;
    }

    /**
     * Sets the longest a send, a broadcast or a directory query waits for Redis.
     *
     * @param sendTimeout from 1 millisecond to 1 second
     * @return this builder
     */
    public Builder sendTimeout(Duration sendTimeout) {
      if (sendTimeout == null
          || sendTimeout.toMillis() < 1
          || sendTimeout.compareTo(MAX_SEND_TIMEOUT) > 0) {
        throw InvalidInputException.ofCall(
            "sendTimeout",
            sendTimeout,
            "must be from 1 millisecond to 1 second: a send fails fast rather than hold its caller");
      }
      this.sendTimeout = sendTimeout;
      return this;
    }

    /**
     * Sets the largest encoded message, in bytes, that is sent or accepted.
     *
     * @param maxMessageBytes from 1024 to 536870912
     * @return this builder
     */
    public Builder maxMessageBytes(int maxMessageBytes) {
      if (maxMessageBytes < MIN_MESSAGE_BYTES || maxMessageBytes > MAX_MESSAGE_BYTES_LIMIT) {
        throw InvalidInputException.ofCall(
            "maxMessageBytes", maxMessageBytes, "must be from 1024 to 536870912 (bytes)");
      }
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    /**
     * Sets the PEM file of the certificates that sign the server's, for {@code rediss://}.
     *
     * @param pemFile a readable file
     * @return this builder
     */
    public Builder caCertificate(Path pemFile) {
      if (pemFile == null || !Files.isReadable(pemFile)) {
        throw InvalidInputException.ofCall(
            "caCertificate", pemFile == null ? null : pemFile.toString(), "must be a readable PEM file");
      }
      this.caCertificate = pemFile;
      return this;
    }

    /**
     * Makes the settings.
     *
     * @return the settings
     * @throws InvalidInputException when a CA certificate is given with a plain redis:// URI
     */
    public ClusterSettings build() {
      return new ClusterSettings(this);
    }
  }
}
