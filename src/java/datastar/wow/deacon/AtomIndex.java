package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.PersistentHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the atom store knows beyond the user-visible map: which keys hold each connection, and who
 * owns each of those entries ({@link KeyOwners}). Immutable; it travels as metadata of the map
 * inside the atom, so it changes in the same compare-and-set as the entries it describes. One map,
 * keyed by connection identity, serves both purge-by-connection and the owner check of a close, so
 * a write updates one index map besides the entries.
 */
final class AtomIndex {
  static final AtomIndex EMPTY = new AtomIndex(PersistentHashMap.EMPTY);

  /** Identity(connection) -> KeyOwners holder. */
  private final IPersistentMap byConnection;

  private AtomIndex(IPersistentMap byConnection) {
    this.byConnection = byConnection;
  }

  AtomIndex add(Object key, Object connection, Object owner) {
    Identity id = new Identity(connection);
    return new AtomIndex(byConnection.assoc(id, KeyOwners.add(byConnection.valAt(id), key, owner)));
  }

  AtomIndex remove(Object key, Object connection) {
    if (connection == null) return this;
    Identity id = new Identity(connection);
    Object holder = byConnection.valAt(id);
    if (holder == null) return this;
    Object rest = KeyOwners.remove(holder, key);
    return new AtomIndex(rest == null ? byConnection.without(id) : byConnection.assoc(id, rest));
  }

  /** Returns who stored {@code connection} under {@code key}, or null. */
  Object owner(Object key, Object connection) {
    return KeyOwners.owner(byConnection.valAt(new Identity(connection)), key);
  }

  List<Object> keysOf(Object connection) {
    return KeyOwners.keys(byConnection.valAt(new Identity(connection)));
  }

  /** Calls {@code visit} with each indexed (key, connection, owner). */
  void forEach(Visitor visit) {
    for (Object o : byConnection) {
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      Object connection = ((Identity) e.getKey()).ref;
      KeyOwners.forEach(e.getValue(), (key, owner) -> visit.accept(key, connection, owner));
    }
  }

  /** Receives an indexed entry. */
  interface Visitor {
    void accept(Object key, Object connection, Object owner);
  }
}
