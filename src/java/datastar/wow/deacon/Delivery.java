package datastar.wow.deacon;

import clojure.lang.AFn;
import clojure.lang.IFn;
import clojure.lang.ILookup;
import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.Indexed;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentVector;
import clojure.lang.RT;
import clojure.lang.Symbol;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Runs a response's actions on several streams, through the app's own Nexus ({@code
 * nexus.core/dispatch}), so that every effect, datastar.wow's and the app's, runs on each stream
 * as it would on that stream alone. Each dispatch carries {@code :datastar.wow/connection} (the
 * stream) and {@code :datastar.wow.deacon/stream-key} (the key it was found under) in its
 * dispatch-data, which tells deacon's interceptor to leave it alone.
 *
 * <p>With render-once (the default, when the Datastar SDK's protocol is extended to {@link
 * StreamGroup}), the actions run in ONE dispatch, on the first stream: each {@code
 * :datastar.wow/send} effect (every event datastar.wow sends goes through it) renders its event
 * once and writes it to every stream through a {@link StreamGroup}; every other effect runs again,
 * right after, once for each other stream. Each stream so gets exactly what a dispatch on it alone
 * would have sent, in the order of the actions. Otherwise each stream gets a dispatch of its own.
 *
 * <p>A stream that fails does not stop the others: one whose write answered {@code false}
 * (closed) is removed with cause {@code :dead}; any other failure goes to {@code onError}.
 */
final class Delivery {
  private static final Symbol NEXUS_DISPATCH = Symbol.intern("nexus.core", "dispatch");
  private static final Keyword NEXUS_INTERCEPTORS = Keyword.intern("nexus", "interceptors");
  private static final Keyword RENDER_ONCE_ID = Keyword.intern("datastar.wow.deacon", "render-once");

  private final ConnectionStore store;
  private final StorePolicy policy;
  private final BiConsumer<Throwable, Object> onError;
  private final boolean renderOnce;
  private final @Nullable Replay replay;
  /** The Nexus of deliveries outside any request, or null for those of a request's dispatch. */
  final @Nullable IPersistentMap nexus;
  private volatile @Nullable IFn dispatch;

  /**
   * Makes the deliveries over one store, within requests' dispatches.
   *
   * @param store where the streams live; closed ones are removed from it
   * @param onError told of each failure, with the ctx of the dispatch it came from
   * @param renderOnce false to give every stream a dispatch of its own
   */
  Delivery(ConnectionStore store, BiConsumer<Throwable, Object> onError, boolean renderOnce) {
    this(store, onError, renderOnce, null);
  }

  private Delivery(
      ConnectionStore store,
      BiConsumer<Throwable, Object> onError,
      boolean renderOnce,
      @Nullable IPersistentMap nexus) {
    this.store = store;
    this.policy = store.policy();
    this.onError = onError;
    this.renderOnce = renderOnce;
    this.replay = policy.replay().orElse(null);
    this.nexus = nexus;
  }

  /**
   * Makes the deliveries over {@code store} outside any request (a send from a job, or a message
   * from another node), through {@code nexus}; failures are logged.
   */
  static Delivery outside(ConnectionStore store, IPersistentMap nexus, boolean renderOnce) {
    return new Delivery(store, RegistryOptions.LOG_ERRORS, renderOnce, nexus);
  }

  /**
   * Runs the actions of {@code ctx}, a request's dispatch, on each stream of {@code targets}
   * ({@code [key connection]} pairs, those of the keys matching {@code keyOrPattern}) that the store
   * still holds; a stream listed under several keys is served once.
   *
   * @return how many streams were served and not found closed
   */
  int deliver(IPersistentMap ctx, Object keyOrPattern, List<Map.Entry<Object, Object>> targets) {
    return run(new Shared(ctx, nexusOf(ctx), false), keyOrPattern, targets, null);
  }

