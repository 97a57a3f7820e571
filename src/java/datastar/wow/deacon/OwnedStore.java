package datastar.wow.deacon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gives owners to a store that keeps none. A custom store implementing only the four required
 * methods cannot tell which request stored an entry, so on its own a replaced stream's close would
 * purge its successor, and a close whose key cannot be scoped would purge nothing. The interceptor
 * wraps such stores in this class, which remembers, per key, the connection the interceptor stored
 * and its owner. Every interceptor write to one key runs inside that key's atomic section of the
 * owner table, so a close never purges a stream stored by another request after it looked.
 *
 * <p>A record leaves the table when its owner's close comes, so the table holds at most one record
 * per open stream. Entries written to the store directly (not through the interceptor) have no
 * owner: any close of their key purges them, as with the built-in stores.
 */
final class OwnedStore implements ConnectionStore {
  private final ConnectionStore store;
  private final ConcurrentHashMap<Object, Stored> owners = new ConcurrentHashMap<>();

  private OwnedStore(ConnectionStore store) {
    this.store = store;
  }

  /**
   * @param store any store
   * @return {@code store} itself when it keeps owners (overrides {@link #purgeOwned}), else a
   *     wrapper that keeps them for it
   */
  static ConnectionStore wrap(ConnectionStore store) {
    return keepsOwners(store) ? store : new OwnedStore(store);
  }

  static boolean keepsOwners(ConnectionStore store) {
    try {
      return store.getClass().getMethod("purgeOwned", Object.class, Object.class).getDeclaringClass()
          != ConnectionStore.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  @Override
  public Object store(Object key, Object connection) {
    return store(key, connection, null);
  }

  @Override
  public Object store(Object key, Object connection, Object owner) {
    BaseStore.requireConnection(key, connection);
    owners.compute(
        key,
        (k, old) -> {
          store.store(k, connection);
          if (old != null && old.connection == connection) return old;
          return owner == null ? null : new Stored(connection, owner);
        });
    return connection;
  }

  @Override
  public Object connection(Object key) {
    return store.connection(key);
  }

  @Override
  public boolean purge(Object key) {
    owners.remove(key);
    return store.purge(key);
  }

  @Override
  public List<Object> keys() {
    return store.keys();
  }

  @Override
  public boolean purgeOwned(Object key, Object owner) {
    boolean[] removed = {false};
    owners.compute(
        key,
        (k, record) -> {
          Object current = store.connection(k);
          if (record != null && current == record.connection && !BaseStore.sameOwner(record.owner, owner)) {
            return record; // another request's live stream
          }
          if (record != null && current != record.connection && BaseStore.sameOwner(record.owner, owner)) {
            return null; // this request's stream is already gone; what is there now is not its own
          }
          removed[0] = current != null && store.purge(k);
          return null;
        });
    return removed[0];
  }

  @Override
  public List<Object> purgeOwnedBy(Object owner) {
    List<Object> removed = new ArrayList<>();
    for (Map.Entry<Object, Stored> e : owners.entrySet()) {
      if (BaseStore.sameOwner(e.getValue().owner, owner) && purgeOwned(e.getKey(), owner)) {
        removed.add(e.getKey());
      }
    }
    return removed;
  }

  @Override
  public int purgeConnection(Object connection) {
    return store.purgeConnection(connection);
  }

  @Override
  public void close() {
    store.close();
  }

  @Override
  public String toString() {
    return store.toString();
  }
}
