package datastar.wow.deacon;

import clojure.lang.AFn;
import clojure.lang.APersistentMap;
import clojure.lang.ILookup;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code :before-dispatch} function of deacon's Nexus interceptor. datastar.wow dispatches a
 * Datastar request up to three times (see {@link Phase}); a response names what deacon is to do
 * with one of four response keys (see {@link Ask}), whose key or pattern is scoped as {@code
 * [(id-fn ctx) k]}:
 *
 * <ul>
 *   <li><b>connection</b>: a key's stored stream is handed to datastar.wow (reuse: HTTP 204); with
 *       no stream here but one on another node, the effects go there and datastar.wow answers 204
 *       too; a broadcast gets a marker, so that datastar.wow answers 204 and dispatches its fx
 *       here; a subscribe never reuses;
 *   <li><b>fx</b>, on stream {@code :sse}: a stream the key does not hold yet is stored, owned by
 *       the request that opened it; a stream it holds is only read. With fan-out, a key holding
 *       several streams gets the fx once on each; a broadcast runs them on every stream matching
 *       its pattern. Either way the outer dispatch then runs no actions. A new stream that no key
 *       can hold (the {@code :id-fn} gave no id) is closed once its fx have run;
 *   <li><b>sse-closed</b>: what the closing request stored under the key is purged, then {@code
 *       :on-purge} is told.
 * </ul>
 *
 * <p>A response {@code {:datastar.wow/connection k}} whose {@code k} datastar.wow passed as the
 * dispatch's {@code :sse} is the original design's reuse form: if {@code [(id-fn ctx) k]} is
 * stored, that connection replaces {@code :sse} in {@code :system}.
 *
 * <p>Errors (a throwing {@code :id-fn}, {@code :on-purge} or store) never escape: each is given to
 * {@code :on-error} and added to the ctx's {@code :errors} the way Nexus records them. A purge is
 * never lost to an error: when the key of a closing stream cannot be scoped, every entry that
 * request stored is purged instead.
 */
final class ConnectionInterceptor extends AFn {
  /**
   * The connection a keyed response gets at look-up when no stream here holds its key but other
   * nodes do, and its effects were sent to them: datastar.wow answers 204 and dispatches nothing
   * here.
   */
  static final Object ELSEWHERE = marker("#datastar.wow.deacon/elsewhere");

  /** The connection a broadcast gets at look-up: datastar.wow answers 204 and dispatches its fx here. */
  static final Object BROADCAST = marker("#datastar.wow.deacon/broadcast");

  private final StorePolicy policy;
  private final ConnectionStore store;
  private final Ownership owned;
  private final RegistryOptions options;
  private final Delivery delivery;
  private final ToOtherNodes others;
  private final @Nullable Sender sender;
  private final @Nullable Replay replay;
  private final MisnamedKeys misnamed = new MisnamedKeys();

  ConnectionInterceptor(ConnectionStore store, RegistryOptions options) {
    this.store = store;
    this.policy = store.policy();
    this.owned = policy.ownership().orElseGet(() -> new OwnerTable(store));
    this.options = options;
    this.delivery = new Delivery(store, options.onError, options.renderOnce);
    this.others = new ToOtherNodes(policy, options.onError);
    this.sender = policy.sender().orElse(null);
    this.replay = policy.replay().orElse(null);
  }

  private static Object marker(String shown) {
    return new Object() {
      @Override
      public String toString() {
        return shown;
      }
    };
  }

