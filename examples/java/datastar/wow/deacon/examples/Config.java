package datastar.wow.deacon.examples;

import datastar.wow.deacon.InvalidInputException;
import datastar.wow.deacon.cluster.ClusterSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads the example's settings, each from a system property ({@code -Dport=3001}), else an
 * environment variable ({@code PORT=3001}), else its default:
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>property</th><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code -Dport}</td><td>{@code PORT}</td><td>3000</td><td>the port</td></tr>
 *   <tr><td>{@code -Dip}</td><td>{@code IP}</td><td>127.0.0.1</td><td>the address to listen on
 *       (0.0.0.0: every interface)</td></tr>
 *   <tr><td>{@code -Dredis}</td><td>{@code REDIS}</td><td>none</td><td>run as one node of a cluster
 *       sharing this Redis, e.g. {@code redis://127.0.0.1:6379}</td></tr>
 *   <tr><td>{@code -Dnode}</td><td>{@code NODE}</td><td>host, pid and random digits</td><td>this
 *       node's id in the cluster</td></tr>
 *   <tr><td>{@code -Dsession-key}</td><td>{@code SESSION_KEY}</td><td>drawn at start</td><td>the
 *       secret session cookies are signed with, at least 16 characters; every node of a cluster
 *       must be given the same</td></tr>
 *   <tr><td>{@code -Dprefix}</td><td>{@code PREFIX}</td><td>{@value #DEFAULT_PREFIX}</td><td>the
 *       cluster's Redis keys and channels start with it</td></tr>
 *   <tr><td>{@code -Dlease-ms}</td><td>{@code LEASE_MS}</td><td>15000</td><td>how long the other
 *       nodes keep routing to a node that stopped answering</td></tr>
 * </table>
 */
final class Config {
  private Config() {}

  /** The cluster's prefix when neither {@code -Dprefix} nor {@code PREFIX} is set. */
  static final String DEFAULT_PREFIX = "deacon-counter";

  /**
   * @param property reads a system property, e.g. {@code System::getProperty}
   * @param env reads an environment variable, e.g. {@code System::getenv}
   * @param tick how often the timer adds one
   * @return the settings these options give
   * @throws IllegalArgumentException naming the option and its value when one is wrong, or when
   *     cluster options are given without {@code -Dredis}, or {@code -Dredis} without a session key
   */
  static Settings settings(
      Function<String, @Nullable String> property, Function<String, @Nullable String> env, Duration tick) {
    InetAddress ip = ip(property.apply("ip"), env.apply("IP"));
    int port = port(property.apply("port"), env.apply("PORT"));
    Option redis = Option.of("redis", "REDIS", property, env);
    Option node = Option.of("node", "NODE", property, env);
    Option prefix = Option.of("prefix", "PREFIX", property, env);
    Option lease = Option.of("lease-ms", "LEASE_MS", property, env);
    Option key = Option.of("session-key", "SESSION_KEY", property, env);
    Settings settings = Settings.of(ip, port, tick);
    if (key.value != null) settings = settings.sessionKey(Sessions.checkSecret(key.name, key.value));
    if (redis.value == null) {
      for (Option o : new Option[] {node, prefix, lease}) {
        if (o.value != null) {
          throw new IllegalArgumentException(o.name + ": a cluster option, given without -Dredis (or REDIS)");
        }
      }
      return settings;
    }
    if (key.value == null) {
      throw new IllegalArgumentException(
          redis.name + ": the nodes of a cluster must accept each other's session cookies: give every"
              + " node the same -Dsession-key (or SESSION_KEY), at least 16 characters");
    }
    ClusterSettings.Builder cluster;
    try {
      cluster = ClusterSettings.builder(redis.value);
    } catch (InvalidInputException e) {
      throw refused(redis, e);
    }
    try {
      cluster.prefix(prefix.value == null ? DEFAULT_PREFIX : prefix.value);
    } catch (InvalidInputException e) {
      throw refused(prefix, e);
    }
    if (node.value != null) {
      try {
        cluster.node(node.value);
      } catch (InvalidInputException e) {
        throw refused(node, e);
      }
    }
    if (lease.value != null) {
      try {
        cluster.lease(Duration.ofMillis(Long.parseLong(lease.value.trim())));
      } catch (NumberFormatException | InvalidInputException e) {
        IllegalArgumentException bad =
            new IllegalArgumentException(
                lease.name + ": expected milliseconds from 1000 to 3600000, got \"" + lease.value + "\"");
        bad.initCause(e);
        throw bad;
      }
    }
    return settings.cluster(cluster.build(), key.value);
  }

  private static IllegalArgumentException refused(Option option, InvalidInputException e) {
    String reason = String.valueOf(e.getMessage());
    int refused = reason.indexOf(" refused: ");
    if (refused >= 0) reason = reason.substring(refused + " refused: ".length());
    IllegalArgumentException bad =
        new IllegalArgumentException(option.name + ": " + reason + ", got \"" + shown(option) + "\"");
    bad.initCause(e);
    return bad;
  }

  // A Redis URI's password is never shown.
  private static String shown(Option option) {
    String v = String.valueOf(option.value);
    int at = v.lastIndexOf('@');
    int scheme = v.indexOf("://");
    return at > scheme && scheme >= 0 ? v.substring(0, scheme + 3) + "***" + v.substring(at) : v;
  }

  /** One option's value and the name it was given under, for messages. */
  private static final class Option {
    final String name;
    final @Nullable String value;

    private Option(String name, @Nullable String value) {
      this.name = name;
      this.value = value;
    }

    static Option of(
        String property, String variable, Function<String, @Nullable String> properties,
        Function<String, @Nullable String> env) {
      String p = properties.apply(property);
      if (p != null) return new Option("-D" + property, p);
      return new Option(variable, env.apply(variable));
    }
  }

  /** The port when neither {@code -Dport} nor {@code PORT} is set. */
  static final int DEFAULT_PORT = 3000;

  /** The address when neither {@code -Dip} nor {@code IP} is set: loopback, this machine only. */
  static final String DEFAULT_IP = "127.0.0.1";

  // IP literals only: a host name would be looked up in DNS, and could name any interface.
  private static final Pattern IPV4 =
      Pattern.compile("(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  /**
   * @param property the value of {@code -Dport}, or null
   * @param env the value of the {@code PORT} environment variable, or null
   * @return the port to listen on
   * @throws IllegalArgumentException naming the setting and its value when it is not a port
   */
  static int port(String property, String env) {
    if (property != null) return parsePort("-Dport", property);
    if (env != null) return parsePort("PORT", env);
    return DEFAULT_PORT;
  }

  /**
   * @param property the value of {@code -Dip}, or null
   * @param env the value of the {@code IP} environment variable, or null
   * @return the address to listen on, e.g. 0.0.0.0 for every interface
   * @throws IllegalArgumentException naming the setting and its value when it is not an IPv4 or
   *     IPv6 address (host names are refused)
   */
  static InetAddress ip(String property, String env) {
    if (property != null) return parseIp("-Dip", property);
    if (env != null) return parseIp("IP", env);
    return defaultIp();
  }

  /** @return {@value #DEFAULT_IP} */
  static InetAddress defaultIp() {
    return parseIp("default", DEFAULT_IP);
  }

  private static int parsePort(String option, String value) {
    int port;
    try {
      port = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + ": expected a port number from 0 to 65535, got \"" + value + "\"", e);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          option + ": expected a port number from 0 to 65535, got " + port);
    }
    return port;
  }

  private static InetAddress parseIp(String option, String value) {
    String ip = value.trim();
    IllegalArgumentException bad =
        new IllegalArgumentException(
            option + ": expected an IP address such as 127.0.0.1 or ::1, got \"" + value + "\"");
    // Either pattern makes getAllByName parse a literal, never ask DNS.
    if (!IPV4.matcher(ip).matches() && !IPV6.matcher(ip).matches()) throw bad;
    try {
      return InetAddress.getAllByName(ip)[0]; // a literal: exactly one
    } catch (UnknownHostException e) {
      bad.initCause(e);
      throw bad;
    }
  }
}
