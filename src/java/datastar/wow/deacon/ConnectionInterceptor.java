package datastar.wow.deacon;

import clojure.lang.AFn;
import clojure.lang.APersistentMap;
import clojure.lang.ExceptionInfo;
import clojure.lang.ILookup;
import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.Indexed;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentVector;
import clojure.lang.RT;
import clojure.lang.Tuple;
import datastar.wow.deacon.cluster.InvalidPayloadException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code :before-dispatch} function of deacon's Nexus interceptor. datastar.wow dispatches a
 * keyed request up to three times (DESIGN: look-up, effects, close); the response names what to do
 * with one of {@code :datastar.wow.deacon/key}, {@code /subscribe}, {@code /broadcast} or {@code
 * /broadcast-all}, whose key or pattern is scoped as {@code [(id-fn ctx) k]}:
 *
 * <ul>
 *   <li><b>look-up</b> (actions hold {@code :datastar.wow/connection}): a key's stored stream is
 *       handed to datastar.wow (reuse: HTTP 204); a broadcast gets a marker instead, so that
 *       datastar.wow answers 204 and hands the actions back; a subscribe never reuses;
 *   <li><b>effects</b> (any other actions, on stream {@code :sse}): a stream the key does not hold
 *       yet is stored, owned by the request that opened it; a stream it holds is only read. With
 *       fan-out, a key holding several streams gets the actions once on each; a broadcast runs them
 *       on every stream matching its pattern. Either way the outer dispatch then runs no actions;
 *   <li><b>close</b> (actions hold {@code :datastar.wow/sse-closed}): what the closing request
 *       stored under the key is purged, then {@code :on-purge} is told.
 * </ul>
 *
 * <p>A response {@code {:datastar.wow/connection k}} whose {@code k} datastar.wow passed as the
 * dispatch's {@code :sse} is the seed's reuse form: if {@code [(id-fn ctx) k]} is stored, that
 * connection replaces {@code :sse} in {@code :system}.
 *
 * <p>Errors (a throwing {@code :id-fn}, {@code :on-purge} or store) never escape: each is given to
 * {@code :on-error} and added to the ctx's {@code :errors} the way Nexus records them. A purge is
 * never lost to an error: when the key of a closing stream cannot be scoped, every entry that
 * request stored is purged instead.
 */
final class ConnectionInterceptor extends AFn {
  private static final int OTHER = 0;
  private static final int LOOKUP = 1;
  private static final int CLOSE = 2;
  private static final Object NOT_FOUND = new Object();

  /**
   * The connection a keyed response gets at look-up when no stream here holds its key but other
   * nodes do, and its effects were sent to them: datastar.wow answers 204 and dispatches nothing
   * here.
   */
  static final Object ELSEWHERE =
      new Object() {
        @Override
        public String toString() {
          return "#datastar.wow.deacon/elsewhere";
        }
      };

  /** The connection a broadcast gets at look-up: datastar.wow then answers 204 and dispatches its actions here. */
  static final Object BROADCAST =
      new Object() {
        @Override
        public String toString() {
          return "#datastar.wow.deacon/broadcast";
        }
      };

  private final ConnectionStore store;
  /** The store, when it is a built-in one; null for a custom store. */
  private final @Nullable BaseStore builtIn;
  private final Ownership owned;
  private final RegistryOptions options;
  private final Delivery delivery;
  private final boolean fanOut;

  ConnectionInterceptor(ConnectionStore store, RegistryOptions options) {
    this.store = store;
    this.builtIn = store instanceof BaseStore ? (BaseStore) store : null;
    this.owned = store.ownership().orElseGet(() -> new OwnerTable(store));
    this.options = options;
    this.delivery = new Delivery(store, options.onError);
    this.fanOut = store.fanOut();
  }

  @Override
  public Object invoke(Object ctx) {
    Object response = get(get(ctx, Names.DISPATCH_DATA), Names.RESPONSE);
    if (!(response instanceof ILookup)) return ctx;
    ILookup r = (ILookup) response;
    Object key = r.valAt(Names.KEY);
    Object subscribe = r.valAt(Names.SUBSCRIBE);
    Object broadcast = r.valAt(Names.BROADCAST);
    Object broadcastAll = r.valAt(Names.BROADCAST_ALL);
    Object named = r.valAt(Names.CONNECTION);
    if (key == null && subscribe == null && broadcast == null && broadcastAll == null && named == null) {
      return ctx;
    }
    if (!(ctx instanceof IPersistentMap) || !(get(ctx, Names.DISPATCH_DATA) instanceof IPersistentMap)) {
      return ctx;
    }
    IPersistentMap c = (IPersistentMap) ctx;
    try {
      return handle(c, r, key, subscribe, broadcast, broadcastAll, named);
    } catch (StackOverflowError e) {
      // the built-in stores refuse such keys themselves; this is for custom stores and id-fns
      return failed(
          c,
          new ExceptionInfo(
              "datastar.wow.deacon: the stack overflowed handling the response's key; nothing was"
                  + " stored",
              PersistentArrayMap.EMPTY));
    } catch (Throwable e) {
      Log.rethrowIfFatal(e);
      return failed(c, e);
    }
  }

