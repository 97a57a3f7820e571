package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.PersistentHashMap;
import java.util.List;

/**
 * What the atom store knows beyond the user-visible map: who owns each entry and which keys hold
 * each connection. Immutable; it travels as metadata of the map inside the atom, so it changes in
 * the same compare-and-set as the entries it describes.
 */
final class AtomIndex {
  static final AtomIndex EMPTY = new AtomIndex(PersistentHashMap.EMPTY, PersistentHashMap.EMPTY);

  /** Identity(connection) -> key, or KeySet of keys. */
  final IPersistentMap byConnection;
  /** key -> owner, for entries stored with an owner. */
  final IPersistentMap owners;

  private AtomIndex(IPersistentMap byConnection, IPersistentMap owners) {
    this.byConnection = byConnection;
    this.owners = owners;
  }

  AtomIndex add(Object key, Object connection, Object owner) {
    Identity id = new Identity(connection);
    IPersistentMap conns = byConnection.assoc(id, KeySet.add(byConnection.valAt(id), key));
    IPersistentMap own = owner == null ? owners.without(key) : owners.assoc(key, owner);
    return new AtomIndex(conns, own);
  }

  AtomIndex remove(Object key, Object connection) {
    IPersistentMap conns = byConnection;
    if (connection != null) {
      Identity id = new Identity(connection);
      Object rest = KeySet.remove(conns.valAt(id), key);
      conns = rest == null ? conns.without(id) : conns.assoc(id, rest);
    }
    return new AtomIndex(conns, owners.without(key));
  }

  Object owner(Object key) {
    return owners.valAt(key);
  }

  List<Object> keysOf(Object connection) {
    return KeySet.keys(byConnection.valAt(new Identity(connection)));
  }
}
