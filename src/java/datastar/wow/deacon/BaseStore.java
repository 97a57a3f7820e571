package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.Util;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/** What the built-in stores share: removal reporting, statistics and the heartbeat. */
abstract class BaseStore implements ConnectionStore {
  private static final Keyword SIZE = Keyword.intern("size");
  private static final Keyword EVICTIONS = Keyword.intern("evictions");

  final Evictions evictions;
  private volatile Heartbeat heartbeat;

  BaseStore(Evictions evictions) {
    this.evictions = evictions;
  }

  /** Called by builders once the store is constructed. */
  final void startHeartbeat(Duration interval, ConnectionProbe probe) {
    if (interval != null && probe != null) heartbeat = Heartbeat.start(this, interval, probe);
  }

  /**
   * Removes every key holding {@code connection} and reports each removal with {@code cause}.
   *
   * @return how many keys were removed
   */
  abstract int purgeConnection(Object connection, EvictionCause cause);

  /** @return the number of entries, as cheaply as the store can tell */
  abstract long size();

  /** Calls {@code visit} with each live (key, connection) pair, from a consistent or weakly consistent view. */
  abstract void forEachEntry(BiConsumer<Object, Object> visit);

  @Override
  public List<Object> keys() {
    List<Object> keys = new ArrayList<>();
    forEachEntry((key, conn) -> keys.add(key));
    return Clj.vector(keys);
  }

  @Override
  public List<Object> keys(Object pattern) {
    if (!KeyPattern.hasWildcard(pattern)) {
      return connection(pattern) == null
          ? Clj.vector(Collections.emptyList())
          : Clj.vector(Collections.singletonList(pattern));
    }
    List<Object> keys = new ArrayList<>();
    forEachEntry(
        (key, conn) -> {
          if (KeyPattern.matches(pattern, key)) keys.add(key);
        });
    return Clj.vector(keys);
  }

  @Override
  public List<Map.Entry<Object, Object>> connections(Object pattern) {
    List<Map.Entry<Object, Object>> pairs = new ArrayList<>();
    if (!KeyPattern.hasWildcard(pattern)) {
      Object conn = connection(pattern);
      if (conn != null) pairs.add(Clj.pair(pattern, conn));
    } else {
      forEachEntry(
          (key, conn) -> {
            if (KeyPattern.matches(pattern, key)) pairs.add(Clj.pair(key, conn));
          });
    }
    return Collections.unmodifiableList(pairs);
  }

  @Override
  public int count() {
    int[] n = {0};
    forEachEntry((key, conn) -> n[0]++);
    return n[0];
  }

  @Override
  public int count(Object pattern) {
    if (pattern == Names.WILDCARD) return count();
    if (!KeyPattern.hasWildcard(pattern)) return connection(pattern) == null ? 0 : 1;
    int[] n = {0};
    forEachEntry(
        (key, conn) -> {
          if (KeyPattern.matches(pattern, key)) n[0]++;
        });
    return n[0];
  }

  @Override
  public final int purgeConnection(Object connection) {
    return purgeConnection(connection, EvictionCause.EXPLICIT);
  }

  @Override
  public IPersistentMap stats() {
    return PersistentArrayMap.createAsIfByAssoc(
        new Object[] {SIZE, size(), EVICTIONS, evictions.counts()});
  }

  /** One heartbeat: probe each distinct connection once; purge those whose send throws. */
  final void sweep(ConnectionProbe probe) {
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<Object, Object> pair : connections()) {
      Object conn = pair.getValue();
      if (!seen.add(conn)) continue;
      if (!alive(probe, conn)) purgeConnection(conn, EvictionCause.DEAD);
    }
  }

  private static boolean alive(ConnectionProbe probe, Object conn) {
    try {
      probe.send(conn);
      return true;
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      return false;
    }
  }

  /** @return true while this store's heartbeat thread runs */
  final boolean heartbeatRunning() {
    Heartbeat h = heartbeat;
    return h != null && h.isRunning();
  }

  @Override
  public void close() {
    Heartbeat h = heartbeat;
    if (h != null) h.close();
  }

  static Object requireConnection(Object key, Object connection) {
    if (connection == null) {
      throw new InvalidInputException(
          "connection", null, "must not be nil (storing under key " + InvalidInputException.describe(key) + ")");
    }
    return connection;
  }

  static boolean sameOwner(Object owner, Object asking) {
    return owner == asking || Util.equiv(owner, asking);
  }
}
