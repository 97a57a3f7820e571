package datastar.wow.deacon;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Caffeine store's reverse index: connection (by identity) to the keys holding it ({@link
 * KeyOwners} without owners). It is only ever changed from inside the cache's per-key atomic
 * sections (compute, and the eviction listener, which Caffeine runs atomically with the eviction),
 * so it always agrees with the cache.
 */
final class ConnectionIndex {
  private final ConcurrentHashMap<Identity, Object> keysByConnection = new ConcurrentHashMap<>();

  void add(Object key, Object connection) {
    keysByConnection.compute(
        new Identity(connection), (c, holder) -> KeyOwners.add(holder, key, null));
  }

  void remove(Object key, Object connection) {
    keysByConnection.computeIfPresent(
        new Identity(connection), (c, holder) -> KeyOwners.remove(holder, key));
  }

  List<Object> keysOf(Object connection) {
    return KeyOwners.keys(keysByConnection.get(new Identity(connection)));
  }
}
