package datastar.wow.deacon;

import clojure.lang.AFn;
import clojure.lang.ExceptionInfo;
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
import datastar.wow.deacon.impl.Fanout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Runs a response's actions on several streams, through the dispatch ctx's own Nexus ({@code
 * nexus.core/dispatch} with the ctx's {@code :nexus}), so that every effect, datastar.wow's and
 * the app's, runs on each stream as it would on that stream alone, and deacon's interceptor leaves
 * these dispatches alone ({@code :datastar.wow/connection} is set in their dispatch-data, and
 * {@code :datastar.wow.deacon/stream-key} to the key the stream was found under).
 *
 * <p>When the Datastar SDK is on the classpath, the actions run in ONE dispatch, on the first
 * stream: each {@code :datastar.wow/send} effect (every event datastar.wow sends goes through it)
 * renders its event once and writes it to every stream through a {@link Fanout}; every other
 * effect runs again, right after, once for each other stream, with {@code :sse} bound to it. Each
 * stream so gets exactly what a dispatch on it alone would have sent, in the order of the actions.
 * Effects of dispatches nested inside an effect, or made later from another thread, are left to
 * run where they run. Without the SDK, each stream gets a dispatch of its own.
 *
 * <p>A stream that fails does not stop the others: one whose write answered {@code false} (closed)
 * is removed with cause {@code :dead}; any other failure goes to {@code :on-error}.
 */
final class Delivery {
  private static final Symbol NEXUS_DISPATCH = Symbol.intern("nexus.core", "dispatch");
  private static final Keyword NEXUS_INTERCEPTORS = Keyword.intern("nexus", "interceptors");
  private static volatile @Nullable IFn dispatch;
  /** The fan-out running on this thread, if any. */
  private static final ThreadLocal<Run> ACTIVE = new ThreadLocal<>();

  private final ConnectionStore store;
  private final BiConsumer<Throwable, Object> onError;

  /**
   * Makes a delivery over {@code store}.
   *
   * @param store where the streams live; dead ones are removed from it
   * @param onError told of each failure, with the ctx of the dispatch it came from
   */
  Delivery(ConnectionStore store, BiConsumer<Throwable, Object> onError) {
    this.store = store;
    this.onError = onError;
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
   * Runs {@code ctx}'s actions on each stream of {@code targets} ({@code [key connection]} pairs)
   * that the store still holds; a stream listed under several keys is served once.
   *
   * @return how many streams were served
   */
  int deliver(IPersistentMap ctx, List<Map.Entry<Object, Object>> targets) {
    Object nexus = ctx.valAt(Names.NEXUS);
    if (!(nexus instanceof IPersistentMap)) {
      throw new IllegalStateException(
          "datastar.wow.deacon: fan-out and broadcast need the dispatch ctx's :nexus (Nexus"
              + " 2025.10 or newer); this dispatch has none");
    }
    List<Map.Entry<Object, Object>> live = new ArrayList<>();
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<Object, Object> target : targets) {
      if (seen.add(target.getValue()) && held(target.getKey(), target.getValue())) live.add(target);
    }
    return deliver(new Target(ctx, (IPersistentMap) nexus, false), live);
  }

  /**
   * Runs {@code actions} on each of {@code targets} outside any request (a background job, or a
   * message from another node), through {@code nexus}, as if in each stream's own request: its
   * {@code :request} is the request that opened it.
   *
   * @return how many streams were served
   */
  int deliver(IPersistentMap nexus, Object actions, List<Map.Entry<Object, Object>> targets) {
    IPersistentMap ctx =
        PersistentArrayMap.createAsIfByAssoc(
            new Object[] {
              Names.NEXUS, nexus,
              Names.SYSTEM, PersistentArrayMap.EMPTY,
              Names.DISPATCH_DATA, PersistentArrayMap.createAsIfByAssoc(new Object[] {Names.RESPONSE, null}),
              Names.ACTIONS, actions
            });
    List<Map.Entry<Object, Object>> live = new ArrayList<>();
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<Object, Object> target : targets) {
      if (seen.add(target.getValue()) && held(target.getKey(), target.getValue())) live.add(target);
    }
    return deliver(new Target(ctx, nexus, true), live);
  }

  /** Delivers; returns how many of {@code live} were written and not found closed. */
  private int deliver(Target to, List<Map.Entry<Object, Object>> live) {
    if (live.size() > 1 && Fanout.usable()) {
      new Run(to, live).run();
    } else {
      for (Map.Entry<Object, Object> target : live) {
        to.dispatch(target.getKey(), target.getValue(), to.actions, true);
      }
    }
    return live.size() - to.dead.size();
  }

  private boolean held(Object key, Object conn) {
    if (!(store instanceof BaseStore)) return store.connection(key) == conn;
    for (Object c : ((BaseStore) store).connectionsOf(key)) {
      if (c == conn) return true;
    }
    return false;
  }


  /** What every dispatch of one delivery shares: the ctx's Nexus, system, dispatch-data, actions. */
  private final class Target {
    final IPersistentMap ctx;
    final IPersistentMap nexus;
    final IFn dispatch = nexusDispatch();
    final Object actions;
    final IPersistentMap system;
    final IPersistentMap data;
    /** True outside a request: each stream's own opening request stands in. */
    final boolean ownRequests;
    /** The streams found closed during this delivery, each removed once. */
    final Set<Object> dead = Collections.newSetFromMap(new IdentityHashMap<>());

    Target(IPersistentMap ctx, IPersistentMap nexus, boolean ownRequests) {
      this.ctx = ctx;
      this.nexus = nexus;
      this.actions = ctx.valAt(Names.ACTIONS);
      this.system = asMap(ctx.valAt(Names.SYSTEM));
      this.data = asMap(ctx.valAt(Names.DISPATCH_DATA));
      this.ownRequests = ownRequests;
    }

    /** One dispatch of {@code actions} on stream {@code conn}; failures are reported, never thrown. */
    void dispatch(Object key, Object conn, Object actions, boolean checkWrites) {
      dispatch(nexus, key, conn, actions, checkWrites);
    }

    void dispatch(IPersistentMap nexus, Object key, Object conn, Object actions, boolean checkWrites) {
      try {
        IPersistentMap sys = system.assoc(Names.SSE, conn);
        IPersistentMap d = data.assoc(Names.CONNECTION, conn).assoc(Names.STREAM_KEY, key);
        if (ownRequests) {
          Object request = store instanceof BaseStore ? ((BaseStore) store).ownerOf(key, conn) : null;
          sys = sys.assoc(Names.REQUEST_KEY, request);
          d = d.assoc(Names.REQUEST, request);
        }
        Object result = dispatch.invoke(nexus, sys, d, actions);
        if (checkWrites && result instanceof ILookup && wroteToClosed(((ILookup) result).valAt(Names.RESULTS))) {
          dead(conn);
        }
        reportErrors(result, key);
      } catch (Throwable t) {
        Log.rethrowIfFatal(t);
        report(
            new ExceptionInfo(
                "datastar.wow.deacon: the dispatch to one stream of key "
                    + InvalidInputException.describe(key)
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
              new ExceptionInfo(
                  "datastar.wow.deacon: an effect failed on one stream of key "
                      + InvalidInputException.describe(key),
                  PersistentArrayMap.createAsIfByAssoc(
                      new Object[] {Names.KEY, key, Keyword.intern("error"), error}),
                  (Throwable) err));
        }
      }
    }

    void dead(Object conn) {
      if (!dead.add(conn)) return;
      if (store instanceof BaseStore) ((BaseStore) store).purgeConnection(conn, RemovalCause.DEAD);
      else store.purgeConnection(conn);
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
   * One render-once fan-out: the actions run in one dispatch on the first stream, with {@link
   * #INTERCEPTOR} added to its Nexus; it sends through the {@link Fanout} and re-runs every other
   * effect on the other streams.
   */
  private static final class Run {
    final Target to;
    final List<Map.Entry<Object, Object>> targets;
    final Fanout fanout;
    int depth;

    Run(Target to, List<Map.Entry<Object, Object>> targets) {
      this.to = to;
      this.targets = targets;
      List<Object> conns = new ArrayList<>(targets.size());
      for (Map.Entry<Object, Object> t : targets) conns.add(t.getValue());
      this.fanout = new Fanout(conns, to::dead);
    }

    Object first() {
      return targets.get(0).getValue();
    }

    void run() {
      Map.Entry<Object, Object> first = targets.get(0);
      Object vector = to.nexus.valAt(NEXUS_INTERCEPTORS);
      IPersistentVector interceptors =
          vector instanceof IPersistentVector ? (IPersistentVector) vector : PersistentVector.EMPTY;
      IPersistentMap nexus = to.nexus.assoc(NEXUS_INTERCEPTORS, interceptors.cons(INTERCEPTOR));
      Run previous = ACTIVE.get();
      ACTIVE.set(this);
      try {
        to.dispatch(nexus, first.getKey(), first.getValue(), to.actions, false);
      } finally {
        if (previous == null) ACTIVE.remove();
        else ACTIVE.set(previous);
      }
    }

    /** An effect other than a send ran on the first stream: run it on each other live stream. */
    void again(Object effect) {
      IPersistentVector actions = PersistentVector.EMPTY.cons(effect);
      for (int i = 1; i < targets.size(); i++) {
        Map.Entry<Object, Object> t = targets.get(i);
        if (fanout.live(t.getValue())) to.dispatch(t.getKey(), t.getValue(), actions, true);
      }
    }
  }

  /** The effect a Nexus effect ctx is running, or null. */
  private static @Nullable Object effectId(Object ctx) {
    Object effect = ctx instanceof ILookup ? ((ILookup) ctx).valAt(Names.EFFECT) : null;
    return effect instanceof Indexed && RT.count(effect) > 0 ? ((Indexed) effect).nth(0) : null;
  }

  /** Whether {@code ctx} is an effect of the fan-out dispatch itself (not of one nested in it). */
  private static @Nullable Run topLevel() {
    Run run = ACTIVE.get();
    return run != null && run.depth == 1 ? run : null;
  }

  /**
   * The Nexus interceptor of a render-once dispatch: it counts dispatch depth (nested dispatches
   * run on the same thread, inside an effect), hands top-level sends the {@link Fanout}, and re-runs
   * every other top-level effect on the other streams.
   */
  private static final IPersistentMap INTERCEPTOR =
      PersistentArrayMap.createAsIfByAssoc(
          new Object[] {
            Names.ID, Keyword.intern("datastar.wow.deacon", "fanout"),
            Keyword.intern("before-dispatch"),
                new AFn() {
                  @Override
                  public Object invoke(Object ctx) {
                    Run run = ACTIVE.get();
                    if (run != null) run.depth++;
                    return ctx;
                  }
                },
            Keyword.intern("after-dispatch"),
                new AFn() {
                  @Override
                  public Object invoke(Object ctx) {
                    Run run = ACTIVE.get();
                    if (run != null) run.depth--;
                    return ctx;
                  }
                },
            Keyword.intern("before-effect"),
                new AFn() {
                  @Override
                  public Object invoke(Object ctx) {
                    Run run = topLevel();
                    if (run == null || effectId(ctx) != Names.SEND || !(ctx instanceof IPersistentMap)) {
                      return ctx;
                    }
                    IPersistentMap c = (IPersistentMap) ctx;
                    return c.assoc(Names.SYSTEM, asMap(c.valAt(Names.SYSTEM)).assoc(Names.SSE, run.fanout));
                  }
                },
            Keyword.intern("after-effect"),
                new AFn() {
                  @Override
                  public Object invoke(Object ctx) {
                    Run run = topLevel();
                    if (run == null || !(ctx instanceof IPersistentMap)) return ctx;
                    IPersistentMap c = (IPersistentMap) ctx;
                    Object id = effectId(ctx);
                    if (id == Names.SEND) {
                      // Nexus threads the ctx on to the next effects: give them the first stream back
                      return c.assoc(
                          Names.SYSTEM, asMap(c.valAt(Names.SYSTEM)).assoc(Names.SSE, run.first()));
                    }
                    if (id != null) run.again(c.valAt(Names.EFFECT));
                    return ctx;
                  }
                }
          });

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

  private static IPersistentMap asMap(@Nullable Object m) {
    return m instanceof IPersistentMap ? (IPersistentMap) m : PersistentArrayMap.EMPTY;
  }
}
