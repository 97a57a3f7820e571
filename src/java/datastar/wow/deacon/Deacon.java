package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentVector;
import clojure.lang.Tuple;

/**
 * What the Java API offers besides the stores ({@link AtomStore#builder()}, {@link
 * CaffeineStore#builder()}): scoped keys, deacon's interceptor and datastar.wow registry, and the
 * keywords of its contract.
 *
 * <pre>{@code
 * CaffeineStore store = CaffeineStore.builder().maximumSize(50_000).build();
 *
 * Object key = Deacon.scopedKey(userId, Keyword.intern("counter"));
 * store.store(key, sseStream);
 * Object stream = store.connection(key);   // the same stream, from any request thread
 * store.purgeConnection(stream);           // when the adapter reports it closed
 *
 * IPersistentMap registry = Deacon.registry(store);   // for :datastar.wow/registries
 * }</pre>
 */
public final class Deacon {
  private Deacon() {}

  /** {@code :datastar.wow.deacon/key}: a response's key; its stream is reused, or opened and stored. */
  public static final Keyword KEY = Names.KEY;

  /** {@code :datastar.wow.deacon/subscribe}: a response's key; a new stream is opened and stored under it. */
  public static final Keyword SUBSCRIBE = Names.SUBSCRIBE;

  /** {@code :datastar.wow.deacon/broadcast}: a key pattern; the response's effects reach every matching stream of its scope. */
  public static final Keyword BROADCAST = Names.BROADCAST;

  /** {@code :datastar.wow.deacon/broadcast-all}: a key pattern; the response's effects reach every matching stream of every scope. */
  public static final Keyword BROADCAST_ALL = Names.BROADCAST_ALL;

  /**
   * {@code :datastar.wow.deacon/stream-key}: in the dispatch-data of a fan-out, broadcast or send,
   * the scoped key each stream was found under.
   */
  public static final Keyword STREAM_KEY = Names.STREAM_KEY;

  /** {@code :datastar.wow.deacon/id}: the scope id when no {@code :id-fn} is given. */
  public static final Keyword DEFAULT_ID = Names.DEFAULT_ID;

  /** {@code :datastar.wow.deacon/connections}: the id of deacon's interceptor. */
  public static final Keyword INTERCEPTOR_ID = Names.INTERCEPTOR_ID;

  /** {@code :*}: in a key pattern, any one element. */
  public static final Keyword WILDCARD = Names.WILDCARD;

  /**
   * Scopes a key the way the interceptor does.
   *
   * @param id the scope, e.g. a user or session id
   * @param key the key within the scope
   * @return {@code [id key]}
   */
  public static IPersistentVector scopedKey(Object id, Object key) {
    return Tuple.create(id, key);
  }

  /**
   * Makes deacon's Nexus interceptor.
   *
   * @param store where connections live
   * @param options scoping and callbacks
   * @return the interceptor map {@code {:id :datastar.wow.deacon/connections :before-dispatch f}}
   * @throws InvalidInputException when {@code store} or {@code options} is null
   */
  public static IPersistentMap interceptor(ConnectionStore store, RegistryOptions options) {
    Check.notNull("store", store);
    Check.notNull("options", options);
    return PersistentArrayMap.createAsIfByAssoc(
        new Object[] {
          Names.ID, INTERCEPTOR_ID,
          Names.BEFORE_DISPATCH, new ConnectionInterceptor(store, options)
        });
  }

  /**
   * Makes a datastar.wow registry holding deacon's interceptor.
   *
   * @param store where connections live
   * @param options scoping and callbacks
   * @return {@code {:datastar.wow/interceptors [interceptor]}}
   * @throws InvalidInputException when {@code store} or {@code options} is null
   */
  public static IPersistentMap registry(ConnectionStore store, RegistryOptions options) {
    return PersistentArrayMap.createAsIfByAssoc(
        new Object[] {
          Names.INTERCEPTORS, PersistentVector.EMPTY.cons(interceptor(store, options))
        });
  }

  /**
   * Makes a datastar.wow registry with the default options (one global scope, errors logged).
   *
   * @param store where connections live
   * @return {@code {:datastar.wow/interceptors [interceptor]}}
   * @throws InvalidInputException when {@code store} is null
   */
  public static IPersistentMap registry(ConnectionStore store) {
    return registry(store, RegistryOptions.defaults());
  }
}
