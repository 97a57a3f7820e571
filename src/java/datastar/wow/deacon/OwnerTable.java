package datastar.wow.deacon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * {@link Ownership} for a store that has none (a store implementing only the four required
 * methods). On its own such a store cannot tell which request stored a connection, so a replaced
 * stream's close would purge its successor, and a close whose key cannot be scoped would purge
 * nothing. The interceptor keeps, per key, the connection it stored there and its owner, in this
 * table beside the store. Every interceptor write to one key runs inside that key's atomic section
 * of the table, so a close never purges a stream another request stored after it looked.
 *
 * <p>A record leaves the table when its owner's close comes, so the table holds at most one record
 * per open stream. Connections written to the store directly have no owner: any close of their key
 * purges them, as with the built-in stores.
 */
final class OwnerTable implements Ownership {
  private final ConnectionStore store;
  private final ConcurrentHashMap<Object, Stream> owners = new ConcurrentHashMap<>();

  OwnerTable(ConnectionStore store) {
    this.store = store;
  }

  @Override
  public Object store(Object key, Object connection, @Nullable Object owner) {
    Check.connection(key, connection);
    owners.compute(
        ClojureKey.of(key),
        (k, old) -> {
          store.store(key, connection);
          if (old != null && old.connection == connection) return old;
          return owner == null ? null : new Stream(connection, owner);
        });
    return connection;
  }

  @Override
  public boolean purgeOwned(Object key, Object owner) {
    boolean[] removed = {false};
    owners.compute(
        ClojureKey.of(key),
        (k, record) -> {
          Object current = store.connection(key);
          if (record != null && current == record.connection && !Stream.sameOwner(record.owner, owner)) {
            return record; // another request's live stream
          }
          if (record != null && current != record.connection && Stream.sameOwner(record.owner, owner)) {
            return null; // this request's stream is already gone; what is there now is not its own
          }
          removed[0] = current != null && store.purge(key);
          return null;
        });
    return removed[0];
  }

  @Override
  public List<Object> purgeOwnedBy(Object owner) {
    List<Object> removed = new ArrayList<>();
    for (Map.Entry<Object, Stream> e : owners.entrySet()) {
      Object key = ClojureKey.unwrap(e.getKey());
      if (Stream.sameOwner(e.getValue().owner, owner) && purgeOwned(key, owner)) removed.add(key);
    }
    return removed;
  }

  @Override
  public @Nullable Object ownerOf(Object key, Object connection) {
    Stream record = owners.get(ClojureKey.of(key));
    return record != null && record.connection == connection ? record.owner : null;
  }
}
