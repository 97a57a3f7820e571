package datastar.wow.deacon;

import clojure.lang.AFn;
import clojure.lang.APersistentMap;
import clojure.lang.APersistentVector;
import clojure.lang.Counted;
import clojure.lang.ExceptionInfo;
import clojure.lang.ILookup;
import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.Indexed;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentVector;
import clojure.lang.Tuple;
import java.util.List;

/**
 * The {@code :before-dispatch} function of deacon's Nexus interceptor. Given the dispatch ctx, it
 * returns the ctx, changed as follows when the handler's response names a key ({@code
 * :datastar.wow.deacon/key k}); the key is scoped as {@code [(id-fn ctx) k]}:
 *
 * <ol>
 *   <li>the actions contain {@code :datastar.wow/connection} (datastar.wow asking which
 *       connection to use): look the key up; if found, set it at {@code [:dispatch-data
 *       :datastar.wow/connection]} (reuse);
 *   <li>else the actions contain {@code :datastar.wow/sse-closed}: purge the key, if this
 *       request is the one that stored it, then call {@code :on-purge}; remove {@code
 *       :datastar.wow/connection} from the dispatch-data;
 *   <li>else, if {@code [:system :sse]} is set, dispatch-data has no connection yet, the
 *       response does not name its own {@code :datastar.wow/connection} and the stream is not
 *       {@code with-open-sse?}: store the stream under the key, owned by {@code
 *       :datastar.wow/request}, and set it as the dispatch-data's connection. A response that
 *       names its connection dispatches on a stream another request opened (and owns), so it is
 *       never stored again.
 * </ol>
 *
 * <p>A response {@code {:datastar.wow/connection k}} whose {@code k} datastar.wow passed as the
 * dispatch's {@code :sse} is the seed's reuse form: if {@code [(id-fn ctx) k]} is stored, that
 * connection replaces {@code :sse} in {@code :system}.
 *
 * <p>A response with neither key is returned untouched after four map look-ups, without
 * allocating. Errors (a throwing {@code :id-fn}, {@code :on-purge} or store) never escape: each is
 * given to {@code :on-error} and added to the ctx's {@code :errors} the way Nexus records them. A
 * purge is never lost to an error: when the key of a closing stream cannot be scoped, every entry
 * that request stored is purged instead.
 */
public final class ConnectionInterceptor extends AFn {
  private static final int OTHER = 0;
  private static final int LOOKUP = 1;
  private static final int CLOSE = 2;
  private static final Object NOT_FOUND = new Object();

  private final ConnectionStore store;
  /** {@code store}, or {@code store} given owners by an {@link OwnedStore} when it keeps none. */
  private final ConnectionStore owned;
  private final RegistryOptions options;

  /**
   * @param store where connections live
   * @param options scoping and callbacks
   */
  public ConnectionInterceptor(ConnectionStore store, RegistryOptions options) {
    this.store = Check.notNull(Keyword.intern("store"), store);
    this.owned = OwnedStore.wrap(store);
    this.options = Check.notNull(Keyword.intern("options"), options);
  }

  /** @return the store this interceptor writes to */
  public ConnectionStore store() {
    return store;
  }

  @Override
  public Object invoke(Object ctx) {
    Object data = get(ctx, Names.DISPATCH_DATA);
    Object response = get(data, Names.RESPONSE);
    Object key = get(response, Names.KEY);
    Object named = get(response, Names.CONNECTION);
    if (key == null && named == null) return ctx;
    if (!(ctx instanceof IPersistentMap) || !(data instanceof IPersistentMap)) return ctx;
    try {
      return handle((IPersistentMap) ctx, (IPersistentMap) data, (ILookup) response, key, named);
    } catch (Exception | AssertionError e) {
      return failed((IPersistentMap) ctx, e);
    } catch (StackOverflowError e) {
      // the built-in stores refuse such keys themselves; this is for custom stores and id-fns
      return failed(
          (IPersistentMap) ctx,
          new ExceptionInfo(
              "datastar.wow.deacon: the stack overflowed handling the response's key; nothing was"
                  + " stored",
              PersistentArrayMap.EMPTY));
    }
  }

  /**
   * {@code (get m k)} for maps and records, nil for anything else. Every Clojure map passes the
   * class test, which the JVM answers in constant time; the interface test after it, for other
   * lookups, can cost far more on a hot path (a linear search of the class's interfaces whenever
   * the last one tested differs).
   */
  private static Object get(Object m, Keyword k) {
    if (m instanceof APersistentMap) return ((APersistentMap) m).valAt(k);
    return m instanceof ILookup ? ((ILookup) m).valAt(k) : null;
  }

