package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where connections live, by key. Four methods make a store: {@link #store(Object, Object)},
 * {@link #connection(Object)}, {@link #purge(Object)} and {@link #keys()}; the others have defaults
 * built on those four, which the built-in stores ({@link AtomStore}, {@link CaffeineStore})
 * replace with faster, atomic versions. What a store can do beyond the contract (fan-out, quiet
 * reads, owner-safe writes, sending, cluster membership) it reports through its {@link #policy()},
 * as a Caffeine cache reports its own through {@code Cache.policy()}; the registry reaches every
 * store through this interface and that policy, never through a store's class.
 *
 * <p><b>Keys</b> are compared as Clojure compares map keys ({@code =} and {@code hash}): vectors,
 * keywords, strings, maps all work, and {@code [(int 42) :counter]} is the same key as {@code [42
 * :counter]}. The interceptor stores under scoped keys {@code [id k]}. A nil key is refused.
 * <b>Connections</b> are opaque (whatever the SSE adapter hands out) and compared by identity.
 *
 * <p><b>Fan-out.</b> A store whose policy reports fan-out keeps every connection stored under a key
 * (every tab of a user) instead of replacing the older one; {@link #connection(Object)} then
 * answers the most recently stored, and {@link #connections(Object)} all of them.
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
   * Removes {@code connection} from every key holding it, as {@link #purgeConnection(Object)}, and
   * reports each removal with {@code cause} to whoever listens to the store's removals. The
   * registry uses it with {@link RemovalCause#DEAD} for a stream whose write found it closed.
   *
   * @param connection a connection
   * @param cause why it leaves; the default ignores it
   * @return how many keys it was removed from
   */
  default int purgeConnection(Object connection, RemovalCause cause) {
    return purgeConnection(connection);
  }

  /**
   * Tells what the store can do beyond this interface. The default reports none of it: no
   * fan-out, reads that count as uses, no owners (the registry then keeps them beside the store),
   * no sending, no cluster. A store of your own with fan-out returns {@code
   * StorePolicy.basic(this, true)}.
   *
   * @return the store's policy; a store returns the same answers for its whole life
   */
  default StorePolicy policy() {
    return StorePolicy.basic(this, false);
  }

  /**
   * Sends {@code message} to every connection stored under a key matching {@code keyOrPattern},
   * here and, for a cluster member, on the other nodes: {@link Sender#send(Object, Object)} of the
   * store's policy.
   *
   * @param keyOrPattern a key or a key pattern (see {@link KeyPattern})
   * @param message what to send: a vector of datastar.wow actions, or what the store's {@link
   *     ConnectionWriter} takes
   * @return how many connections on this node the message was written to
   * @throws UnsupportedOperationException when the store's policy reports no {@link Sender}
   * @throws CannotRenderException when connections here match but the store knows no way to write
   *     to them yet; nothing was sent
   */
  default int send(Object keyOrPattern, Object message) {
    return policy()
        .sender()
        .orElseThrow(
            () ->
                new UnsupportedOperationException(
                    "datastar.wow.deacon: " + this + " cannot send: its policy reports no Sender;"
                        + " the built-in stores (AtomStore, CaffeineStore) have one"))
        .send(keyOrPattern, message);
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
