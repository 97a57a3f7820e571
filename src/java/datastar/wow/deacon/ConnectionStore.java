package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Where connections live, by key. Four methods make a store: {@link #store(Object, Object)}, {@link
 * #connection(Object)}, {@link #purge(Object)} and {@link #keys()}; the rest have defaults built on
 * those four, which the built-in stores replace with faster, atomic versions.
 *
 * <p>Keys are compared by Clojure equality ({@code =}), so vectors, keywords, strings and maps all
 * work; the interceptor stores under scoped keys {@code [id k]}. Connections are opaque: whatever
 * the SSE adapter hands out. They are compared by identity.
 *
 * <p><b>Concurrency.</b> The built-in stores are safe for any number of threads. Every write is
 * atomic per key: a {@code store} and a {@code purge} of the same key never interleave, and the
 * reverse index used by {@link #purgeConnection(Object)} always agrees with the entries. Reads
 * never block. {@link #keys()}, {@link #count()} and {@link #connections()} are snapshots: each
 * entry they show was present at some moment during the call.
 *
 * <pre>{@code
 * ConnectionStore store = Deacon.atomStore();
 * store.store(Deacon.scopedKey("user-1", Keyword.intern("counter")), sse);
 * Object same = store.connection(Deacon.scopedKey("user-1", Keyword.intern("counter")));
 * store.purge(Deacon.scopedKey("user-1", Keyword.intern("counter")));
 * }</pre>
 */
public interface ConnectionStore extends AutoCloseable {

  /**
   * Stores {@code connection} under {@code key}, replacing whatever was there.
   *
   * @param key any value usable as a Clojure map key, {@code nil} included
   * @param connection the connection; must not be null
   * @return {@code connection}
   */
  Object store(Object key, Object connection);

  /**
   * @param key a key
   * @return the connection stored under {@code key}, or null
   */
  Object connection(Object key);

  /**
   * Removes the entry under {@code key}, if any.
   *
   * @param key a key
   * @return true when an entry was removed
   */
  boolean purge(Object key);

  /** @return a snapshot of every key in the store */
  List<Object> keys();

  /**
   * Stores {@code connection} under {@code key} on behalf of {@code owner}. If the key already
   * holds this very connection, nothing changes, and the first owner stays the owner. The
   * interceptor passes the Ring request that opened the stream as the owner, so that only that
   * request's close can purge the entry (see {@link #purgeOwned(Object, Object)}).
   *
   * <p>The default ignores the owner.
   *
   * @param key a key
   * @param connection the connection; must not be null
   * @param owner who stores it; null for nobody in particular
   * @return {@code connection}
   */
  default Object store(Object key, Object connection, Object owner) {
    return store(key, connection);
  }

  /**
   * Removes the entry under {@code key} only if it has no owner or its owner is {@code owner}
   * (identical or Clojure-equal). A stream that was replaced under its key therefore cannot purge
   * its successor when it closes.
   *
   * <p>The default, for stores that keep no owners, purges whatever is there: it cannot tell a
   * successor from the original, and its check-then-purge is not atomic. The interceptor therefore
   * never relies on it: it keeps owners itself for a store that does not override this method.
   *
   * @param key a key
   * @param owner who asks
   * @return true when an entry was removed
   */
  default boolean purgeOwned(Object key, Object owner) {
    return connection(key) != null && purge(key);
  }

  /**
   * Removes every entry owned by {@code owner}. The interceptor uses this only when it cannot work
   * out the key of a closing stream (its {@code :id-fn} threw), so that the close is not lost. It
   * may scan the whole store.
   *
   * @param owner an owner given to {@link #store(Object, Object, Object)}
   * @return the keys removed
   */
  default List<Object> purgeOwnedBy(Object owner) {
    return Collections.emptyList();
  }

  /**
   * Removes every key that holds {@code connection} (by identity). The built-in stores do this in
   * time independent of the store's size, through a reverse index; the default scans.
   *
   * @param connection a connection
   * @return how many keys were removed
   */
  default int purgeConnection(Object connection) {
    int removed = 0;
    for (Object key : keys()) {
      if (connection(key) == connection && purge(key)) removed++;
    }
    return removed;
  }

  /**
   * @param pattern a key pattern (see {@link KeyPattern}); without {@code :*} it is an exact key
   *     and this is a single look-up
   * @return a snapshot of the keys matching {@code pattern}
   */
  default List<Object> keys(Object pattern) {
    if (!KeyPattern.hasWildcard(pattern)) {
      return connection(pattern) == null
          ? Collections.emptyList()
          : Collections.singletonList(pattern);
    }
    List<Object> matching = new ArrayList<>();
    for (Object key : keys()) {
      if (KeyPattern.matches(pattern, key)) matching.add(key);
    }
    return matching;
  }

  /** @return how many entries the store holds */
  default int count() {
    return keys().size();
  }

  /**
   * @param pattern a key pattern
   * @return how many keys match {@code pattern}
   */
  default int count(Object pattern) {
    return keys(pattern).size();
  }

  /**
   * @return a snapshot of {@code [key connection]} pairs, as {@code clojure.lang.MapEntry}s (which are also
   *     Clojure vectors)
   */
  default List<Map.Entry<Object, Object>> connections() {
    return connections(Names.WILDCARD);
  }

  /**
   * @param pattern a key pattern
   * @return a snapshot of the {@code [key connection]} pairs whose key matches {@code pattern}
   */
  default List<Map.Entry<Object, Object>> connections(Object pattern) {
    List<Map.Entry<Object, Object>> pairs = new ArrayList<>();
    for (Object key : keys(pattern)) {
      Object conn = connection(key);
      if (conn != null) pairs.add(Clj.pair(key, conn));
    }
    return pairs;
  }

  /**
   * @return statistics as a Clojure map; at least {@code :size}. The built-in stores add {@code
   *     :evictions} (a map from cause keyword to count) and, for a Caffeine store built with
   *     {@code :record-stats? true}, {@code :hits} and {@code :misses}.
   */
  default IPersistentMap stats() {
    return PersistentArrayMap.createAsIfByAssoc(
        new Object[] {Keyword.intern("size"), (long) count()});
  }

  /**
   * Stops whatever threads the store owns (its heartbeat). Entries stay readable. Idempotent.
   */
  @Override
  default void close() {}
}
