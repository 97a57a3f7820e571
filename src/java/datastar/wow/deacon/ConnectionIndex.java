package datastar.wow.deacon;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Caffeine store's reverse index: connection (by identity) to the key or keys holding it. It is
 * only ever changed from inside the cache's per-key atomic sections (compute, and the eviction
 * listener, which Caffeine runs atomically with the eviction), so it always agrees with the cache.
 */
final class ConnectionIndex {
  private final ConcurrentHashMap<Stored, Object> keysByConnection = new ConcurrentHashMap<>();

  void add(Object key, Stored stored) {
    keysByConnection.merge(stored, key, KeySet::add);
  }

  void remove(Object key, Stored stored) {
    keysByConnection.computeIfPresent(stored, (s, holder) -> KeySet.remove(holder, key));
  }

  List<Object> keysOf(Object connection) {
    return KeySet.keys(keysByConnection.get(new Stored(connection, null)));
  }

  int size() {
    return keysByConnection.size();
  }
}
