package datastar.wow.deacon;

import clojure.lang.Keyword;
import datastar.wow.deacon.cluster.Backplane;
import datastar.wow.deacon.cluster.BackplaneException;
import datastar.wow.deacon.cluster.ClusterSettings;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * What makes a store a member of a cluster: its {@link Backplane} (the directory of which node
 * holds which keys, and the messages between nodes), kept in step with the store. The store tells
 * it of every key whose streams changed; one thread of its own then registers the key if the store
 * still holds a stream under it, or unregisters it, so the directory ends up as the store is,
 * whatever order the changes raced in. A key waits there at most once: a change to a key already
 * waiting is seen by that key's update, so churn on a key faster than Redis answers queues nothing
 * more. A message from another node is delivered to this store's
 * matching streams exactly as a local {@code send} would.
 */
final class ClusterMember implements AutoCloseable {
  private final BaseStore store;
  private final Backplane backplane;
  private final Duration timeout;
  private final ThreadPoolExecutor directory;
  /** Keys whose directory update is queued and has not yet read the store. */
  private final Set<Object> waiting = ConcurrentHashMap.newKeySet();

  private ClusterMember(BaseStore store, ClusterSettings settings) {
    this.store = store;
    this.timeout = settings.sendTimeout();
    this.directory =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread t = new Thread(task, "deacon-directory-" + settings.node());
              t.setDaemon(true);
              return t;
            });
    this.backplane =
        Backplane.start(
            settings,
            (target, isPattern, payload, from) -> store.sendFromPeer(target, payload),
            store::keys,
            ClusterMember::unseen);
  }

  /**
   * Logs a failure of the backplane that no caller hears of: connecting, the lease, the directory,
   * a message refused or not delivered. A failed send, broadcast or query fails its caller's stage,
   * which reports it (to the registry's {@code :on-error} for the interceptor's), so it is not
   * logged here as well.
   */
  private static void unseen(BackplaneException error) {
    Keyword op = error.op();
    if (op == BackplaneException.SEND || op == BackplaneException.BROADCAST || op == BackplaneException.QUERY) {
      return;
    }
    Log.error(error.getMessage(), error);
  }

  /** Starts the backplane of {@code store}; fails at once when Lettuce is not on the classpath. */
  static ClusterMember start(BaseStore store, ClusterSettings settings) {
    return new ClusterMember(store, settings);
  }

  /**
   * The streams under {@code key} changed here: bring the directory in step, off this thread. Once
   * the member is closed there is nothing to bring in step (the node left the cluster, taking its
   * keys out of the directory), and the store's purges go on as in any closed store.
   */
  void changed(Object key) {
    if (!waiting.add(key)) return; // the key's queued update has not read the store yet: it will see this
    try {
      directory.execute(
          () -> {
            waiting.remove(key); // before the read: a change from now on queues another update
            if (store.connectionsOf(key).isEmpty()) backplane.unregister(key);
            else backplane.register(key);
          });
    } catch (RejectedExecutionException closed) {
      waiting.remove(key); // closed: the node has left the cluster
    }
  }

  /** How many directory updates are queued, not yet started (for tests). */
  int directoryBacklog() {
    return directory.getQueue().size();
  }

  /**
   * Sends {@code message} to the other nodes holding {@code key} and waits, at most the send
   * timeout, for how many got it: for a look-up that found nothing here. A failure is reported
   * through {@code onError} and counts as none.
   *
   * @return true when at least one other node holds the key and was sent the message
   * @throws datastar.wow.deacon.cluster.InvalidPayloadException when the message is not data; then
   *     nothing was sent
   */
  boolean sendIfHeld(Object key, Object message, BiConsumer<Throwable, Object> onError, Object ctx) {
    CompletionStage<Integer> sent = backplane.send(key, message);
    try {
      Integer nodes = sent.toCompletableFuture().get(timeout.toMillis() + 50, TimeUnit.MILLISECONDS);
      return nodes != null && nodes > 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      onError.accept(e instanceof ExecutionException ? e.getCause() : e, ctx);
      return false;
    }
  }

  /**
   * Sends {@code message} to the other nodes' streams under {@code keyOrPattern} (an exact key: the
   * nodes holding it; a pattern: every node, which matches it), without waiting. It is checked and
   * encoded here first: a message that is not data throws before anything is sent.
   *
   * @throws datastar.wow.deacon.cluster.InvalidPayloadException when the message is not data
   */
  void send(Object keyOrPattern, Object message, BiConsumer<Throwable, Object> onError, Object ctx) {
    CompletionStage<Integer> sent =
        KeyPattern.hasWildcard(keyOrPattern)
            ? backplane.broadcast(keyOrPattern, message)
            : backplane.send(keyOrPattern, message);
    sent.whenComplete(
        (nodes, failure) -> {
          if (failure != null) onError.accept(failure, ctx);
        });
  }

  /**
   * Lists the cluster's keys.
   *
   * @return the keys matching {@code pattern} held by any live node
   * @throws BackplaneException when Redis does not answer within the send timeout
   */
  List<Object> keys(Object pattern) {
    return backplane.keys(pattern);
  }

  /**
   * Counts the cluster's keys.
   *
   * @return how many keys matching {@code pattern} any live node holds
   * @throws BackplaneException when Redis does not answer within the send timeout
   */
  long count(Object pattern) {
    return backplane.count(pattern);
  }

  /** This node's id in the cluster. */
  String node() {
    return backplane.node();
  }

  /**
   * Logs a failed send made outside a request, unless the node is disconnected: the disconnection
   * itself was logged once, and every send failing while it lasts is its expected consequence.
   */
  void reportUnlessDisconnected(Throwable failure, Object store) {
    if (connected()) RegistryOptions.LOG_ERRORS.accept(failure, store);
  }

  /** Whether the node is connected to Redis and in step with it, so that sends work now. */
  boolean connected() {
    return backplane.connected();
  }

  @Override
  public void close() {
    directory.shutdown();
    try {
      directory.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    backplane.close();
  }


}
