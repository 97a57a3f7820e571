package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/** What the built-in stores share: listings, removal reporting, the heartbeat and closing. */
abstract class BaseStore implements ConnectionStore, Ownership {
  private static final Keyword SIZE = Keyword.intern("size");
  private static final Keyword REMOVALS = Keyword.intern("removals");
  private static final Keyword CLUSTER = Keyword.intern("cluster");
  private static final Keyword NODE = Keyword.intern("node");
  private static final Keyword CONNECTED = Keyword.intern("connected");

  final Removals removals;
  final boolean fanOut;
  private final @Nullable ConnectionWriter writer;
  private volatile boolean closed;
  /** The Nexus the store's datastar.wow registry dispatches through, once it has seen a keyed response. */
  private volatile @Nullable IPersistentMap nexus;
  private volatile @Nullable Heartbeat heartbeat;
  private volatile @Nullable ClusterMember cluster;

  BaseStore(StoreBuilder<?> settings, Removals removals) {
    this.removals = removals;
    this.fanOut = settings.fanOut;
    this.writer = settings.writer;
  }

  /**
   * Starts the heartbeat and the cluster membership the settings ask for; builders call it once the
   * store is constructed.
   */
  final void start(StoreBuilder<?> settings) {
    if (settings.cluster != null) cluster = ClusterMember.start(this, settings.cluster);
    if (settings.heartbeatInterval != null && settings.probe != null) {
      heartbeat = Heartbeat.start(this, settings.heartbeatInterval, settings.probe);
    }
  }

  /** The store's cluster membership, or null. */
  final @Nullable ClusterMember cluster() {
    return cluster;
  }

  /** The connections under {@code key} changed: a cluster member brings its directory in step. */
  final void changed(Object key) {
    ClusterMember c = cluster;
    if (c != null) c.changed(key);
  }

  /** Calls {@code visit} with each stored (key, connection) pair, from a consistent or weakly consistent view. */
  abstract void forEachConnection(BiConsumer<Object, Object> visit);

  /** Every connection stored under exactly {@code key}, oldest first. */
  abstract List<Object> connectionsOf(Object key);

  /**
   * {@link #connectionsOf}, read without counting as a use of the key: no access recorded for idle
   * expiry, no hit or miss in the stats. For the interceptor's check on every effects dispatch of a
   * keyed response, whose request already looked the key up or stored it.
   */
  List<Object> connectionsQuietly(Object key) {
    return connectionsOf(key);
  }

  /** Who stored {@code connection} under {@code key}: the request that opened it, or null. */
  abstract @Nullable Object ownerOf(Object key, Object connection);

  /**
   * Remembers the Nexus a registry over this store dispatches through, for {@link #send}: that of a
   * request's own dispatch, never that of one of deacon's per-stream dispatches (a render-once
   * delivery adds its own interceptor to it, and a send through it would add that interceptor twice
   * and write to the first stream only).
   */
  final void dispatchesThrough(@Nullable Object nexus) {
    if (nexus instanceof IPersistentMap && nexus != this.nexus) this.nexus = (IPersistentMap) nexus;
  }

  /**
   * Removes {@code connection} from every key holding it and reports each removal with {@code
   * cause}.
   *
   * @return how many keys it was removed from
   */
  abstract int purgeConnection(Object connection, RemovalCause cause);

  @Override
  public Object store(Object key, Object connection) {
    return store(key, connection, null);
  }

  @Override
  public boolean fanOut() {
    return fanOut;
  }

  @Override
  public Optional<Ownership> ownership() {
    return Optional.of(this);
  }

