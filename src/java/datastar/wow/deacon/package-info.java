/**
 * Declarative SSE connection management for datastar.wow, and its Java API.
 *
 * <p>A store keeps open Server-Sent-Events streams ("connections") under keys, so that any request
 * thread can find the stream a user opened and push to it. Two stores come with the library:
 * {@link datastar.wow.deacon.AtomStore}, a map in a Clojure atom, and {@link
 * datastar.wow.deacon.CaffeineStore}, a Caffeine cache bounded in size and time. Both are built with
 * a builder, and both implement {@link datastar.wow.deacon.ConnectionStore}, which a store of your
 * own can implement too.
 *
 * <pre>{@code
 * CaffeineStore store = CaffeineStore.builder()
 *     .maximumSize(50_000)
 *     .fanOut(true)                                      // every tab of a user
 *     .onRemoval((key, conn, cause) -> {
 *       if (cause.wasEvicted()) ((MyStream) conn).close();
 *     })
 *     .build();
 *
 * Object key = Deacon.scopedKey(userId, Keyword.intern("feed"));
 * store.store(key, stream);                              // on open
 * for (Map.Entry<Object, Object> e : store.connections(key)) {
 *   ((MyStream) e.getValue()).send(event);               // every stream of that user
 * }
 * store.purgeConnection(stream);                         // on close
 * }</pre>
 *
 * <p>For datastar.wow apps, {@link datastar.wow.deacon.Deacon#registry(ConnectionStore)} gives the
 * registry that makes handler responses store, reuse, fan out and broadcast by key; Clojure apps use
 * the {@code datastar.wow.deacon} namespace instead. Keys are Clojure values compared with Clojure
 * equality; see {@link datastar.wow.deacon.KeyPattern} for patterns.
 *
 * <p>Everything here is non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package datastar.wow.deacon;

import org.jspecify.annotations.NullMarked;
