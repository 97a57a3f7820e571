package datastar.wow.deacon;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The capability of a store to remember who stored each connection, so that writes can be made on
 * an owner's behalf; see {@link StorePolicy#ownership()}. The interceptor passes the Ring
 * request that opened a stream as its owner, and only that request's close removes the stream: a
 * stream replaced under its key cannot remove its successor when it closes.
 *
 * <p>Both built-in stores have it. For a store without it, the interceptor keeps owners itself, in
 * a table of its own beside the store.
 */
public interface Ownership {
  /**
   * Stores {@code connection} under {@code key} on behalf of {@code owner}. When the key already
   * holds this very connection nothing changes (the first owner stays the owner) and nothing is
   * written.
   *
   * @param key a key
   * @param connection the connection
   * @param owner who stores it, or null for nobody in particular
   * @return {@code connection}
   */
  Object store(Object key, Object connection, @Nullable Object owner);

  /**
   * Removes what {@code owner} stored under {@code key}. A connection stored by nobody in
   * particular is removed by any owner's call, unless the store fans out (then only connections
   * stored by {@code owner} go). Owners are compared by identity, then by Clojure equality.
   *
   * @param key a key
   * @param owner who asks
   * @return true when something was removed
   */
  boolean purgeOwned(Object key, Object owner);

  /**
   * Removes every connection {@code owner} stored, under any key. The interceptor uses this only
   * when it cannot work out the key of a closing stream (its {@code :id-fn} threw), so that the
   * close is not lost. It may scan the whole store.
   *
   * @param owner an owner given to {@link #store(Object, Object, Object)}
   * @return the keys it removed connections from
   */
  List<Object> purgeOwnedBy(Object owner);

  /**
   * Tells who stored {@code connection} under {@code key}. A send from outside any request runs
   * its effects on a stream as if in the request that opened it: this is that request.
   *
   * @param key a key
   * @param connection a connection stored under it
   * @return the owner given when it was stored, or null for none (or when it is not stored there)
   */
  @Nullable Object ownerOf(Object key, Object connection);
}
