package datastar.wow.deacon.examples;

/** Reads the example's settings: the port from {@code -Dport}, else {@code PORT}, else 3000. */
final class Config {
  private Config() {}

  /** The port when neither {@code -Dport} nor {@code PORT} is set. */
  static final int DEFAULT_PORT = 3000;

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
}