  private IPersistentMap handle(
      IPersistentMap ctx, IPersistentMap data, ILookup response, Object key, Object named) {
    Object system = ctx.valAt(Names.SYSTEM);
    Object sse = get(system, Names.SSE);
    Object actions = ctx.valAt(Names.ACTIONS);
    int kind = kindOf(actions);

    if (named != null && named == sse && kind == OTHER) {
      Object stored = store.connection(scope(ctx, named));
      if (stored != null) {
        IPersistentMap sys = ((IPersistentMap) system).assoc(Names.SSE, stored);
        return ctx.assoc(Names.SYSTEM, sys)
            .assoc(Names.DISPATCH_DATA, data.assoc(Names.CONNECTION, stored));
      }
    }
    if (key == null) return ctx;

    switch (kind) {
      case LOOKUP:
        {
          Object stored = store.connection(scope(ctx, key));
          return stored == null
              ? ctx
              : ctx.assoc(Names.DISPATCH_DATA, data.assoc(Names.CONNECTION, stored));
        }
      case CLOSE:
        return close(ctx, data, key);
      default:
        // A response naming its own connection (datastar.wow's path 1) dispatches on a stream
        // some other request opened, or on a key: storing it would hand that stream to this
        // request, whose close never comes, and leak it.
        if (named != null
            || sse == null
            || data.valAt(Names.CONNECTION) != null
            || withOpenSse(data, response)) {
          return ctx;
        }
        owned.store(scope(ctx, key), sse, data.valAt(Names.REQUEST));
        return ctx.assoc(Names.DISPATCH_DATA, data.assoc(Names.CONNECTION, sse));
    }
  }

  /** Purges the closing request's entry; if the key cannot be scoped, every entry it owns. */
  private IPersistentMap close(IPersistentMap ctx, IPersistentMap data, Object key) {
    IPersistentMap result = ctx.assoc(Names.DISPATCH_DATA, data.without(Names.CONNECTION));
    Object request = data.valAt(Names.REQUEST);
    Object scoped;
    try {
      scoped = scope(ctx, key);
    } catch (Exception | AssertionError e) {
      result = failed(result, e);
      if (request != null) {
        for (Object purged : owned.purgeOwnedBy(request)) result = purged(result, ctx, purged);
      }
      return result;
    }
    return owned.purgeOwned(scoped, request) ? purged(result, ctx, scoped) : result;
  }

  private IPersistentMap purged(IPersistentMap result, IPersistentMap ctx, Object scoped) {
    if (options.onPurge == null) return result;
    try {
      options.onPurge.accept(ctx, scoped);
      return result;
    } catch (Exception | AssertionError e) {
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

  /** @return the scoped key {@code [id k]} */
  private Object scope(IPersistentMap ctx, Object key) {
    if (options.idFn == null) return Tuple.create(Names.DEFAULT_ID, key);
    Object id;
    try {
      id = options.idFn.apply(ctx);
    } catch (Exception | AssertionError e) {
      throw new ExceptionInfo(
          "datastar.wow.deacon: :id-fn threw while scoping key " + InvalidInputException.describe(key),
          data(Keyword.intern("id-fn"), key),
          e);
    }
    if (id == null) {
      throw new ExceptionInfo(
          "datastar.wow.deacon: :id-fn returned nil for key "
              + InvalidInputException.describe(key)
              + "; a request without a scope id is neither stored nor given a stored connection",
          data(Keyword.intern("id-fn"), key));
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
    } catch (Exception | AssertionError | StackOverflowError reportFailure) {
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
  private static int kindOf(Object actions) {
    int kind = OTHER;
    if (actions instanceof APersistentVector) {
      APersistentVector all = (APersistentVector) actions;
      for (int i = 0, n = all.count(); i < n; i++) {
        Object id = actionId(all.nth(i));
        if (id == Names.CONNECTION) return LOOKUP;
        if (id == Names.SSE_CLOSED) kind = CLOSE;
      }
    } else if (actions instanceof Indexed && actions instanceof Counted) {
      Indexed all = (Indexed) actions;
      for (int i = 0, n = ((Counted) actions).count(); i < n; i++) {
        Object id = actionId(all.nth(i));
        if (id == Names.CONNECTION) return LOOKUP;
        if (id == Names.SSE_CLOSED) kind = CLOSE;
      }
    } else if (actions instanceof Iterable) {
      for (Object action : (Iterable<?>) actions) {
        Object id = actionId(action);
        if (id == Names.CONNECTION) return LOOKUP;
        if (id == Names.SSE_CLOSED) kind = CLOSE;
      }
    }
    return kind;
  }

  private static Object actionId(Object action) {
    if (action instanceof APersistentVector) {
      APersistentVector v = (APersistentVector) action;
      return v.count() == 0 ? null : v.nth(0);
    }
    if (action instanceof Indexed && action instanceof Counted) {
      return ((Counted) action).count() == 0 ? null : ((Indexed) action).nth(0);
    }
    if (action instanceof List) return ((List<?>) action).isEmpty() ? null : ((List<?>) action).get(0);
    return null;
  }

  @Override
  public String toString() {
    return "ConnectionInterceptor{store=" + store + "}";
  }
}
