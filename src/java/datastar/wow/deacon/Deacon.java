package datastar.wow.deacon;

import clojure.lang.IAtom;
import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentVector;
import clojure.lang.Tuple;

/**
 * The Java entry point: stores, scoped keys, and the datastar.wow registry.
 *
 * <pre>{@code
 * ConnectionStore store = Deacon.caffeineStore()
 *     .duration(Duration.ofMinutes(30))
 *     .maximumSize(50_000)
 *     .build();
 *
 * Object key = Deacon.scopedKey(userId, Keyword.intern("counter"));
 * store.store(key, sseStream);
 * Object stream = store.connection(key);   // the same stream, from any request thread
 * store.purgeConnection(stream);           // when the adapter reports it closed
 * }</pre>
 */
public final class Deacon {
  private Deacon() {}

  /** {@code :datastar.wow.deacon/key}: the response key naming the connection to store or reuse. */
  public static final Keyword KEY = Names.KEY;

  /** {@code :datastar.wow.deacon/id}: the scope id when no {@code :id-fn} is given. */
  public static final Keyword DEFAULT_ID = Names.DEFAULT_ID;

  /** {@code :datastar.wow.deacon/connections}: the id of deacon's interceptor. */
  public static final Keyword INTERCEPTOR_ID = Names.INTERCEPTOR_ID;

  /** {@code :*}: in a key pattern, any one element. */
  public static final Keyword WILDCARD = Names.WILDCARD;

  /** @return a new atom store in a fresh atom */
  public static AtomStore atomStore() {
    return AtomStore.create();
  }

  /**
   * @param atom an atom holding a map; it sees every write
   * @return a new atom store writing through {@code atom}
   */
  public static AtomStore atomStore(IAtom atom) {
    return AtomStore.builder().atom(atom).build();
  }

  /** @return a builder for an atom store (listener, heartbeat, atom) */
  public static AtomStore.Builder atomStoreBuilder() {
    return AtomStore.builder();
  }

  /** @return a builder for a Caffeine store; {@code build()} it, defaults are 10 minutes idle and 10,000 entries */
  public static CaffeineStore.Builder caffeineStore() {
    return CaffeineStore.builder();
  }

  /**
   * @param id the scope, e.g. a user or session id
   * @param key the key within the scope
   * @return {@code [id key]}, the form the interceptor stores keys in
   */
  public static IPersistentVector scopedKey(Object id, Object key) {
    return Tuple.create(id, key);
  }

  /**
   * @param store where connections live
   * @param options scoping and callbacks
   * @return the interceptor map {@code {:id :datastar.wow.deacon/connections :before-dispatch f}}
   */
  public static IPersistentMap interceptor(ConnectionStore store, RegistryOptions options) {
    return PersistentArrayMap.createAsIfByAssoc(
        new Object[] {
          Names.ID, INTERCEPTOR_ID,
          Names.BEFORE_DISPATCH, new ConnectionInterceptor(store, options)
        });
  }

  /**
   * @param store where connections live
   * @param options scoping and callbacks
   * @return a datastar.wow registry {@code {:datastar.wow/interceptors [interceptor]}}
   */
  public static IPersistentMap registry(ConnectionStore store, RegistryOptions options) {
    return PersistentArrayMap.createAsIfByAssoc(
        new Object[] {
          Names.INTERCEPTORS, PersistentVector.EMPTY.cons(interceptor(store, options))
        });
  }

  /**
   * @param store where connections live
   * @return a datastar.wow registry with the default options
   */
  public static IPersistentMap registry(ConnectionStore store) {
    return registry(store, RegistryOptions.defaults());
  }
}
