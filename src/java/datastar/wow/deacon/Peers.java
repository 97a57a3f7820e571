package datastar.wow.deacon;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The other nodes of a cluster, as one store sees them: who else holds a key, how to send to
 * them, and what to tell them when this node's keys change. The store holds its own streams and
 * delivers to them itself; a {@code Peers} carries what must reach streams held elsewhere. It is a
 * plug-in: the library's own, over Redis, is made by {@code
 * datastar.wow.deacon.cluster.ClusterSettings}, and this package knows none of it.
 *
 * <p>A store joins through {@link StoreBuilder#cluster(Factory)}: the factory is given the store's
 * {@link LocalNode} and returns the running {@code Peers}, which the store then tells of every key
 * whose streams changed and closes with itself.
 *
 * <pre>{@code
 * CaffeineStore store = CaffeineStore.builder()
 *     .cluster(ClusterSettings.builder("redis://redis.internal:6379").build())   // a Peers.Factory
 *     .build();
 * store.policy().cluster().ifPresent(peers -> peers.keys(Deacon.scopedKey(Deacon.WILDCARD, feed)));
 * }</pre>
 *
 * <p>Every method may be called from any thread. None of them throws because the other nodes are
 * unreachable: a send or broadcast fails its stage, within {@link #timeout()}.
 */
public interface Peers extends AutoCloseable {
  /**
   * Names this node in its cluster.
   *
   * @return the id the other nodes know this node by
   */
  String node();

  /**
   * Tells whether sends to the other nodes work now.
   *
   * @return true when connected and in step with the other nodes
   */
  boolean connected();

  /**
   * The longest a send, a broadcast or a query waits for the other nodes.
   *
   * @return the timeout, at most a few seconds
   */
  Duration timeout();

  /**
   * The streams under {@code key} on this node changed (one was stored, or removed): the other
   * nodes must learn whether this node still holds the key, which the plug-in reads from {@link
   * LocalNode#holds(Object)}. Returns at once and never throws.
   *
   * @param key the key whose streams changed
   */
  void changed(Object key);

  /**
   * Sends {@code message} to the other nodes holding streams under {@code key}, never to this one.
   *
   * @param key one key, without {@code :*}
   * @param message plain data, e.g. a vector of datastar.wow actions
   * @return completes with how many other nodes were sent it (0: none holds the key), or fails
   *     within {@link #timeout()}
   * @throws InvalidInputException when the key or the message is not data the plug-in can carry;
   *     nothing was sent
   */
  CompletionStage<Integer> send(Object key, Object message);

  /**
   * Sends {@code message} to every other node, which delivers it to its own streams under keys
   * matching {@code pattern}.
   *
   * @param pattern a key pattern (see {@link KeyPattern})
   * @param message plain data
   * @return completes with how many other nodes were sent it, or fails within {@link #timeout()}
   * @throws InvalidInputException when the pattern or the message is not data the plug-in can
   *     carry; nothing was sent
   */
  CompletionStage<Integer> broadcast(Object pattern, Object message);

  /**
   * Lists the keys held by any live node, this one included. Waits at most {@link #timeout()}.
   *
   * @param pattern a key pattern, or an exact key
   * @return the keys matching {@code pattern}, each once
   * @throws RuntimeException when the other nodes cannot be asked in time
   */
  List<Object> keys(Object pattern);

  /**
   * Gives the history this cluster shares, for a store with replay: with one, the store's events
   * get their ids from it and reach every node through it (see {@link SharedLog}); without, each
   * node keeps its own history and a tab that comes back on another node starts afresh.
   *
   * @return the shared log, or empty (the default)
   */
  default Optional<SharedLog> log() {
    return Optional.empty();
  }

  /** Leaves the cluster: this node's keys leave the directory, the connections close. Idempotent. */
  @Override
  void close();

  /** Makes the {@link Peers} of one store, when the store is built. */
  @FunctionalInterface
  interface Factory {
    /**
     * Joins the cluster on behalf of one store; returns at once, connecting in the background.
     *
     * @param local what the store offers the other nodes
     * @return the running peers
     */
    Peers join(LocalNode local);
  }
}