  /**
   * Runs the actions of {@code ctx}, a request's dispatch, on {@code conn}, the request's own new
   * stream under {@code key}, as a dispatch of their own: the opening effects of a stream that
   * resumed, which go after the events it missed and before any live one.
   */
  void open(IPersistentMap ctx, Object key, Object conn) {
    Shared shared = new Shared(ctx, nexusOf(ctx), false);
    shared.dispatch(shared.nexus, Clj.pair(key, conn), shared.actions, false);
  }

  private static IPersistentMap nexusOf(IPersistentMap ctx) {
    Object nexus = ctx.valAt(Names.NEXUS);
    if (!(nexus instanceof IPersistentMap)) {
      throw new IllegalStateException(
          "datastar.wow.deacon: fan-out, broadcast and replay need the dispatch ctx's :nexus"
              + " (Nexus 2025.10 or newer); this dispatch has none");
    }
    return (IPersistentMap) nexus;
  }

  /**
   * Runs {@code actions} on each stream of {@code targets} outside any request, through the Nexus
   * of {@link #outside}, as if in the request that opened each stream: its {@code :request} is
   * that request.
   *
   * @param token null for a send made here; for a message another node sent with a {@link
   *     SharedLog} token, that token
   * @return how many streams were served and not found closed
   */
  int deliver(
      Object actions, Object keyOrPattern, List<Map.Entry<Object, Object>> targets, @Nullable String token) {
    IPersistentMap nexus = this.nexus;
    if (nexus == null) throw new IllegalStateException("a delivery within requests has no Nexus of its own");
    IPersistentMap ctx =
        PersistentArrayMap.createAsIfByAssoc(
            new Object[] {
              Names.NEXUS, nexus,
              Names.SYSTEM, PersistentArrayMap.EMPTY,
              Names.DISPATCH_DATA,
                  PersistentArrayMap.createAsIfByAssoc(new Object[] {Names.RESPONSE, null}),
              Names.ACTIONS, actions
            });
    return run(new Shared(ctx, nexus, true), keyOrPattern, targets, token);
  }

  private int run(
      Shared shared, Object keyOrPattern, List<Map.Entry<Object, Object>> targets, @Nullable String token) {
    List<Map.Entry<Object, Object>> live = live(targets);
    Replay r = replay;
    SharedHistory h = r == null ? null : r.shared();
    if (h != null && StreamGroup.sdkExtended()) {
      return logged(h, shared, new Push(keyOrPattern, shared.actions, live, token));
    }
    if (r != null && StreamGroup.sdkExtended()) {
      List<Object> keys = r.keysFor(keyOrPattern, live);
      // the actions run on a group, so every event they send, from any depth, is recorded
      for (List<Object> together : renderedTogether(shared, keys)) {
        new RenderOnce(shared, List.of(), new StreamGroup(liveUnder(live, together), together, r, shared::dead)).run();
      }
    } else if (live.size() > 1 && renderOnce && StreamGroup.sdkExtended()) {
      new RenderOnce(shared, live, new StreamGroup(live, List.of(), null, shared::dead)).run();
    } else {
      for (Map.Entry<Object, Object> target : live) {
        shared.dispatch(shared.nexus, target, shared.actions, true);
      }
    }
    return live.size() - shared.dead.size();
  }

  /**
   * A delivery with a shared history: relayed to the other nodes the push is for, which run it
   * for their own keys; here, the actions run once for the keys this node holds or held (once per
   * key outside a request), on a collecting group with no member, and the events they sent go to
   * the log of each key with the push's token, which carries them to every node holding it, this
   * one included. The log keeps the first node's events of a token and drops the others.
   */
  private int logged(SharedHistory h, Shared shared, Push push) {
    try {
      return h.push(
          push,
          keys -> {
            Map<Object, List<Object>> events = new LinkedHashMap<>();
            for (List<Object> together : renderedTogether(shared, keys)) {
              RenderOnce run = new RenderOnce(shared, List.of(), StreamGroup.collecting(together));
              run.run();
              for (Object key : together) events.put(key, run.group.collected());
            }
            return events;
          },
          failure -> {
            // outside a request, a node cut off says so once, not at every send
            if (!shared.ownRequests || policy.cluster().map(Peers::connected).orElse(true)) shared.report(failure);
          });
    } catch (InvalidInputException notData) {
      shared.report(notData);
      return 0;
    }
  }

