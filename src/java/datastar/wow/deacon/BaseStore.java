package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * What the built-in stores share: the listings built on one walk of the entries, removal
 * reporting, closing, and the capabilities their {@link StorePolicy} reports: owner-safe writes,
 * quiet reads, a {@link Sender}, and, when built with one, a heartbeat and cluster {@link Peers}.
 * The stores themselves only keep entries.
 */
abstract class BaseStore implements ConnectionStore, Ownership {
  private static final Keyword SIZE = Keyword.intern("size");
  private static final Keyword REMOVALS = Keyword.intern("removals");
  private static final Keyword CLUSTER = Keyword.intern("cluster");
  private static final Keyword NODE = Keyword.intern("node");
  private static final Keyword CONNECTED = Keyword.intern("connected");

  final Removals removals;
  final boolean fanOut;
  private final Sender sender;
  private final StorePolicy policy = new Policy();
  private final @Nullable Replay replay;
  private volatile boolean closed;
  private volatile @Nullable Heartbeat heartbeat;
  private volatile @Nullable Peers peers;

  BaseStore(StoreBuilder<?> settings, Removals removals, @Nullable ReplaySettings replay) {
    this.removals = removals;
    this.fanOut = settings.fanOut;
    this.replay = replay == null ? null : new Replay(replay, this, settings.writer);
    if (this.replay != null) removals.alsoTell(this.replay::streamLeft);
    this.sender = new Sender(this, settings.writer);
  }

  /**
   * Joins the cluster and starts the heartbeat the settings ask for; builders call it once the
   * store is constructed.
   */
  final void start(StoreBuilder<?> settings) {
    Peers.Factory cluster = settings.cluster;
    if (cluster != null) {
      Peers p = cluster.join(new Local());
      peers = p;
      sender.joined(p);
      Replay r = replay;
      if (r != null) p.log().ifPresent(log -> r.share(log, p));
    }
    if (settings.heartbeatInterval != null && settings.probe != null) {
      heartbeat = Heartbeat.start(this, settings.heartbeatInterval, settings.probe);
    }
  }

  /**
   * A connection was stored under {@code key}, for {@code owner} (its opening request, or null):
   * the key keeps a history from now on, with replay.
   */
  final void stored(Object key, @Nullable Object owner) {
    Replay r = replay;
    if (r != null) r.streamStored(key, owner);
  }

  /** The connections under {@code key} changed: the cluster learns whether this node still holds it. */
  final void changed(Object key) {
    Peers p = peers;
    if (p != null) p.changed(key);
  }

  /** Calls {@code visit} with each stored (key, connection) pair, from a consistent or weakly consistent view. */
  abstract void forEachConnection(BiConsumer<Object, Object> visit);

  /** Every connection stored under exactly {@code key}, oldest first. */
  abstract List<Object> connectionsOf(Object key);

  /** {@link #connectionsOf}, read without counting as a use of the key; see {@link StorePolicy#connectionsQuietly}. */
  List<Object> connectionsQuietly(Object key) {
    return connectionsOf(key);
  }

  @Override
  public Object store(Object key, Object connection) {
    return store(key, connection, null);
  }

  @Override
  public StorePolicy policy() {
    return policy;
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
   *     connected to the other nodes and in step with them ({@code :connected})
   */
  @Override
  public IPersistentMap stats() {
    IPersistentMap stats =
        PersistentArrayMap.createAsIfByAssoc(
            new Object[] {SIZE, (long) count(), REMOVALS, removals.counts()});
    Peers p = peers;
    if (p == null) return stats;
    return stats.assoc(
        CLUSTER,
        PersistentArrayMap.createAsIfByAssoc(new Object[] {NODE, p.node(), CONNECTED, p.connected()}));
  }

  /**
   * Closes the store: stops its heartbeat, leaves its cluster, and refuses further {@code store}
   * calls with {@link IllegalStateException}. Look-ups, listings and purges keep working, so that
   * streams closing afterwards still leave cleanly. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    Heartbeat h = heartbeat;
    if (h != null) h.close();
    Peers p = peers;
    if (p != null) p.close();
  }

  /** The capabilities of a built-in store. */
  private final class Policy implements StorePolicy {
    @Override
    public boolean fanOut() {
      return fanOut;
    }

    @Override
    public List<Object> connectionsQuietly(Object key) {
      return BaseStore.this.connectionsQuietly(key);
    }

    @Override
    public Optional<Ownership> ownership() {
      return Optional.of(BaseStore.this);
    }

    @Override
    public Optional<Sender> sender() {
      return Optional.of(sender);
    }

    @Override
    public Optional<Replay> replay() {
      return Optional.ofNullable(replay);
    }

    @Override
    public Optional<Peers> cluster() {
      return Optional.ofNullable(peers);
    }
  }

  /** What this store offers the other nodes of its cluster. */
  private final class Local implements LocalNode {
    @Override
    public Collection<Object> keys() {
      return BaseStore.this.keys();
    }

    @Override
    public boolean holds(Object key) {
      return !connectionsQuietly(key).isEmpty();
    }

    @Override
    public int deliver(Object keyOrPattern, Object message) {
      return sender.deliver(keyOrPattern, message, null);
    }

    @Override
    public int deliver(Object keyOrPattern, Object message, String token) {
      return sender.deliver(keyOrPattern, message, token);
    }

    @Override
    public Optional<Replay> replay() {
      return Optional.ofNullable(replay);
    }

    @Override
    public void arrived(Object key, @Nullable String previous, List<LogEntry> entries) {
      SharedHistory h = replay == null ? null : replay.shared();
      if (h != null) h.arrived(key, previous, entries);
    }

    @Override
    public void catchUp(Collection<Object> keys) {
      SharedHistory h = replay == null ? null : replay.shared();
      if (h != null) h.catchUp(keys);
    }
  }
}
