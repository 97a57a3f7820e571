package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a built-in store reaches its streams from outside a request ({@code d*conn/send!} in
 * Clojure, {@link ConnectionStore#send(Object, Object)} in Java): from a timer, a job, or a worker
 * process that serves no pages. It works from the moment the store exists: a message goes to the
 * other nodes of the store's cluster, if any, whatever this node knows, and to this node's
 * matching streams, written by the store's {@link ConnectionWriter} if it has one, else run as
 * datastar.wow actions through the dispatch of the registry over the store, as if in the request
 * that opened each stream. Each node renders effects for its own streams with its own dispatch.
 *
 * <p>A store learns that dispatch from the first stream its registry stores. Until then it holds no stream
 * the registry stored; a send matching streams stored here by hand fails with {@link
 * CannotRenderException} before anything is sent.
 *
 * <pre>{@code
 * store.send(Deacon.scopedKey(userId, FEED), actions);               // every tab of one user
 * store.send(Deacon.scopedKey(Deacon.WILDCARD, FEED), actions);      // every user's feed
 * }</pre>
 */
public final class Sender {
  private final ConnectionStore store;
  private final @Nullable ConnectionWriter writer;
  private volatile @Nullable Peers peers;
  /** The deliveries through the dispatch of the registry over the store, once it is known. */
  private volatile @Nullable Delivery learned;

  Sender(ConnectionStore store, @Nullable ConnectionWriter writer) {
    this.store = store;
    this.writer = writer;
  }

  /** The store joined a cluster: sends reach its other nodes too. */
  void joined(Peers peers) {
    this.peers = peers;
  }

  /**
   * Remembers the Nexus a registry over the store dispatches through: that of a request's own
   * dispatch, never one of deacon's per-stream dispatches (a render-once delivery adds its own
   * interceptor to it). Costs a read when nothing changed.
   *
   * @param nexus the Nexus of a request's dispatch
   * @param renderOnce the registry's render-once setting
   */
  void learn(IPersistentMap nexus, boolean renderOnce) {
    Delivery l = learned;
    if (l != null && l.nexus == nexus) return;
    learned = Delivery.outside(store, nexus, renderOnce);
  }

  /**
   * Sends {@code message} to every stream stored under a key matching {@code keyOrPattern} (an
   * exact key: every stream of that key; a pattern: see {@link KeyPattern}), on this node and on
   * the other nodes of the store's cluster, each stream once. A stream whose write answers false
   * is removed (cause {@link RemovalCause#DEAD}); other failures are logged; neither stops the
   * others. A failed send to the other nodes is logged, unless the node is disconnected (that was
   * logged once when it happened).
   *
   * @param keyOrPattern a key or a key pattern
   * @param message a vector of datastar.wow actions, or what the store's writer takes
   * @return how many streams on this node the message was written to
   * @throws CannotRenderException when streams here match but the store has neither a writer nor
   *     a registry that handled a request; nothing was sent
   * @throws InvalidInputException when the store is in a cluster and the message, key or pattern
   *     is not data; nothing was sent
   */
  public int send(Object keyOrPattern, Object message) {
    List<Map.Entry<Object, Object>> here = store.connections(keyOrPattern);
    Delivery how = learned;
    if (!here.isEmpty() && writer == null && how == null) throw cannotRender(keyOrPattern);
    SharedHistory h = shared();
    if (h != null) return logged(h, new Push(keyOrPattern, message, here, null), how);
    Peers p = peers;
    if (p != null) toOtherNodes(p, keyOrPattern, message); // not data: throws before any write
    return write(keyOrPattern, here, message, how);
  }

  private @Nullable SharedHistory shared() {
    Replay r = store.policy().replay().orElse(null);
    return r == null ? null : r.shared();
  }

  /**
   * A send with a shared history: rendered here (by the writer, or through the learned dispatch)
   * and appended to the log of each key, which carries it to every node holding the key; a
   * pattern's message first goes to the other nodes, which render it for their own keys. A node
   * that cannot render sends the message to every node, each rendering it for its own keys.
   */
  private int logged(SharedHistory h, Push push, @Nullable Delivery how) {
    if (how != null && writer == null) return how.deliver(push.message, push.target, push.here, push.token);
    if (writer == null) {
      // nothing here renders it: the nodes that hold or held the key do
      if (push.token == null) h.relay(push.target, push.message, SharedHistory.token(), this::report);
      return 0;
    }
    return h.push(push, keys -> sameForEach(keys, List.of(push.message)), this::report);
  }

  private static Map<Object, List<Object>> sameForEach(List<Object> keys, List<Object> events) {
    Map<Object, List<Object>> each = new LinkedHashMap<>();
    for (Object key : keys) each.put(key, events);
    return each;
  }

  /** Logs a failure to reach the other nodes, unless cut off from them (logged once, then). */
  private void report(@Nullable Throwable failure) {
    Peers p = peers;
    if (failure != null && (p == null || p.connected())) Log.error(failure.getMessage(), failure);
  }

  /**
   * A message from another node: {@link #send} to this node's streams only. With a {@code token}
   * (a shared history), rendered here for the keys here and appended to their logs with it.
   */
  int deliver(Object keyOrPattern, Object message, @Nullable String token) {
    List<Map.Entry<Object, Object>> here = store.connections(keyOrPattern);
    Delivery how = learned;
    SharedHistory h = shared();
    if (h != null && token != null) {
      if (writer != null || how != null) return logged(h, new Push(keyOrPattern, message, here, token), how);
      if (!here.isEmpty()) dropped(keyOrPattern);
      return 0;
    }
    if (here.isEmpty() && store.policy().replay().isEmpty()) return 0;
    if (writer == null && how == null) {
      if (!here.isEmpty()) dropped(keyOrPattern);
      return 0;
    }
    return write(keyOrPattern, here, message, how);
  }

  private static void dropped(Object keyOrPattern) {
    Log.error(
        "datastar.wow.deacon: a message from another node for " + Shown.key(keyOrPattern)
            + " matches streams here, but this store has no writer and no registry that handled"
            + " a request; it was dropped");
  }

  private static void toOtherNodes(Peers peers, Object keyOrPattern, Object message) {
    ToOtherNodes.sendOrBroadcast(peers, keyOrPattern, message).whenComplete(
        (nodes, failure) -> {
          // while disconnected every send fails: the disconnection itself was logged once
          if (failure != null && peers.connected()) Log.error(failure.getMessage(), failure);
        });
  }

  /**
   * Writes to the streams here, and with replay records the message in the history of each key it
   * is for, those with no stream open included. Without a writer, through the learned dispatch (if
   * none is known there is nothing here it could be for).
   */
  private int write(
      Object keyOrPattern, List<Map.Entry<Object, Object>> here, Object message, @Nullable Delivery how) {
    ConnectionWriter w = writer;
    Replay r = store.policy().replay().orElse(null);
    if (w == null) return how == null ? 0 : how.deliver(message, keyOrPattern, here, null);
    if (r != null) return recorded(r, keyOrPattern, here, message);
    Set<Object> done = Collections.newSetFromMap(new IdentityHashMap<>());
    int reached = 0;
    for (Map.Entry<Object, Object> pair : here) {
      if (done.add(pair.getValue()) && written(pair, message, null)) reached++;
    }
    return reached;
  }

  /** A writer's message, recorded in each key's history, then written to the key's streams with its id. */
  private int recorded(Replay r, Object keyOrPattern, List<Map.Entry<Object, Object>> here, Object message) {
    int reached = 0;
    for (Object key : r.keysFor(keyOrPattern, here)) {
      Track t = r.recording(key, !r.streams(key).isEmpty());
      if (t == null) continue;
      t.lock.lock();
      try {
        Event e = r.record(t, message);
        for (Object conn : r.streams(key)) {
          if (written(Clj.pair(key, conn), message, e.id)) reached++;
        }
      } finally {
        t.lock.unlock();
      }
    }
    return reached;
  }

  /** One write by the store's writer; a closed stream is removed, a failure logged and kept. */
  private boolean written(Map.Entry<Object, Object> pair, Object message, @Nullable String id) {
    ConnectionWriter w = writer;
    Object conn = pair.getValue();
    try {
      if (w != null && (id == null ? w.write(conn, message) : w.write(conn, message, id))) return true;
      store.purgeConnection(conn, RemovalCause.DEAD);
    } catch (Throwable t) {
      Log.rethrowIfFatal(t);
      Log.error(
          "datastar.wow.deacon: the writer threw for a connection of key " + Shown.key(pair.getKey())
              + "; it was kept, the others were still served",
          t);
    }
    return false;
  }

  private CannotRenderException cannotRender(Object keyOrPattern) {
    return new CannotRenderException(
        "datastar.wow.deacon: send to " + Shown.key(keyOrPattern) + " matches streams of "
            + store + " but has no way to write to them: build the store with writer(...), or"
            + " let a datastar.wow registry over it (Deacon.registry(store)) handle a request"
            + " first, which teaches it the dispatch that renders effects; nothing was sent");
  }
}