  /** Throws when the store is closed; every write path that adds a connection calls it. */
  final void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(
          "datastar.wow.deacon: " + this + " is closed; it takes no more connections");
    }
  }

  @Override
  public List<Object> keys() {
    Set<Object> keys = new LinkedHashSet<>();
    forEachConnection((key, conn) -> keys.add(key));
    return Clj.vector(new ArrayList<>(keys));
  }

  @Override
  public List<Object> keys(Object pattern) {
    if (!KeyPattern.hasWildcard(pattern)) {
      return Clj.vector(
          connection(pattern) == null
              ? Collections.emptyList()
              : Collections.singletonList(pattern));
    }
    Set<Object> keys = new LinkedHashSet<>();
    forEachConnection(
        (key, conn) -> {
          if (KeyPattern.matches(pattern, key)) keys.add(key);
        });
    return Clj.vector(new ArrayList<>(keys));
  }

  @Override
  public List<Map.Entry<Object, Object>> connections(Object pattern) {
    List<Map.Entry<Object, Object>> pairs = new ArrayList<>();
    if (!KeyPattern.hasWildcard(pattern)) {
      for (Object conn : connectionsOf(pattern)) pairs.add(Clj.pair(pattern, conn));
    } else {
      forEachConnection(
          (key, conn) -> {
            if (KeyPattern.matches(pattern, key)) pairs.add(Clj.pair(key, conn));
          });
    }
    return Collections.unmodifiableList(pairs);
  }

  @Override
  public int count() {
    int[] n = {0};
    forEachConnection((key, conn) -> n[0]++);
    return n[0];
  }

  @Override
  public int count(Object pattern) {
    if (pattern == Names.WILDCARD) return count();
    if (!KeyPattern.hasWildcard(pattern)) return connectionsOf(pattern).size();
    int[] n = {0};
    forEachConnection(
        (key, conn) -> {
          if (KeyPattern.matches(pattern, key)) n[0]++;
        });
    return n[0];
  }

  @Override
  public int purgeConnection(Object connection) {
    return purgeConnection(connection, RemovalCause.EXPLICIT);
  }

  /**
   * Describes the store's state.
   *
   * @return {@code :size} (connections here) and {@code :removals} (cause to count); for a cluster
   *     member also {@code :cluster}, with this node's id ({@code :node}) and whether it is
   *     connected to Redis and in step with it ({@code :connected})
   */
  @Override
  public IPersistentMap stats() {
    IPersistentMap stats =
        PersistentArrayMap.createAsIfByAssoc(
            new Object[] {SIZE, (long) count(), REMOVALS, removals.counts()});
    ClusterMember c = cluster;
    if (c == null) return stats;
    return stats.assoc(
        CLUSTER,
        PersistentArrayMap.createAsIfByAssoc(
            new Object[] {NODE, c.node(), CONNECTED, c.connected()}));
  }

  /**
   * Writes {@code message} to every connection stored under a key matching {@code keyOrPattern}
   * (an exact key: every connection of that key; a pattern: see {@link KeyPattern}), each
   * connection once. A connection whose write answers false is removed (cause {@link
   * RemovalCause#DEAD}); one whose write fails otherwise is logged and kept; neither stops the
   * others. Connections stored or removed while it runs are either reached or not, never twice.
   *
   * <p>The write is the store's {@link ConnectionWriter}, if it was built with one. Otherwise, once
   * a datastar.wow registry over this store has handled a response naming one of deacon's keys,
   * {@code message} is a vector of
   * datastar.wow actions, and they run on each connection through that registry's dispatch, as if
   * in the request that opened it (this is {@code d*conn/send!}).
   *
   * <pre>{@code
   * store.send(Deacon.scopedKey(userId, FEED), event);               // every tab of one user
   * store.send(Deacon.scopedKey(Deacon.WILDCARD, FEED), event);      // every user's feed
   * }</pre>
   *
   * @param keyOrPattern a key or a key pattern
   * @param message what to write; the writer decides what it means
   * @return how many connections the message was written to
   * @throws IllegalStateException when the store was built without {@code writer(...)}
   */
  public int send(Object keyOrPattern, Object message) {
    ClusterMember c = cluster;
    // the other nodes first: a message that is not data fails here, before anything is sent
    if (c != null) c.send(keyOrPattern, message, c::reportUnlessDisconnected, this);
    return sendLocally(keyOrPattern, message);
  }

  /**
   * A message another node of the cluster sent: {@link #sendLocally}, except that a store that knows
   * no way to write yet (no writer, and no registry over it has stored a stream) holds no stream the
   * message could be for, and takes it quietly when it has none at all under {@code keyOrPattern}.
   */
  final int sendFromPeer(Object keyOrPattern, Object message) {
    if (writer == null && nexus == null && connections(keyOrPattern).isEmpty()) return 0;
    return sendLocally(keyOrPattern, message);
  }

  /** {@link #send}, to this node's connections only. */
  final int sendLocally(Object keyOrPattern, Object message) {
    ConnectionWriter w = writer;
    IPersistentMap n = nexus;
    if (w == null && n != null) {
      return new Delivery(this, RegistryOptions.LOG_ERRORS).deliver(n, message, connections(keyOrPattern));
    }
    if (w == null) {
      throw new IllegalStateException(
          "datastar.wow.deacon: send needs a writer (build the store with writer(...)) or a"
              + " datastar.wow registry over the store that has stored a stream");
    }
    Set<Object> done = Collections.newSetFromMap(new IdentityHashMap<>());
    int reached = 0;
    for (Map.Entry<Object, Object> pair : connections(keyOrPattern)) {
      Object conn = pair.getValue();
      if (!done.add(conn)) continue;
      try {
        if (w.write(conn, message)) reached++;
        else purgeConnection(conn, RemovalCause.DEAD);
      } catch (Throwable t) {
        Log.rethrowIfFatal(t);
        Log.error(
            "datastar.wow.deacon: the writer threw for a connection of key "
                + InvalidInputException.describe(pair.getKey())
                + "; it was kept, the others were still served",
            t);
      }
    }
    return reached;
  }

  /**
   * Lists the keys of the whole cluster (every live node's), where {@link #keys(Object)} lists
   * this node's.
   *
   * @param pattern a key pattern (see {@link KeyPattern}), or an exact key
   * @return the keys matching {@code pattern} held by any live node, each once
   * @throws IllegalStateException when the store is not a cluster member
   * @throws datastar.wow.deacon.cluster.BackplaneException when Redis does not answer in time
   */
  public List<Object> clusterKeys(Object pattern) {
    return member().keys(pattern);
  }

  /**
   * Counts the keys of the whole cluster.
   *
   * @param pattern a key pattern, or an exact key
   * @return how many keys matching {@code pattern} any live node holds
   * @throws IllegalStateException when the store is not a cluster member
   * @throws datastar.wow.deacon.cluster.BackplaneException when Redis does not answer in time
   */
  public long clusterCount(Object pattern) {
    return member().count(pattern);
  }

  /**
   * Names this node in its cluster.
   *
   * @return the node id, or null when the store is not a cluster member
   */
  public @Nullable String node() {
    ClusterMember c = cluster;
    return c == null ? null : c.node();
  }

  private ClusterMember member() {
    ClusterMember c = cluster;
    if (c == null) {
      throw new IllegalStateException(
          "datastar.wow.deacon: " + this + " is not a cluster member; build it with cluster(...)");
    }
    return c;
  }

  /** One heartbeat: probes each distinct connection once and removes those found dead. */
  final void sweep(ConnectionProbe probe) {
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Object> all = new ArrayList<>();
    forEachConnection(
        (key, conn) -> {
          if (seen.add(conn)) all.add(conn);
        });
    for (Object conn : all) {
      if (!alive(probe, conn)) purgeConnection(conn, RemovalCause.DEAD);
    }
  }

  private static boolean alive(ConnectionProbe probe, Object conn) {
    try {
      return probe.send(conn);
    } catch (Throwable t) {
      Log.rethrowIfFatal(t);
      return false;
    }
  }

  /** Returns true while this store's heartbeat thread runs. */
  final boolean heartbeatRunning() {
    Heartbeat h = heartbeat;
    return h != null && h.isRunning();
  }

  @Override
  public void close() {
    closed = true;
    Heartbeat h = heartbeat;
    if (h != null) h.close();
    ClusterMember c = cluster;
    if (c != null) c.close();
  }
}