  @Override
  public Object invoke(Object ctx) {
    Object data = get(ctx, Names.DISPATCH_DATA);
    Object response = get(data, Names.RESPONSE);
    if (!(response instanceof ILookup)) return ctx;
    Ask ask = Ask.of((ILookup) response);
    if (ask == null) {
      misnamed.check(response, ctx);
      return ctx;
    }
    if (!(ctx instanceof IPersistentMap) || !(data instanceof IPersistentMap)) return ctx;
    DispatchCtx d = new DispatchCtx((IPersistentMap) ctx, (IPersistentMap) data);
    try {
      return handle(d, ask);
    } catch (StackOverflowError e) {
      // the built-in stores refuse such keys themselves; this is for custom stores and id-fns
      return failed(
          d.ctx,
          new DeaconException(
              "datastar.wow.deacon: the stack overflowed handling the response's key; nothing was"
                  + " stored",
              PersistentArrayMap.EMPTY,
              null));
    } catch (Throwable e) {
      Log.rethrowIfFatal(e);
      return failed(d.ctx, e);
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

  private IPersistentMap handle(DispatchCtx d, Ask ask) {
    if (ask.named != null && d.phase == Phase.FX && ask.named == d.sse()) {
      IPersistentMap swapped = reuseNamed(d, ask.named);
      if (swapped != null) return swapped;
    }
    if (ask.several) return failed(d.ctx, severalModes(d.response()));
    Ask.Mode mode = ask.mode;
    Object target = ask.target;
    if (mode == null || target == null) return d.ctx;
    if (mode.broadcasts()) return broadcast(d, mode, target);
    switch (d.phase) {
      case CONNECTION:
        return mode == Ask.Mode.SUBSCRIBE ? d.ctx : connection(d, target);
      case SSE_CLOSED:
        return sseClosed(d, target);
      default:
        return fx(d, ask, target);
    }
  }

  /** The original design's reuse by key: the stream stored under the named key, if any. */
  private @Nullable IPersistentMap reuseNamed(DispatchCtx d, Object named) {
    Object scoped = scope(d, named);
    Object stored = scoped == null ? null : store.connection(scoped);
    return stored == null ? null : d.withSse(stored);
  }

  /** The connection dispatch of a keyed response: the stored stream, if any, is reused. */
  private IPersistentMap connection(DispatchCtx d, Object key) {
    Object scoped = scope(d, key);
    if (scoped == null) return d.ctx;
    Object stored = store.connection(scoped);
    if (stored == null && others.sentIfHeld(d.ctx, scoped, d.response().valAt(Names.FX))) {
      stored = ELSEWHERE;
    }
    return stored == null ? d.ctx : d.withConnection(stored);
  }

  /** The fx dispatch of a keyed or subscribing response, on stream {@code :sse}. */
  private IPersistentMap fx(DispatchCtx d, Ask ask, Object key) {
    Object sse = d.sse();
    // The fx went to the other nodes holding the key at look-up: nothing runs here; with a shared
    // history, they are rendered here and go to the key's log.
    if (sse == ELSEWHERE) return elsewhere(d, key);
    // A response naming its own connection dispatches on a stream another request opened, or on a
    // key: storing it would hand that stream to this request, whose close never comes. A
    // dispatch-data carrying a connection is a nested or per-stream dispatch.
    if (ask.named != null || sse == null || d.data.valAt(Names.CONNECTION) != null) return d.ctx;
    Object scoped = scope(d, key);
    if (scoped == null) return d.withOpenSse() ? d.ctx : d.closedAfterFx();
    List<Object> held = policy.connectionsQuietly(scoped);
    if (Clj.holds(held, sse)) return onHeldStream(d, ask, scoped, held);
    // the stream the look-up found left the key before these effects ran (its tab hid): they go
    // to the key as any push, recorded, and the tab gets them when it comes back
    if (ask.mode == Ask.Mode.KEY && replay != null && replay.hadLeft(scoped, sse)) return toKey(d, scoped, held);
    if (d.withOpenSse()) return d.ctx;
    String lastEventId = d.header("last-event-id");
    if (replay != null && (lastEventId != null || replay.shared() != null)) {
      return resume(d, scoped, sse, lastEventId);
    }
    // the first stream stored teaches send! how to render effects here: this request's dispatch
    if (sender != null) d.teach(sender, options.renderOnce);
    owned.store(scoped, sse, d.request());
    return d.withConnection(sse);
  }

  /**
   * A stream opening under a key with a {@code last-event-id}, or under any key of a store whose
   * history a cluster shares: under the key's lock, so that no event of the key goes out
   * meanwhile, it gets every event it missed, then its own opening effects (run here, on it), and
   * joins the key; live events follow. An unknown id replays nothing.
   */
  private IPersistentMap resume(DispatchCtx d, Object scoped, Object sse, @Nullable String lastEventId) {
    Replay r = replay;
    if (r == null) return d.ctx;
    try {
      r.resume(
          scoped,
          sse,
          lastEventId,
          () -> {
            // stored first, under the key's lock, which holds every event of the key back until the
            // opening effects are written: the directory learns of the stream before anything those
            // effects publish
            if (sender != null) d.teach(sender, options.renderOnce);
            owned.store(scoped, sse, d.request());
            delivery.open(d.ctx, scoped, sse);
          });
      return d.withoutActions();
    } catch (Exception e) {
      return failed(d.withoutActions(), e);
    }
  }

  /** The fx of a keyed response whose key's streams are all on other nodes. */
  private IPersistentMap elsewhere(DispatchCtx d, Object key) {
    if (!others.renderHere()) return d.withoutActions();
    Object scoped = scope(d, key);
    if (scoped != null) delivery.deliver(d.ctx, scoped, List.of());
    return d.withoutActions();
  }

  /**
   * The fx of a keyed response on a stream its key already holds (the one the look-up found, or
   * the request's own): with fan-out, on every stream of the key, here and on the other nodes.
   */
  private IPersistentMap onHeldStream(DispatchCtx d, Ask ask, Object scoped, List<Object> held) {
    if (ask.mode == Ask.Mode.SUBSCRIBE || !(policy.fanOut() || replay != null)) return d.ctx;
    return toKey(d, scoped, held);
  }

  /** The fx on every stream of the key here and on the other nodes, recorded with replay. */
  private IPersistentMap toKey(DispatchCtx d, Object scoped, List<Object> held) {
    // the other nodes' streams first: fx that are not data fail here, unsent
    if (policy.fanOut() && !others.send(d.ctx, scoped)) return d.withoutActions();
    // one stream and no history: datastar.wow's own dispatch on it does it all
    if (held.size() == 1 && replay == null) return d.ctx;
    List<Map.Entry<Object, Object>> pairs = new ArrayList<>(held.size());
    for (Object conn : held) pairs.add(Clj.pair(scoped, conn));
    delivery.deliver(d.ctx, scoped, pairs);
    return d.withoutActions();
  }

  /**
   * A broadcast: at look-up, the marker connection; in its fx dispatch, the fx on every matching
   * stream here and on the other nodes, and none in the outer dispatch.
   */
  private IPersistentMap broadcast(DispatchCtx d, Ask.Mode mode, Object pattern) {
    if (d.phase == Phase.CONNECTION) return d.withConnection(BROADCAST);
    if (d.phase != Phase.FX || d.sse() != BROADCAST) return d.ctx;
    Object full = mode == Ask.Mode.BROADCAST ? scope(d, pattern) : Tuple.create(Names.WILDCARD, pattern);
    if (full != null && others.send(d.ctx, full)) {
      List<Map.Entry<Object, Object>> targets = store.connections(full);
      if (!targets.isEmpty() || replay != null) delivery.deliver(d.ctx, full, targets);
    }
    return d.withoutActions();
  }

  /** Purges the closing request's entry; if the key cannot be scoped, every entry it owns. */
  private IPersistentMap sseClosed(DispatchCtx d, Object key) {
    IPersistentMap result = d.ctx.assoc(Names.DISPATCH_DATA, d.data.without(Names.CONNECTION));
    Object request = d.request();
    Object scoped;
    try {
      scoped = scope(d, key);
    } catch (Throwable e) {
      Log.rethrowIfFatal(e);
      result = failed(result, e);
      if (request != null) {
        for (Object purged : owned.purgeOwnedBy(request)) result = purged(result, d.ctx, purged);
      }
      return result;
    }
    if (scoped == null || request == null) return result;
    return owned.purgeOwned(scoped, request) ? purged(result, d.ctx, scoped) : result;
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
          new DeaconException(
              "datastar.wow.deacon: :on-purge threw for key " + Shown.key(scoped)
                  + " (the entry was purged)",
              data(Keyword.intern("on-purge"), scoped),
              e));
    }
  }