  /**
   * {@code (get m k)} for maps and records, nil for anything else. Every Clojure map passes the
   * class test, which the JVM answers in constant time; the interface test after it can cost far
   * more on a hot path.
   */
  private static @Nullable Object get(@Nullable Object m, Keyword k) {
    if (m instanceof APersistentMap) return ((APersistentMap) m).valAt(k);
    return m instanceof ILookup ? ((ILookup) m).valAt(k) : null;
  }

  private IPersistentMap handle(
      IPersistentMap ctx,
      ILookup response,
      @Nullable Object key,
      @Nullable Object subscribe,
      @Nullable Object broadcast,
      @Nullable Object broadcastAll,
      @Nullable Object named) {
    IPersistentMap data = (IPersistentMap) ctx.valAt(Names.DISPATCH_DATA);
    // The store learns how to dispatch (for send) from a request's own dispatch; deacon's
    // per-stream dispatches (they carry the stream's key) may run through a Nexus of their own.
    if (builtIn != null && data.valAt(Names.STREAM_KEY) == null) {
      builtIn.dispatchesThrough(ctx.valAt(Names.NEXUS));
    }
    Object system = ctx.valAt(Names.SYSTEM);
    Object sse = get(system, Names.SSE);
    int kind = kindOf(ctx.valAt(Names.ACTIONS));

    if (named != null && named == sse && kind == OTHER && system instanceof IPersistentMap) {
      Object scoped = scope(ctx, named);
      Object stored = scoped == null ? null : store.connection(scoped);
      if (stored != null) {
        return ctx.assoc(Names.SYSTEM, ((IPersistentMap) system).assoc(Names.SSE, stored))
            .assoc(Names.DISPATCH_DATA, data.assoc(Names.CONNECTION, stored));
      }
    }
    int modes = (key != null ? 1 : 0) + (subscribe != null ? 1 : 0) + (broadcast != null ? 1 : 0)
        + (broadcastAll != null ? 1 : 0);
    if (modes == 0) return ctx;
    if (modes > 1) {
      return failed(
          ctx,
          new ExceptionInfo(
              "datastar.wow.deacon: a response names at most one of :datastar.wow.deacon/key,"
                  + " /subscribe, /broadcast and /broadcast-all; this one names several, so deacon"
                  + " leaves it alone",
              PersistentArrayMap.createAsIfByAssoc(
                  new Object[] {Names.KEY, key, Names.SUBSCRIBE, subscribe, Names.BROADCAST,
                    broadcast, Names.BROADCAST_ALL, broadcastAll})));
    }
    if (broadcast != null || broadcastAll != null) {
      return broadcast(ctx, data, kind, sse, broadcast != null ? broadcast : broadcastAll, broadcast != null);
    }
    Object k = key != null ? key : subscribe;
    switch (kind) {
      case LOOKUP:
        {
          if (subscribe != null) return ctx;
          Object scoped = scope(ctx, k);
          Object stored = scoped == null ? null : store.connection(scoped);
          if (stored == null && scoped != null && sentElsewhere(ctx, scoped, response.valAt(Names.FX))) {
            stored = ELSEWHERE;
          }
          return stored == null ? ctx : ctx.assoc(Names.DISPATCH_DATA, data.assoc(Names.CONNECTION, stored));
        }
      case CLOSE:
        return close(ctx, data, k);
      default:
        return effects(ctx, data, response, k, named, sse, subscribe != null);
    }
  }