  /**
   * The keys whose events a delivery with a history renders in one run: all of them, for a
   * request's push (every key's streams get what that request sends); each key alone, outside a
   * request, as each renders with a request of its own streams ({@link Replay#requestOf}).
   */
  private static List<List<Object>> renderedTogether(Shared shared, List<Object> keys) {
    if (keys.isEmpty()) return List.of();
    if (!shared.ownRequests || keys.size() < 2) return List.of(keys);
    List<List<Object>> each = new ArrayList<>(keys.size());
    for (Object key : keys) each.add(List.of(key));
    return each;
  }

  /** The targets under one of {@code keys}. */
  private static List<Map.Entry<Object, Object>> liveUnder(List<Map.Entry<Object, Object>> live, List<Object> keys) {
    if (keys.size() != 1) return live;
    List<Map.Entry<Object, Object>> under = new ArrayList<>();
    for (Map.Entry<Object, Object> target : live) {
      if (Clj.sameKey(keys.get(0), target.getKey())) under.add(target);
    }
    return under;
  }

  /** The targets the store still holds, each stream once. */
  private List<Map.Entry<Object, Object>> live(List<Map.Entry<Object, Object>> targets) {
    List<Map.Entry<Object, Object>> live = new ArrayList<>(targets.size());
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Object key = null;
    Set<Object> held = Collections.emptySet();
    for (Map.Entry<Object, Object> target : targets) {
      if (target.getKey() != key) { // targets come grouped by key: read each key once
        key = target.getKey();
        held = Collections.newSetFromMap(new IdentityHashMap<>());
        held.addAll(policy.connectionsQuietly(key));
      }
      if (seen.add(target.getValue()) && held.contains(target.getValue())) live.add(target);
    }
    return live;
  }