  /**
   * @return the scoped key {@code [id k]}, or null when {@code :id-fn} gives no id (a request
   *     without a session: nothing is stored or reused for it)
   */
  private @Nullable Object scope(DispatchCtx d, Object key) {
    if (options.idFn == null) return Tuple.create(Names.DEFAULT_ID, key);
    Object id;
    try {
      id = options.idFn.apply(d.ctx);
    } catch (Throwable e) {
      Log.rethrowIfFatal(e);
      throw new DeaconException(
          "datastar.wow.deacon: :id-fn threw while scoping key " + Shown.key(key),
          data(Keyword.intern("id-fn"), key),
          e);
    }
    if (id == null) {
      Log.debug("datastar.wow.deacon: :id-fn gave no id; key " + Shown.key(key)
          + " is neither stored nor reused");
      return null;
    }
    return Tuple.create(id, key);
  }

  private static DeaconException severalModes(ILookup response) {
    return new DeaconException(
        "datastar.wow.deacon: a response names at most one of :datastar.wow.deacon/key,"
            + " /subscribe, /broadcast and /broadcast-all; this one names several, so deacon"
            + " leaves it alone",
        PersistentArrayMap.createAsIfByAssoc(Ask.modesOf(response)),
        null);
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
    return DispatchCtx.withError(ctx, e);
  }

  @Override
  public String toString() {
    return "ConnectionInterceptor{store=" + store + "}";
  }
}
