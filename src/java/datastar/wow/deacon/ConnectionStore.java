package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where connections live, by key. Four methods make a store: {@link #store(Object, Object)},
 * {@link #connection(Object)}, {@link #purge(Object)} and {@link #keys()}; the others have defaults
 * built on those four, which the built-in stores ({@link AtomStore}, {@link CaffeineStore})
 * replace with faster, atomic versions. What a store can do beyond that is stated by {@link
 * #ownership()} and {@link #fanOut()}.
 *
 * <p><b>Keys</b> are compared as Clojure compares map keys ({@code =} and {@code hash}): vectors,
 * keywords, strings, maps all work, and {@code [(int 42) :counter]} is the same key as {@code [42
 * :counter]}. The interceptor stores under scoped keys {@code [id k]}. A nil key is refused.
 * <b>Connections</b> are opaque (whatever the SSE adapter hands out) and compared by identity.
 *
 * <p><b>Fan-out.</b> A store built with fan-out keeps every connection stored under a key (every
 * tab of a user) instead of replacing the older one; {@link #connection(Object)} then answers the
 * most recently stored, and {@link #connections(Object)} all of them.
 *
 * <p><b>Concurrency.</b> The built-in stores are safe for any number of threads. Every write is
 * atomic per key: a store and a purge of one key never interleave, and the reverse index behind
 * {@link #purgeConnection(Object)} always agrees with the entries. Reads never block. Listings
 * ({@link #keys()}, {@link #connections()}, {@link #count()}) are snapshots: each connection they
 * show was present at some moment during the call.
 *
 * <pre>{@code
 * ConnectionStore store = AtomStore.builder().build();
 * Object key = Deacon.scopedKey("user-1", Keyword.intern("counter"));
 * store.store(key, sse);
 * Object same = store.connection(key);
 * store.purge(key);
 * }</pre>
 */
public interface ConnectionStore extends AutoCloseable {

  /**
   * Stores {@code connection} under {@code key}. Without fan-out it replaces what the key held;
   * with fan-out it joins the key's other connections. Storing a connection the key already holds
   * changes nothing.
   *
   * @param key the key; not nil
   * @param connection the connection; not nil
   * @return {@code connection}
   * @throws InvalidInputException when the key or the connection is nil
   * @throws IllegalStateException when the store is closed
   */
  Object store(Object key, Object connection);

  /**
   * Looks a key up.
   *
   * @param key a key
   * @return the connection stored under {@code key} (with fan-out, the most recently stored), or
   *     null
   */
  @Nullable Object connection(Object key);

  /**
   * Removes every connection stored under {@code key}.
   *
   * @param key a key
   * @return true when something was removed
   */
  boolean purge(Object key);

  /**
   * Lists the keys.
   *
   * @return a snapshot of every key in the store, each once
   */
  List<Object> keys();

  /**
   * Lists the keys matching a pattern.
   *
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

  /**
   * Counts the connections.
   *
   * @return how many connections the store holds (with fan-out, more than its keys)
   */
  default int count() {
    return connections().size();
  }

  /**
   * Counts the connections under keys matching a pattern.
   *
   * @param pattern a key pattern
   * @return how many connections are stored under keys matching {@code pattern}
   */
  default int count(Object pattern) {
    return connections(pattern).size();
  }

  /**
   * Lists every connection with its key.
   *
   * @return a snapshot of {@code [key connection]} pairs, as {@code clojure.lang.MapEntry}s (which
   *     are also Clojure vectors); a key with several connections appears once for each
   */
  default List<Map.Entry<Object, Object>> connections() {
    return connections(Names.WILDCARD);
  }

  /**
   * Lists the connections under keys matching a pattern.
   *
   * @param pattern a key pattern; an exact key gives every connection of that key
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
   * Removes {@code connection} (compared by identity) from every key holding it. The built-in
   * stores do this in time independent of the store's size, through a reverse index; the default
   * scans.
   *
   * @param connection a connection
   * @return how many keys it was removed from
   */
  default int purgeConnection(Object connection) {
    int removed = 0;
    for (Object key : keys()) {
      if (connection(key) == connection && purge(key)) removed++;
    }
    return removed;
  }

  /**
   * Tells whether a key keeps every connection stored under it (see the class comment). The
   * interceptor then runs a keyed response's effects on each of them.
   *
   * @return false unless the store was built with fan-out
   */
  default boolean fanOut() {
    return false;
  }

  /**
   * Gives owner-safe writes, if the store has them (the built-in stores do).
   *
   * @return the store's {@link Ownership}, or empty
   */
  default Optional<Ownership> ownership() {
    return Optional.empty();
  }

  /**
   * Describes the store's state.
   *
   * @return statistics as a Clojure map; at least {@code :size}, the number of connections. The
   *     built-in stores add {@code :removals} (a map from cause keyword to count) and, for a
   *     Caffeine store built with statistics, {@code :hits} and {@code :misses}
   */
  default IPersistentMap stats() {
    return PersistentArrayMap.createAsIfByAssoc(
        new Object[] {Keyword.intern("size"), (long) count()});
  }

  /**
   * Closes the store: stops the threads it owns (its heartbeat) and refuses further {@code store}
   * calls with {@link IllegalStateException}. Look-ups, listings and purges keep working, so that
   * streams closing afterwards still leave cleanly. Idempotent.
   */
  @Override
  default void close() {}
}
