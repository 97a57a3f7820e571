package datastar.wow.deacon.examples;

import datastar.wow.deacon.cluster.ClusterSettings;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How the server runs. {@link #of} gives the main program's timings; tests shorten them. With
 * {@link #cluster} the server is one node of a cluster sharing a Redis; its nodes must then share a
 * {@link #sessionKey}, so that a session cookie one node issued is a session on every node.
 *
 * @param ip the address to listen on
 * @param port the port, or 0 for any free port
 * @param tick how often the timer adds one
 * @param heartbeat how often the store probes every stream; in a cluster, also how often the store
 *     panel looks again at the other nodes' keys
 * @param graceTicks how many ticks without a tab open the timer runs on before it stops
 * @param keep how long a stopped count nobody watches is kept
 * @param panelDelay how long a change waits before the store panel is sent, so that a burst of
 *     changes costs one panel
 * @param cluster the cluster this server is a node of, or null for a server on its own
 * @param sessionKey the secret session cookies are signed with, or null for one drawn at start
 */
record Settings(
    InetAddress ip,
    int port,
    Duration tick,
    Duration heartbeat,
    int graceTicks,
    Duration keep,
    Duration panelDelay,
    @Nullable ClusterSettings cluster,
    @Nullable String sessionKey) {
  Settings {
    for (Duration d : List.of(tick, heartbeat, keep)) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("expected a positive duration, got " + d);
      }
    }
    if (panelDelay.isNegative()) throw new IllegalArgumentException("panelDelay: negative: " + panelDelay);
    if (graceTicks < 1) throw new IllegalArgumentException("graceTicks: at least 1, got " + graceTicks);
    if (sessionKey != null) Sessions.checkSecret("sessionKey", sessionKey);
  }

  /**
   * @param ip the address to listen on
   * @param port the port, or 0 for any free port
   * @param tick how often the timer adds one
   * @return the settings of a server on its own, with a 5-second heartbeat, 60 ticks' grace (a tab's
   *     stream closes while the tab is hidden: a counter runs on while its user looks elsewhere for
   *     a while), 10 minutes' keep and panels 100 ms after a change
   */
  static Settings of(InetAddress ip, int port, Duration tick) {
    return new Settings(
        ip, port, tick, Duration.ofSeconds(5), 60, Duration.ofMinutes(10), Duration.ofMillis(100), null, null);
  }

  Settings heartbeat(Duration heartbeat) {
    return new Settings(ip, port, tick, heartbeat, graceTicks, keep, panelDelay, cluster, sessionKey);
  }

  Settings graceTicks(int graceTicks) {
    return new Settings(ip, port, tick, heartbeat, graceTicks, keep, panelDelay, cluster, sessionKey);
  }

  Settings keep(Duration keep) {
    return new Settings(ip, port, tick, heartbeat, graceTicks, keep, panelDelay, cluster, sessionKey);
  }

  Settings panelDelay(Duration panelDelay) {
    return new Settings(ip, port, tick, heartbeat, graceTicks, keep, panelDelay, cluster, sessionKey);
  }

  /**
   * @param cluster the cluster to join
   * @param sessionKey the session secret every node of that cluster shares
   * @return these settings, as a node of {@code cluster}
   */
  Settings cluster(ClusterSettings cluster, String sessionKey) {
    return new Settings(ip, port, tick, heartbeat, graceTicks, keep, panelDelay, cluster, sessionKey);
  }

  Settings sessionKey(@Nullable String sessionKey) {
    return new Settings(ip, port, tick, heartbeat, graceTicks, keep, panelDelay, cluster, sessionKey);
  }
}
