package datastar.wow.deacon;

import clojure.lang.APersistentMap;
import clojure.lang.Atom;
import clojure.lang.IAtom;
import clojure.lang.IDeref;
import clojure.lang.IMapEntry;
import clojure.lang.IMeta;
import clojure.lang.IObj;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentHashMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A store kept in a Clojure atom holding a map {@code {key connection}}. The atom may be the
 * caller's: every write is visible there, so {@code (@a k)} is the stored connection, watches fire
 * and validators run.
 *
 * <pre>{@code
 * AtomStore store = AtomStore.builder()
 *     .onEvict((key, conn, cause) -> System.out.println(key + " left: " + cause))
 *     .build();
 * }</pre>
 *
 * <p><b>Concurrency.</b> Every write is one compare-and-set of the whole map, so all writes are
 * atomic and linearizable; reads are a single {@code deref} and never block. Owners and the reverse
 * index used by {@link #purgeConnection(Object)} live in the map's metadata and change in the same
 * compare-and-set. Writes made to the atom directly (not through the store) are seen by look-ups
 * and listings, but such entries have no owner and are not in the reverse index. {@link
 * EvictionListener}s run on the thread that made the removal, after it is visible.
 */
public final class AtomStore extends BaseStore {
  private static final Keyword INDEX = Keyword.intern("datastar.wow.deacon", "index");

  private final IAtom atom;
  private final IDeref ref;

  private AtomStore(IAtom atom, Evictions evictions) {
    super(evictions);
    this.atom = atom;
    this.ref = (IDeref) atom;
  }

  /** @return a store in a fresh atom, without listener or heartbeat */
  public static AtomStore create() {
    return builder().build();
  }

  /** @return a builder for an atom store */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the atom holding this store's map */
  public IAtom atom() {
    return atom;
  }

  private IPersistentMap current() {
    Object state = ref.deref();
    if (state instanceof IPersistentMap) return (IPersistentMap) state;
    throw new InvalidInputException(
        Keyword.intern("atom"), state, "must hold a map; it was reset to something else");
  }

  private static AtomIndex index(IPersistentMap map) {
    IPersistentMap meta = ((IMeta) map).meta();
    Object index = meta == null ? null : meta.valAt(INDEX);
    return index instanceof AtomIndex ? (AtomIndex) index : AtomIndex.EMPTY;
  }

  private static IPersistentMap withIndex(IPersistentMap map, AtomIndex index) {
    if (!(map instanceof IObj)) return map;
    IPersistentMap meta = ((IMeta) map).meta();
    if (meta == null) meta = PersistentArrayMap.EMPTY;
    return (IPersistentMap) ((IObj) map).withMeta(meta.assoc(INDEX, index));
  }

  @Override
  public Object connection(Object key) {
    Check.clojureHashable(key);
    Object state = ref.deref();
    // a class test, cheaper than an interface test on a hot path; every Clojure map passes it
    if (state instanceof APersistentMap) return ((APersistentMap) state).valAt(key);
    return current().valAt(key);
  }

  @Override
  public Object store(Object key, Object connection) {
    return store(key, connection, null);
  }

  @Override
  public Object store(Object key, Object connection, Object owner) {
    Check.clojureHashable(Check.key(key));
    requireConnection(key, connection);
    for (; ; ) {
      IPersistentMap map = current();
      IMapEntry held = map.entryAt(key);
      Object old = held == null ? null : held.val();
      if (old == connection) return connection;
      // the map's own key object: every later comparison with it is an identity check
      Object k = held == null ? key : held.key();
      AtomIndex index = index(map);
      if (old != null) index = index.remove(k, old);
      index = index.add(k, connection, owner);
      if (atom.compareAndSet(map, withIndex(map.assoc(k, connection), index))) {
        if (old != null) evictions.report(key, old, EvictionCause.REPLACED);
        return connection;
      }
    }
  }

  @Override
  public boolean purge(Object key) {
    Check.clojureHashable(key);
    for (; ; ) {
      IPersistentMap map = current();
      IMapEntry held = map.entryAt(key);
      if (held == null) return false;
      if (removeOne(map, held.key(), held.val(), EvictionCause.EXPLICIT)) return true;
    }
  }

  @Override
  public boolean purgeOwned(Object key, Object owner) {
    Check.clojureHashable(key);
    for (; ; ) {
      IPersistentMap map = current();
      IMapEntry held = map.entryAt(key);
      Object old = held == null ? null : held.val();
      if (old == null) return false;
      Object current = index(map).owner(held.key(), old);
      if (current != null && !sameOwner(current, owner)) return false;
      if (removeOne(map, held.key(), old, EvictionCause.EXPLICIT)) return true;
    }
  }

  /** One compare-and-set attempt at removing {@code key}, which holds {@code old} in {@code map}. */
  private boolean removeOne(IPersistentMap map, Object key, Object old, EvictionCause cause) {
    AtomIndex index = index(map).remove(key, old);
    if (!atom.compareAndSet(map, withIndex(map.without(key), index))) return false;
    if (old != null) evictions.report(key, old, cause);
    return true;
  }

  @Override
  int purgeConnection(Object connection, EvictionCause cause) {
    for (; ; ) {
      IPersistentMap map = current();
      AtomIndex index = index(map);
      List<Object> keys = index.keysOf(connection);
      if (keys.isEmpty()) return 0;
      List<Object> removed = new ArrayList<>(keys.size());
      IPersistentMap next = map;
      for (Object key : keys) {
        index = index.remove(key, connection);
        if (next.valAt(key) == connection) {
          next = next.without(key);
          removed.add(key);
        }
      }
      if (atom.compareAndSet(map, withIndex(next, index))) {
        for (Object key : removed) evictions.report(key, connection, cause);
        return removed.size();
      }
    }
  }

  @Override
  public List<Object> purgeOwnedBy(Object owner) {
    for (; ; ) {
      IPersistentMap map = current();
      AtomIndex index = index(map);
      List<Object> removed = new ArrayList<>();
      List<Object> connections = new ArrayList<>();
      index.forEach(
          (key, conn, o) -> {
            if (o != null && sameOwner(o, owner) && map.valAt(key) == conn) {
              removed.add(key);
              connections.add(conn);
            }
          });
      if (removed.isEmpty()) return removed;
      IPersistentMap next = map;
      for (int i = 0; i < removed.size(); i++) {
        index = index.remove(removed.get(i), connections.get(i));
        next = next.without(removed.get(i));
      }
      if (atom.compareAndSet(map, withIndex(next, index))) {
        for (int i = 0; i < removed.size(); i++) {
          evictions.report(removed.get(i), connections.get(i), EvictionCause.EXPLICIT);
        }
        return removed;
      }
    }
  }

  @Override
  void forEachEntry(BiConsumer<Object, Object> visit) {
    for (Object o : current()) {
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      if (e.getValue() != null) visit.accept(e.getKey(), e.getValue());
    }
  }

  @Override
  public int count() {
    return current().count();
  }

  @Override
  long size() {
    return current().count();
  }

  @Override
  public String toString() {
    return "AtomStore{size=" + size() + "}";
  }

  /** Builds an {@link AtomStore}. Every setter checks its argument at once. */
  public static final class Builder {
    private IAtom atom;
    private EvictionListener onEvict;
    private Duration heartbeatInterval;
    private ConnectionProbe probe;

    private Builder() {}

    /**
     * @param atom an atom holding a map (usually {@code (atom {})}); the store writes through it
     * @return this builder
     */
    public Builder atom(IAtom atom) {
      Object option = Keyword.intern("atom");
      if (!(atom instanceof IDeref)) {
        throw new InvalidInputException(option, atom, "must be an atom (clojure.lang.IAtom)");
      }
      Object state = ((IDeref) atom).deref();
      if (!(state instanceof IPersistentMap) || !(state instanceof IObj)) {
        throw new InvalidInputException(option, state, "must hold a Clojure map, e.g. (atom {})");
      }
      this.atom = atom;
      return this;
    }

    /**
     * @param listener told once for each entry that leaves the store; null for none
     * @return this builder
     */
    public Builder onEvict(EvictionListener listener) {
      this.onEvict = listener;
      return this;
    }

    /**
     * Starts a daemon thread that every {@code interval} sends {@code probe} down each stored
     * connection and purges those whose send throws (cause {@link EvictionCause#DEAD}). Stop it
     * with {@link AtomStore#close()}.
     *
     * @param interval time between sweeps; positive
     * @param probe the write that proves a connection alive
     * @return this builder
     */
    public Builder heartbeat(Duration interval, ConnectionProbe probe) {
      this.heartbeatInterval = Check.positive(Keyword.intern("interval-ms"), interval);
      this.probe = Check.notNull(Keyword.intern("send"), probe);
      return this;
    }

    /** @return a new store */
    public AtomStore build() {
      IAtom a = atom != null ? atom : new Atom(PersistentHashMap.EMPTY);
      AtomStore store = new AtomStore(a, new Evictions(onEvict, null));
      store.startHeartbeat(heartbeatInterval, probe);
      return store;
    }
  }
}