  /** The effects dispatch of a keyed or subscribing response, on stream {@code sse}. */
  private IPersistentMap effects(
      IPersistentMap ctx,
      IPersistentMap data,
      ILookup response,
      Object k,
      @Nullable Object named,
      @Nullable Object sse,
      boolean subscribing) {
    // The effects went to the other nodes holding the key at look-up: nothing runs here.
    if (sse == ELSEWHERE) return ctx.assoc(Names.ACTIONS, PersistentVector.EMPTY);
    // A response naming its own connection (datastar.wow's path 1) dispatches on a stream another
    // request opened, or on a key: storing it would hand that stream to this request, whose close
    // never comes. A dispatch-data carrying a connection is a nested or per-stream dispatch.
    if (named != null || sse == null || data.valAt(Names.CONNECTION) != null) return ctx;
    Object scoped = scope(ctx, k);
    if (scoped == null) return ctx;
    // The key's streams are read quietly (no access, no statistics): this request already looked
    // the key up or stored it.
    if (!fanOut) {
      if (holds(scoped, sse)) return ctx; // the stream this request stored or looked up: no write
    } else {
      List<Map.Entry<Object, Object>> held = heldBy(scoped);
      if (contains(held, sse)) {
        if (subscribing) return ctx;
        // the other nodes' streams of the key first: effects that are not data fail here, unsent
        if (!sendToOtherNodes(ctx, scoped)) return ctx.assoc(Names.ACTIONS, PersistentVector.EMPTY);
        if (held.size() == 1) return ctx;
        delivery.deliver(ctx, held);
        return ctx.assoc(Names.ACTIONS, PersistentVector.EMPTY);
      }
    }
    if (withOpenSse(data, response)) return ctx;
    owned.store(scoped, sse, data.valAt(Names.REQUEST));
    return ctx.assoc(Names.DISPATCH_DATA, data.assoc(Names.CONNECTION, sse));
  }

  /** Whether the key's stream is {@code sse} (no fan-out): quietly on a built-in store. */
  private boolean holds(Object scoped, Object sse) {
    if (builtIn == null) return store.connection(scoped) == sse;
    for (Object conn : builtIn.connectionsQuietly(scoped)) {
      if (conn == sse) return true;
    }
    return false;
  }

  /** The key's streams as {@code [key conn]} pairs: quietly on a built-in store. */
  private List<Map.Entry<Object, Object>> heldBy(Object scoped) {
    if (builtIn == null) return store.connections(scoped);
    List<Object> conns = builtIn.connectionsQuietly(scoped);
    List<Map.Entry<Object, Object>> pairs = new ArrayList<>(conns.size());
    for (Object conn : conns) pairs.add(Clj.pair(scoped, conn));
    return pairs;
  }

  private static boolean contains(List<Map.Entry<Object, Object>> pairs, Object conn) {
    for (Map.Entry<Object, Object> pair : pairs) {
      if (pair.getValue() == conn) return true;
    }
    return false;
  }

  /**
   * A broadcast: at look-up, the marker connection; in its effects dispatch, the actions on every
   * matching stream, each in a dispatch of its own, and none in the outer one.
   */
  private IPersistentMap broadcast(
      IPersistentMap ctx, IPersistentMap data, int kind, @Nullable Object sse, Object pattern, boolean scoped) {
    if (kind == LOOKUP) return ctx.assoc(Names.DISPATCH_DATA, data.assoc(Names.CONNECTION, BROADCAST));
    if (kind != OTHER || sse != BROADCAST) return ctx;
    Object full = scoped ? scope(ctx, pattern) : Tuple.create(Names.WILDCARD, pattern);
    if (full != null && sendToOtherNodes(ctx, full)) {
      List<Map.Entry<Object, Object>> targets = store.connections(full);
      if (!targets.isEmpty()) delivery.deliver(ctx, targets);
    }
    return ctx.assoc(Names.ACTIONS, PersistentVector.EMPTY);
  }

  /** The store's cluster membership, if it is a built-in store in a cluster. */
  private @Nullable ClusterMember cluster() {
    return builtIn != null ? builtIn.cluster() : null;
  }

  /**
   * At look-up, with no stream here: sends the response's effects to the other nodes holding
   * {@code scoped}, waiting at most the cluster's send timeout.
   *
   * @return true when at least one other node holds the key and got them
   */
  private boolean sentElsewhere(IPersistentMap ctx, Object scoped, @Nullable Object fx) {
    ClusterMember c = cluster();
    if (c == null || fx == null) return false;
    try {
      return c.sendIfHeld(scoped, fx, options.onError, ctx);
    } catch (InvalidPayloadException notData) {
      options.onError.accept(notData, ctx);
      return false;
    }
  }

  /**
   * Sends the dispatch's actions to the other nodes' streams under {@code keyOrPattern}, without
   * waiting; a store outside a cluster has none.
   *
   * @return false when the actions are not data: reported, and to be sent nowhere
   */
  private boolean sendToOtherNodes(IPersistentMap ctx, Object keyOrPattern) {
    ClusterMember c = cluster();
    if (c == null) return true;
    try {
      c.send(keyOrPattern, ctx.valAt(Names.ACTIONS), options.onError, ctx);
      return true;
    } catch (InvalidPayloadException notData) {
      options.onError.accept(notData, ctx);
      return false;
    }
  }

