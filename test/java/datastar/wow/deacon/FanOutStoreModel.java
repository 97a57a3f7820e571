package datastar.wow.deacon;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sequential meaning of a fan-out store, for Lincheck: a key holds a list of connections in the
 * order they were stored, each with its owner. Its public methods mirror the operations of the
 * fan-out linearizability tests one for one.
 */
public class FanOutStoreModel {
  private final Map<Integer, List<int[]>> streams = new HashMap<>();

  /** Adds {@code conn} to {@code key} for {@code owner}; a connection the key holds is a no-op. */
  public void store(int key, int conn, int owner) {
    List<int[]> held = streams.computeIfAbsent(key, k -> new ArrayList<>());
    for (int[] s : held) {
      if (s[0] == conn) return;
    }
    held.add(new int[] {conn, owner});
  }

  /** @return the most recently stored connection of {@code key}, or null */
  public Integer connection(int key) {
    List<int[]> held = streams.get(key);
    return held == null || held.isEmpty() ? null : held.get(held.size() - 1)[0];
  }

  /** @return the connections of {@code key}, oldest first, as text */
  public String connections(int key) {
    List<Integer> conns = new ArrayList<>();
    for (int[] s : streams.getOrDefault(key, List.of())) conns.add(s[0]);
    return conns.toString();
  }

  /** @return true when {@code key} held anything */
  public boolean purge(int key) {
    List<int[]> held = streams.remove(key);
    return held != null && !held.isEmpty();
  }

  /** @return true when {@code owner} had stored something under {@code key} */
  public boolean purgeOwned(int key, int owner) {
    List<int[]> held = streams.get(key);
    if (held == null || !held.removeIf(s -> s[1] == owner)) return false;
    if (held.isEmpty()) streams.remove(key);
    return true;
  }

  /** @return how many keys held {@code conn} */
  public int purgeConnection(int conn) {
    int removed = 0;
    for (Integer key : new ArrayList<>(streams.keySet())) {
      List<int[]> held = streams.get(key);
      if (held.removeIf(s -> s[0] == conn)) removed++;
      if (held.isEmpty()) streams.remove(key);
    }
    return removed;
  }
}