  /** {@code nexus.core/dispatch}, resolved on first use. */
  private IFn nexusDispatch() {
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

  /** What every dispatch of one delivery shares: the ctx's Nexus, system, dispatch-data, actions. */
  private final class Shared {
    final IPersistentMap ctx;
    final IPersistentMap nexus;
    final Object actions;
    final IPersistentMap system;
    final IPersistentMap data;
    /** True outside a request: each stream's own opening request stands in. */
    final boolean ownRequests;
    /** The streams found closed during this delivery, each removed once. */
    final Set<Object> dead = Collections.newSetFromMap(new IdentityHashMap<>());

    Shared(IPersistentMap ctx, IPersistentMap nexus, boolean ownRequests) {
      this.ctx = ctx;
      this.nexus = nexus;
      this.actions = ctx.valAt(Names.ACTIONS);
      this.system = asMap(ctx.valAt(Names.SYSTEM));
      this.data = asMap(ctx.valAt(Names.DISPATCH_DATA));
      this.ownRequests = ownRequests;
    }

    /**
     * One dispatch of {@code actions} on {@code target}'s stream; failures are reported, never
     * thrown. With {@code checkWrites}, a send that answered false marks the stream closed.
     */
    void dispatch(IPersistentMap through, Map.Entry<Object, Object> target, Object actions, boolean checkWrites) {
      Object key = target.getKey();
      Object conn = target.getValue();
      try {
        IPersistentMap sys = system.assoc(Names.SSE, conn);
        IPersistentMap d = data.assoc(Names.CONNECTION, conn).assoc(Names.STREAM_KEY, key);
        if (ownRequests) {
          Object request = requestFor(key, conn);
          sys = sys.assoc(Names.REQUEST_KEY, request);
          d = d.assoc(Names.REQUEST, request);
        }
        Object result = nexusDispatch().invoke(through, sys, d, actions);
        if (checkWrites && result instanceof ILookup && wroteToClosed(((ILookup) result).valAt(Names.RESULTS))) {
          dead(conn);
        }
        reportErrors(result, key);
      } catch (Throwable t) {
        Log.rethrowIfFatal(t);
        report(
            new DeaconException(
                "datastar.wow.deacon: the dispatch to one stream of key " + Shown.key(key)
                    + " threw; the other streams were still served",
                PersistentArrayMap.createAsIfByAssoc(new Object[] {Names.KEY, key}),
                t));
      }
    }

    private void reportErrors(@Nullable Object result, Object key) {
      Object errors = result instanceof ILookup ? ((ILookup) result).valAt(Names.ERRORS) : null;
      if (!(errors instanceof Iterable)) return;
      for (Object error : (Iterable<?>) errors) {
        Object err = error instanceof ILookup ? ((ILookup) error).valAt(Names.ERR) : null;
        if (err instanceof Throwable) {
          report(
              new DeaconException(
                  "datastar.wow.deacon: an effect failed on one stream of key " + Shown.key(key),
                  PersistentArrayMap.createAsIfByAssoc(
                      new Object[] {Names.KEY, key, Keyword.intern("error"), error}),
                  (Throwable) err));
        }
      }
    }

    /** The request a dispatch outside any request runs with: that of the stream's opening. */
    private @Nullable Object requestFor(Object key, Object conn) {
      Replay r = replay;
      if (conn instanceof StreamGroup && r != null) return r.requestOf(key);
      return policy.ownership().map(o -> o.ownerOf(key, conn)).orElse(null);
    }

    void dead(Object conn) {
      if (dead.add(conn)) store.purgeConnection(conn, RemovalCause.DEAD);
    }

    void report(Throwable e) {
      try {
        onError.accept(e, ctx);
      } catch (Throwable reportFailure) {
        Log.rethrowIfFatal(reportFailure);
        e.addSuppressed(reportFailure);
        Log.error(e.getMessage(), e);
      }
    }
  }

  /**
   * One render-once delivery. Nexus runs each effect of a dispatch once, on that dispatch's
   * {@code :sse}; to render each event once yet run every other effect on every stream, the
   * actions run in one dispatch on the first stream, through the app's Nexus with this run's own
   * interceptor added. The interceptor watches the effects of that dispatch only (not those of
   * dispatches nested inside an effect, nor any made from another thread or after the run): a
   * {@code :datastar.wow/send} gets the {@link StreamGroup} as its {@code :sse}, and any other
   * effect is run again, right after, on each other live stream.
   */
  private static final class RenderOnce {
    final Shared shared;
    final List<Map.Entry<Object, Object>> targets;
    final StreamGroup group;
    /** The stream the run's dispatch is on: the first target's, or the group's when none is open. */
    final Map.Entry<Object, Object> first;
    final Thread thread = Thread.currentThread();
    /** How deep the dispatch on this thread is nested: 1 inside the run's own dispatch. */
    int depth;
    boolean done;

    RenderOnce(Shared shared, List<Map.Entry<Object, Object>> targets, StreamGroup group) {
      this.shared = shared;
      this.targets = targets;
      this.group = group;
      this.first = targets.isEmpty() ? Clj.pair(group.firstKey(), group) : targets.get(0);
    }

    void run() {
      Object vector = shared.nexus.valAt(NEXUS_INTERCEPTORS);
      IPersistentVector interceptors =
          vector instanceof IPersistentVector ? (IPersistentVector) vector : PersistentVector.EMPTY;
      IPersistentMap nexus = shared.nexus.assoc(NEXUS_INTERCEPTORS, interceptors.cons(interceptor()));
      try {
        shared.dispatch(nexus, first, shared.actions, false);
      } finally {
        done = true;
      }
    }

    private IPersistentMap interceptor() {
      return PersistentArrayMap.createAsIfByAssoc(
          new Object[] {
            Names.ID, RENDER_ONCE_ID,
            Names.BEFORE_DISPATCH, new Hook(this, Names.BEFORE_DISPATCH),
            Names.AFTER_DISPATCH, new Hook(this, Names.AFTER_DISPATCH),
            Names.BEFORE_EFFECT, new Hook(this, Names.BEFORE_EFFECT),
            Names.AFTER_EFFECT, new Hook(this, Names.AFTER_EFFECT)
          });
    }

    /** One interceptor hook of this run, called by Nexus with its ctx. */
    Object on(Keyword hook, Object ctx) {
      if (done || Thread.currentThread() != thread || !(ctx instanceof IPersistentMap)) return ctx;
      if (hook == Names.BEFORE_DISPATCH) depth++;
      else if (hook == Names.AFTER_DISPATCH) depth--;
      else if (depth == 1 && hook == Names.BEFORE_EFFECT) return beforeEffect((IPersistentMap) ctx);
      else if (depth == 1) return afterEffect((IPersistentMap) ctx);
      return ctx;
    }

    private IPersistentMap beforeEffect(IPersistentMap ctx) {
      if (effectId(ctx) != Names.SEND) return ctx;
      return ctx.assoc(Names.SYSTEM, asMap(ctx.valAt(Names.SYSTEM)).assoc(Names.SSE, group));
    }

    private IPersistentMap afterEffect(IPersistentMap ctx) {
      Object id = effectId(ctx);
      if (id == Names.SEND) {
        // Nexus threads this ctx on to the next effects: give them the first stream back
        return ctx.assoc(Names.SYSTEM, asMap(ctx.valAt(Names.SYSTEM)).assoc(Names.SSE, first.getValue()));
      }
      if (id != null) again(ctx.valAt(Names.EFFECT));
      return ctx;
    }

    /** An effect other than a send ran on the first stream: run it on each other live stream. */
    private void again(Object effect) {
      IPersistentVector actions = PersistentVector.EMPTY.cons(effect);
      for (Map.Entry<Object, Object> target : targets.subList(Math.min(1, targets.size()), targets.size())) {
        if (group.live(target.getValue())) shared.dispatch(shared.nexus, target, actions, true);
      }
    }
  }

  /** A Nexus interceptor hook of one {@link RenderOnce} run. */
  private static final class Hook extends AFn {
    private final RenderOnce run;
    private final Keyword hook;

    Hook(RenderOnce run, Keyword hook) {
      this.run = run;
      this.hook = hook;
    }

    @Override
    public Object invoke(Object ctx) {
      return run.on(hook, ctx);
    }
  }

  /** The id of the effect a Nexus effect ctx is running, or null. */
  private static @Nullable Object effectId(IPersistentMap ctx) {
    Object effect = ctx.valAt(Names.EFFECT);
    return effect instanceof Indexed && RT.count(effect) > 0 ? ((Indexed) effect).nth(0) : null;
  }

  /** True when a {@code :datastar.wow/send} effect answered exactly {@code false}. */
  private static boolean wroteToClosed(@Nullable Object results) {
    if (!(results instanceof Iterable)) return false;
    for (Object r : (Iterable<?>) results) {
      if (!(r instanceof ILookup) || ((ILookup) r).valAt(Names.RES) != Boolean.FALSE) continue;
      Object effect = ((ILookup) r).valAt(Names.EFFECT);
      if (effect instanceof Indexed && RT.count(effect) > 0 && ((Indexed) effect).nth(0) == Names.SEND) {
        return true;
      }
    }
    return false;
  }

  private static IPersistentMap asMap(@Nullable Object m) {
    return m instanceof IPersistentMap ? (IPersistentMap) m : PersistentArrayMap.EMPTY;
  }
}