  /** Purges the closing request's entry; if the key cannot be scoped, every entry it owns. */
  private IPersistentMap close(IPersistentMap ctx, IPersistentMap data, Object key) {
    IPersistentMap result = ctx.assoc(Names.DISPATCH_DATA, data.without(Names.CONNECTION));
    Object request = data.valAt(Names.REQUEST);
    Object scoped;
    try {
      scoped = scope(ctx, key);
    } catch (Throwable e) {
      Log.rethrowIfFatal(e);
      result = failed(result, e);
      if (request != null) {
        for (Object purged : owned.purgeOwnedBy(request)) result = purged(result, ctx, purged);
      }
      return result;
    }
    if (scoped == null || request == null) return result;
    return owned.purgeOwned(scoped, request) ? purged(result, ctx, scoped) : result;
  }

  private IPersistentMap purged(IPersistentMap result, IPersistentMap ctx, Object scoped) {
    if (options.onPurge == null) return result;
    try {
      options.onPurge.accept(ctx, scoped);
      return result;
    } catch (Throwable e) {
      Log.rethrowIfFatal(e);
      return failed(
          result,
          new ExceptionInfo(
              "datastar.wow.deacon: :on-purge threw for key "
                  + InvalidInputException.describe(scoped)
                  + " (the entry was purged)",
              data(Keyword.intern("on-purge"), scoped),
              e));
    }
  }

  /**
   * @return the scoped key {@code [id k]}, or null when {@code :id-fn} gives no id (a request
   *     without a session: nothing is stored or reused for it)
   */
  private @Nullable Object scope(IPersistentMap ctx, Object key) {
    if (options.idFn == null) return Tuple.create(Names.DEFAULT_ID, key);
    Object id;
    try {
      id = options.idFn.apply(ctx);
    } catch (Throwable e) {
      Log.rethrowIfFatal(e);
      throw new ExceptionInfo(
          "datastar.wow.deacon: :id-fn threw while scoping key " + InvalidInputException.describe(key),
          data(Keyword.intern("id-fn"), key),
          e);
    }
    if (id == null) {
      Log.debug("datastar.wow.deacon: :id-fn gave no id; key " + key + " is neither stored nor reused");
      return null;
    }
    return Tuple.create(id, key);
  }

  private static IPersistentMap data(Keyword option, Object key) {
    return PersistentArrayMap.createAsIfByAssoc(
        new Object[] {Keyword.intern("option"), option, Names.KEY, key});
  }

  /** Reports {@code e} and records it in the ctx's {@code :errors}, as Nexus would. */
  private IPersistentMap failed(IPersistentMap ctx, Throwable e) {
    try {
      options.onError.accept(e, ctx);
    } catch (Throwable reportFailure) {
      Log.rethrowIfFatal(reportFailure);
      e.addSuppressed(reportFailure);
      RegistryOptions.LOG_ERRORS.accept(e, ctx);
    }
    Object errors = ctx.valAt(Names.ERRORS);
    IPersistentMap error =
        PersistentArrayMap.createAsIfByAssoc(
            new Object[] {
              Names.PHASE, Names.BEFORE_DISPATCH, Names.ERR, e, Names.ID, Names.INTERCEPTOR_ID
            });
    IPersistentVector all =
        errors instanceof IPersistentVector
            ? ((IPersistentVector) errors).cons(error)
            : PersistentVector.EMPTY.cons(error);
    return ctx.assoc(Names.ERRORS, all);
  }

  private static boolean withOpenSse(IPersistentMap data, ILookup response) {
    Object v = data.valAt(Names.WITH_OPEN_SSE, NOT_FOUND);
    if (v == NOT_FOUND) v = response.valAt(Names.WITH_OPEN_SSE);
    return v != null && v != Boolean.FALSE;
  }

  /** LOOKUP if any action is :datastar.wow/connection, else CLOSE if any is sse-closed, else OTHER. */
  private static int kindOf(@Nullable Object actions) {
    if (!(actions instanceof Iterable)) return OTHER;
    int kind = OTHER;
    for (Object action : (Iterable<?>) actions) {
      Object id = action instanceof Indexed && RT.count(action) > 0 ? ((Indexed) action).nth(0) : null;
      if (id == Names.CONNECTION) return LOOKUP;
      if (id == Names.SSE_CLOSED) kind = CLOSE;
    }
    return kind;
  }

  @Override
  public String toString() {
    return "ConnectionInterceptor{store=" + store + "}";
  }
}
