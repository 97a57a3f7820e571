package datastar.wow.deacon.examples;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Reads the example's settings: the port from {@code -Dport}, else {@code PORT}, else 3000; the
 * address to listen on from {@code -Dip}, else {@code IP}, else 127.0.0.1 (this machine only).
 */
final class Config {
  private Config() {}

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
