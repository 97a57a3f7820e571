package datastar.wow.deacon;

import clojure.lang.ExceptionInfo;
import clojure.lang.IFn;
import clojure.lang.ILookup;
import clojure.lang.IPersistentMap;
import clojure.lang.Indexed;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.RT;
import clojure.lang.Symbol;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Runs a response's actions on several streams: one Nexus dispatch per stream ({@code
 * nexus.core/dispatch} with the dispatch ctx's own {@code :nexus}), with {@code :sse} bound to
 * that stream and {@code :datastar.wow/connection} set in its dispatch-data, so that every effect,
 * datastar.wow's and the app's, runs as it would on that stream alone, and deacon's interceptor
 * leaves the nested dispatch alone. A stream that fails does not stop the others: one whose write
 * answered {@code false} (closed) is removed with cause {@code :dead}; any other failure goes to
 * {@code :on-error}.
 */
final class Delivery {
  private static final Symbol NEXUS_DISPATCH = Symbol.intern("nexus.core", "dispatch");
  private static volatile @Nullable IFn dispatch;

  private final ConnectionStore store;
  private final RegistryOptions options;

  Delivery(ConnectionStore store, RegistryOptions options) {
    this.store = store;
    this.options = options;
  }

  /** {@code nexus.core/dispatch}, resolved on first use. */
  private static IFn nexusDispatch() {
    IFn d = dispatch;
    if (d == null) {
      Object resolved = RT.var("clojure.core", "requiring-resolve").invoke(NEXUS_DISPATCH);
      if (!(resolved instanceof IFn)) {
        throw new IllegalStateException(
            "datastar.wow.deacon: fan-out and broadcast dispatch through nexus.core/dispatch, which"
                + " is not on the classpath");
      }
      d = (IFn) resolved;
      dispatch = d;
    }
    return d;
  }

  /**
   * Runs {@code ctx}'s actions once on each stream of {@code targets} ({@code [key connection]}
   * pairs) that the store still holds when its turn comes; a stream listed under several keys is
   * served once.
   *
   * @return how many streams were reached
   */
  int deliver(IPersistentMap ctx, List<Map.Entry<Object, Object>> targets) {
    Object nexus = ctx.valAt(Names.NEXUS);
    if (nexus == null) {
      throw new IllegalStateException(
          "datastar.wow.deacon: fan-out and broadcast need the dispatch ctx's :nexus (Nexus"
              + " 2025.10 or newer); this dispatch has none");
    }
    IFn dispatch = nexusDispatch();
    Object actions = ctx.valAt(Names.ACTIONS);
    IPersistentMap system = asMap(ctx.valAt(Names.SYSTEM));
    IPersistentMap data = asMap(ctx.valAt(Names.DISPATCH_DATA));
    int reached = 0;
    Set<Object> done = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<Object, Object> target : targets) {
      Object key = target.getKey();
      Object conn = target.getValue();
      if (!done.add(conn)) continue; // one stream under two matching keys: once
      if (!held(key, conn)) continue; // removed (closed) since the targets were listed
      try {
        Object result =
            dispatch.invoke(
                nexus, system.assoc(Names.SSE, conn), data.assoc(Names.CONNECTION, conn), actions);
        reached++;
        inspect(result, ctx, key, conn);
      } catch (Throwable t) {
        Log.rethrowIfFatal(t);
        report(
            new ExceptionInfo(
                "datastar.wow.deacon: the dispatch to one stream of key "
                    + InvalidInputException.describe(key)
                    + " threw; the other streams were still served",
                PersistentArrayMap.createAsIfByAssoc(new Object[] {Names.KEY, key}),
                t),
            ctx);
      }
    }
    return reached;
  }

  private boolean held(Object key, Object conn) {
    if (!(store instanceof BaseStore)) return store.connection(key) == conn;
    for (Object c : ((BaseStore) store).connectionsOf(key)) {
      if (c == conn) return true;
    }
    return false;
  }

  /** Removes a stream whose write said it is closed; reports the dispatch's errors. */
  private void inspect(@Nullable Object result, IPersistentMap ctx, Object key, Object conn) {
    if (!(result instanceof ILookup)) return;
    ILookup r = (ILookup) result;
    if (wroteToClosed(r.valAt(Names.RESULTS))) {
      if (store instanceof BaseStore) ((BaseStore) store).purgeConnection(conn, RemovalCause.DEAD);
      else store.purgeConnection(conn);
    }
    Object errors = r.valAt(Names.ERRORS);
    if (errors instanceof Iterable) {
      for (Object error : (Iterable<?>) errors) {
        Object err = error instanceof ILookup ? ((ILookup) error).valAt(Names.ERR) : null;
        if (err instanceof Throwable) {
          report(
              new ExceptionInfo(
                  "datastar.wow.deacon: an effect failed on one stream of key "
                      + InvalidInputException.describe(key),
                  PersistentArrayMap.createAsIfByAssoc(
                      new Object[] {Names.KEY, key, Keyword.intern("error"), error}),
                  (Throwable) err),
              ctx);
        }
      }
    }
  }

  /** True when a {@code :datastar.wow/send} effect answered exactly {@code false}. */
  private static boolean wroteToClosed(@Nullable Object results) {
    if (!(results instanceof Iterable)) return false;
    for (Object r : (Iterable<?>) results) {
      if (!(r instanceof ILookup)) continue;
      ILookup result = (ILookup) r;
      if (result.valAt(Names.RES) != Boolean.FALSE) continue;
      Object effect = result.valAt(Names.EFFECT);
      if (effect instanceof Indexed
          && RT.count(effect) > 0
          && ((Indexed) effect).nth(0) == Names.SEND) {
        return true;
      }
    }
    return false;
  }

  private void report(Throwable e, IPersistentMap ctx) {
    try {
      options.onError.accept(e, ctx);
    } catch (Throwable reportFailure) {
      Log.rethrowIfFatal(reportFailure);
      e.addSuppressed(reportFailure);
      Log.error(e.getMessage(), e);
    }
  }

  private static IPersistentMap asMap(@Nullable Object m) {
    return m instanceof IPersistentMap ? (IPersistentMap) m : PersistentArrayMap.EMPTY;
  }
}
