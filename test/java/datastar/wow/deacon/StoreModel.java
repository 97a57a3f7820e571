package datastar.wow.deacon;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The sequential meaning of a store, for Lincheck: keys, connections and owners are small ints.
 * Its public methods mirror the operations of the linearizability tests one for one.
 */
public class StoreModel {
  private final Map<Integer, Integer> connections = new HashMap<>();
  private final Map<Integer, Integer> owners = new HashMap<>();

  /** Stores {@code conn} under {@code key} for {@code owner}; the same connection again is a no-op. */
  public void store(int key, int conn, int owner) {
    Integer old = connections.get(key);
    if (old != null && old == conn) return;
    connections.put(key, conn);
    owners.put(key, owner);
  }

  /** @return the connection under {@code key}, or null */
  public Integer connection(int key) {
    return connections.get(key);
  }

  /** @return true when an entry was removed */
  public boolean purge(int key) {
    owners.remove(key);
    return connections.remove(key) != null;
  }

  /** @return true when the entry existed and {@code owner} owned it */
  public boolean purgeOwned(int key, int owner) {
    if (!connections.containsKey(key) || owners.get(key) != owner) return false;
    connections.remove(key);
    owners.remove(key);
    return true;
  }

  /** @return how many keys held {@code conn} and were removed */
  public int purgeConnection(int conn) {
    List<Integer> gone = new ArrayList<>();
    for (Map.Entry<Integer, Integer> e : connections.entrySet()) {
      if (e.getValue() == conn) gone.add(e.getKey());
    }
    for (Integer key : gone) purge(key);
    return gone.size();
  }

  /** @return the number of entries */
  public int count() {
    return connections.size();
  }

  /** @return the keys, sorted, as text */
  public String keys() {
    return new TreeSet<>(connections.keySet()).toString();
  }
}
