package datastar.wow.deacon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a store can do beyond the {@link ConnectionStore} contract, as it reports it through {@link
 * ConnectionStore#policy()}: the registry, deliveries and the Clojure namespace learn every
 * capability here, so a store of your own is treated exactly as far as it reports. Each part that
 * only some stores have is an {@link Optional}, empty unless a store says otherwise.
 *
 * <table>
 *   <caption>Capabilities</caption>
 *   <tr><th>method</th><th>built-in stores</th><th>{@link #basic basic} (a store of your own)</th></tr>
 *   <tr><td>{@link #fanOut()}</td><td>as built ({@code fanOut(true)}, {@code :fan-out?})</td>
 *       <td>as given</td></tr>
 *   <tr><td>{@link #connectionsQuietly(Object)}</td><td>a read that is no use of the key</td>
 *       <td>{@link ConnectionStore#connections(Object)}</td></tr>
 *   <tr><td>{@link #ownership()}</td><td>present</td><td>empty: the registry keeps owners in a
 *       table of its own</td></tr>
 *   <tr><td>{@link #sender()}</td><td>present</td><td>empty: {@code send} is refused</td></tr>
 *   <tr><td>{@link #replay()}</td><td>present when built with {@code replay(...)}</td>
 *       <td>empty</td></tr>
 *   <tr><td>{@link #cluster()}</td><td>present when built with {@code cluster(...)}</td>
 *       <td>empty</td></tr>
 * </table>
 *
 * <pre>{@code
 * StorePolicy policy = store.policy();
 * if (policy.fanOut()) ...                                   // a key holds every tab
 * policy.cluster().ifPresent(peers -> log.info("node {}", peers.node()));
 * }</pre>
 */
public interface StorePolicy {
  /**
   * Tells whether a key keeps every connection stored under it (every tab of a user) instead of
   * replacing the older one; the registry then runs a keyed response's effects on each of them.
   *
   * @return true for a fan-out store
   */
  boolean fanOut();

  /**
   * Reads the connections stored under exactly {@code key} without counting the read as a use of
   * the key: no access recorded for idle expiry, no hit or miss in the statistics. The registry
   * reads a key this way on every effects dispatch of a keyed response, whose request already
   * looked the key up or stored it.
   *
   * @param key a key (not a pattern)
   * @return the key's connections, oldest first; empty when none
   */
  List<Object> connectionsQuietly(Object key);

  /**
   * Gives owner-safe writes, if the store has them.
   *
   * @return the store's {@link Ownership}, or empty (the default)
   */
  default Optional<Ownership> ownership() {
    return Optional.empty();
  }

  /**
   * Gives the store's way to send to its connections from outside a request ({@code
   * d*conn/send!}), if it has one.
   *
   * @return the store's {@link Sender}, or empty (the default)
   */
  default Optional<Sender> sender() {
    return Optional.empty();
  }

  /**
   * Gives the store's history of what it sent, if it keeps one ({@code :replay}).
   *
   * @return the store's {@link Replay}, or empty (the default)
   */
  default Optional<Replay> replay() {
    return Optional.empty();
  }

  /**
   * Gives the other nodes of the store's cluster, if it is a member of one.
   *
   * @return the store's {@link Peers}, or empty (the default)
   */
  default Optional<Peers> cluster() {
    return Optional.empty();
  }

  /**
   * The policy of a store that has none of the optional capabilities: quiet reads are ordinary
   * reads ({@link ConnectionStore#connections(Object)}), and the registry keeps the owners of the
   * connections it stores in a table of its own.
   *
   * @param store the store
   * @param fanOut whether the store keeps every connection stored under a key; such a store
   *     answers {@code connections(key)} with every one of them
   * @return a policy reporting {@code fanOut} and nothing else
   */
  static StorePolicy basic(ConnectionStore store, boolean fanOut) {
    return new StorePolicy() {
      @Override
      public boolean fanOut() {
        return fanOut;
      }

      @Override
      public List<Object> connectionsQuietly(Object key) {
        List<Object> conns = new ArrayList<>();
        for (Map.Entry<Object, Object> pair : store.connections(key)) conns.add(pair.getValue());
        return conns;
      }
    };
  }
}
