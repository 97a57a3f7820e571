package datastar.wow.deacon;

import clojure.lang.APersistentMap;
import clojure.lang.Atom;
import clojure.lang.IAtom;
import clojure.lang.IDeref;
import clojure.lang.IMapEntry;
import clojure.lang.IMeta;
import clojure.lang.IObj;
import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentHashMap;
import clojure.lang.PersistentVector;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A store kept in a Clojure atom holding a map {@code {key connection}} ({@code {key [connection
 * ...]}} with fan-out, oldest first). The atom may be the caller's: every write is visible there,
 * so {@code (@a k)} is the stored connection, watches fire and validators run.
 *
 * <pre>{@code
 * AtomStore store = AtomStore.builder()
 *     .onRemoval((key, conn, cause) -> System.out.println(key + " left: " + cause))
 *     .build();
 * }</pre>
 *
 * <p><b>Concurrency.</b> Every write is one compare-and-set of the whole map, so all writes are
 * atomic and linearizable; reads are a single {@code deref} and never block. Owners and the reverse
 * index behind {@link #purgeConnection(Object)} live in the map's metadata and change in the same
 * compare-and-set. Entries written to the atom directly (not through the store) are seen by
 * look-ups and listings, but have no owner and are not in the reverse index. {@link
 * RemovalListener}s run on the thread that made the removal, after it is visible.
 */
public final class AtomStore extends BaseStore {
  private static final Keyword INDEX = Keyword.intern("datastar.wow.deacon", "index");

  private final IAtom atom;
  private final IDeref ref;

  private AtomStore(Builder builder, IAtom atom) {
    super(
        builder,
        new Removals(builder.onRemoval, null),
        builder.replaySettings(Replay.DEFAULT_KEYS, Ticker.systemTicker()));
    this.atom = atom;
    this.ref = (IDeref) atom;
  }

  /**
   * Starts building an atom store.
   *
   * @return a builder; {@code AtomStore.builder().build()} is a store in a fresh atom
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Gives the atom behind the store, e.g. to watch it.
   *
   * @return the atom holding this store's map
   */
  public IAtom atom() {
    return atom;
  }

  private IPersistentMap current() {
    Object state = ref.deref();
    if (state instanceof IPersistentMap) return (IPersistentMap) state;
    throw new IllegalStateException(
        "datastar.wow.deacon: the store's atom must hold a map; it was reset to "
            + InvalidInputException.describe(state));
  }

  private @Nullable Object value(Object key) {
    Object state = ref.deref();
    // a class test, cheaper than an interface test on a hot path; every Clojure map passes it
    if (state instanceof APersistentMap) return ((APersistentMap) state).valAt(key);
    return current().valAt(key);
  }

  @Override
  public @Nullable Object connection(Object key) {
    Object value = value(Check.clojureHashable(key));
    if (fanOut && value instanceof IPersistentVector) {
      IPersistentVector all = (IPersistentVector) value;
      return all.count() == 0 ? null : all.nth(all.count() - 1);
    }
    return value;
  }

  @Override
  List<Object> connectionsOf(Object key) {
    return conns(value(Check.clojureHashable(key)));
  }

  @Override
  public @Nullable Object ownerOf(Object key, Object connection) {
    IPersistentMap map = current();
    IMapEntry held = map.entryAt(key);
    return held == null ? null : index(map).owner(held.key(), connection);
  }

  /** The connections a map value stands for: none, one, or (with fan-out) a vector of them. */
  private List<Object> conns(@Nullable Object value) {
    if (value == null) return Collections.emptyList();
    if (fanOut && value instanceof IPersistentVector) {
      @SuppressWarnings("unchecked")
      List<Object> all = (List<Object>) value;
      return all;
    }
    return Collections.singletonList(value);
  }

  private boolean holds(@Nullable Object value, Object connection) {
    if (value == connection) return true;
    if (!fanOut || !(value instanceof IPersistentVector)) return false;
    for (Object c : conns(value)) {
      if (c == connection) return true;
    }
    return false;
  }

  @Override
  public Object store(Object key, Object connection, @Nullable Object owner) {
    Check.key(key);
    Check.connection(key, connection);
    if (holds(value(key), connection)) return connection;
    ensureOpen();
    update(
        edit -> {
          edit.add(key, connection, owner);
          return connection;
        });
    stored(key, owner);
    return connection;
  }

  @Override
  public boolean purge(Object key) {
    Check.clojureHashable(key);
    return update(edit -> edit.removeKey(key, RemovalCause.EXPLICIT));
  }

  @Override
  public boolean purgeOwned(Object key, Object owner) {
    Check.clojureHashable(key);
    return update(
        edit -> {
          IMapEntry held = edit.map.entryAt(key);
          if (held == null) return false;
          boolean removed = false;
          for (Object conn : new ArrayList<>(conns(held.val()))) {
            Object stored = edit.index.owner(held.key(), conn);
            boolean owns = stored == null ? !fanOut : Stream.sameOwner(stored, owner);
            if (owns) removed |= edit.removeConnection(held.key(), conn, RemovalCause.EXPLICIT);
          }
          return removed;
        });
  }

  @Override
  public int purgeConnection(Object connection, RemovalCause cause) {
    return update(
        edit -> {
          int removed = 0;
          for (Object key : edit.index.keysOf(connection)) {
            if (edit.removeConnection(key, connection, cause)) removed++;
          }
          return removed;
        });
  }

  @Override
  public List<Object> purgeOwnedBy(Object owner) {
    return update(
        edit -> {
          List<Object> keys = new ArrayList<>();
          List<Object> connections = new ArrayList<>();
          edit.index.forEach(
              (key, conn, o) -> {
                if (o != null && Stream.sameOwner(o, owner)) {
                  keys.add(key);
                  connections.add(conn);
                }
              });
          List<Object> removed = new ArrayList<>();
          for (int i = 0; i < keys.size(); i++) {
            Object key = keys.get(i);
            if (edit.removeConnection(key, connections.get(i), RemovalCause.EXPLICIT)
                && !removed.contains(key)) {
              removed.add(key);
            }
          }
          return removed;
        });
  }

  /**
   * Applies {@code change} to the current map until its compare-and-set succeeds, then reports the
   * removals of the attempt that won. Every write of the store goes through here.
   */
  private <R> R update(Function<Edit, R> change) {
    for (; ; ) {
      Edit edit = new Edit(current());
      R result = change.apply(edit);
      if (edit.commit()) {
        for (Object key : edit.touched) changed(key);
        return result;
      }
    }
  }

  /** One attempt at changing the map, with its index and the removals it makes. */
  private final class Edit {
    private final IPersistentMap before;
    IPersistentMap map;
    AtomIndex index;
    private final List<Object[]> removed = new ArrayList<>(1);
    /** The keys whose connections this edit changes. */
    final List<Object> touched = new ArrayList<>(1);

    Edit(IPersistentMap before) {
      this.before = before;
      this.map = before;
      this.index = index(before);
    }

    void add(Object key, Object connection, @Nullable Object owner) {
      IMapEntry held = map.entryAt(key);
      // the map's own key object: every later comparison with it is an identity check
      Object k = held == null ? key : held.key();
      Object value = held == null ? null : held.val();
      if (holds(value, connection)) return;
      Object next = connection;
      if (value != null && fanOut) {
        next = (value instanceof IPersistentVector ? (IPersistentVector) value : PersistentVector.EMPTY.cons(value)).cons(connection);
      } else if (fanOut) {
        next = PersistentVector.EMPTY.cons(connection);
      } else if (value != null) {
        forget(k, value, RemovalCause.REPLACED);
      }
      index = index.add(k, connection, owner);
      map = map.assoc(k, next);
      touched.add(k);
    }

    boolean removeKey(Object key, RemovalCause cause) {
      IMapEntry held = map.entryAt(key);
      if (held == null) return false;
      for (Object conn : conns(held.val())) forget(held.key(), conn, cause);
      map = map.without(held.key());
      return true;
    }

    boolean removeConnection(Object key, Object connection, RemovalCause cause) {
      IMapEntry held = map.entryAt(key);
      if (held == null || !holds(held.val(), connection)) return false;
      Object rest = null;
      if (held.val() != connection) {
        List<Object> others = new ArrayList<>(conns(held.val()));
        others.removeIf(c -> c == connection);
        rest = others.isEmpty() ? null : PersistentVector.create(others);
      }
      map = rest == null ? map.without(held.key()) : map.assoc(held.key(), rest);
      forget(held.key(), connection, cause);
      return true;
    }

    private void forget(Object key, Object connection, RemovalCause cause) {
      index = index.remove(key, connection);
      removed.add(new Object[] {key, connection, cause});
      touched.add(key);
    }

    /** Commits: true when there was nothing to write or the write won, whose removals it then reports. */
    boolean commit() {
      if (map == before) return true;
      if (!atom.compareAndSet(before, withIndex(map, index))) return false;
      for (Object[] r : removed) removals.report(r[0], r[1], (RemovalCause) r[2]);
      return true;
    }
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
  void forEachConnection(BiConsumer<Object, Object> visit) {
    for (Object o : current()) {
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      for (Object conn : conns(e.getValue())) visit.accept(e.getKey(), conn);
    }
  }

  @Override
  public int count() {
    return fanOut ? super.count() : current().count();
  }

  @Override
  public String toString() {
    return "AtomStore{size=" + count() + "}";
  }

  /**
   * Builds an {@link AtomStore}. Every setter checks its argument at once and throws {@link
   * InvalidInputException} naming itself and the value.
   */
  public static final class Builder extends StoreBuilder<Builder> {
    private @Nullable IAtom atom;

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /**
     * Keeps the store in {@code atom} instead of a fresh one ({@code :atom} in Clojure).
     *
     * @param atom an atom holding a Clojure map, usually {@code (atom {})}; the store writes
     *     through it
     * @return this builder
     * @throws InvalidInputException when {@code atom} is null or does not hold a Clojure map
     */
    public Builder atom(IAtom atom) {
      Check.notNull("atom", atom);
      Object state = atom instanceof IDeref ? ((IDeref) atom).deref() : null;
      if (!(state instanceof IPersistentMap) || !(state instanceof IObj)) {
        throw InvalidInputException.ofCall("atom", atom, "must hold a Clojure map, e.g. (atom {})");
      }
      this.atom = atom;
      return this;
    }

    /**
     * Builds the store and starts its heartbeat, if one was set.
     *
     * @return a new store
     */
    public AtomStore build() {
      IAtom a = atom != null ? atom : new Atom(PersistentHashMap.EMPTY);
      AtomStore store = new AtomStore(this, a);
      store.start(this);
      return store;
    }
  }
}
