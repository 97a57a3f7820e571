package datastar.wow.deacon.bench;

import clojure.lang.IDeref;
import clojure.lang.IFn;
import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.Keyword;
import clojure.lang.RT;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
import datastar.wow.deacon.ConnectionStore;
import datastar.wow.deacon.Deacon;

/**
 * The request flow of datastar.wow for the dispatch benchmarks: the main project's stand-ins of
 * datastar.wow ({@code datastar.wow.deacon.test.wow}) and Nexus ({@code nexus.core}), with deacon's
 * registry made by the Clojure API, as an app makes it, and streams that build each event's text
 * ({@code bench.stream}).
 */
final class Wow {
  private Wow() {}

  static final String WOW = "datastar.wow.deacon.test.wow";

  /** The key of the fan-out and broadcast benchmarks: every user's feed. */
  static final Keyword FEED = Fixtures.kw("app", "feed");

  static final Keyword FX = Fixtures.kw("datastar.wow", "fx");
  static final Keyword BROADCAST_ALL = Deacon.BROADCAST_ALL;

  /** Loads the stand-ins and deacon's namespace (which extends the SDK's protocol to fan-outs). */
  static void load() {
    Fixtures.require("datastar.wow.deacon");
    Fixtures.require(WOW);
    Fixtures.require("bench.stream");
    Fixtures.require("bench.dispatch");
  }

  /** @return a dispatch function over the given registries, as datastar.wow builds one */
  static IFn dispatch(Object... registries) {
    return (IFn) Fixtures.var(WOW, "create-dispatch").invoke(RT.vector(registries));
  }

  /** @return deacon's registry over {@code store}, default options (one global scope) */
  static IPersistentMap registry(ConnectionStore store) {
    return (IPersistentMap) Fixtures.var("datastar.wow.deacon", "registry").invoke(store);
  }

  /**
   * @param renderOnce how a fan-out or broadcast runs: true, one dispatch, each event rendered once
   *     and written to every stream (the SDK's protocol stand-in extended to the stream group);
   *     false, a dispatch per stream
   * @return deacon's registry over {@code store}, one global scope
   */
  static IPersistentMap registry(ConnectionStore store, boolean renderOnce) {
    return (IPersistentMap)
        Fixtures.var("datastar.wow.deacon", "registry")
            .invoke(store, Fixtures.map(Keyword.intern("render-once?"), renderOnce));
  }

  static IPersistentMap noopRegistry() {
    return (IPersistentMap) Fixtures.var("bench.dispatch", "noop-registry").invoke();
  }

  static IPersistentMap captureRegistry(Object atom) {
    return (IPersistentMap) Fixtures.var("bench.dispatch", "capture-registry").invoke(atom);
  }

  static IFn beforeDispatch(IPersistentMap registry) {
    return (IFn) Fixtures.var("bench.dispatch", "before-dispatch").invoke(registry);
  }

  /** {@code datastar.wow.deacon.test.wow/request!}: one Datastar request, as datastar.wow handles it. */
  static IFn requestFn() {
    return Fixtures.var(WOW, "request!");
  }

  /** @return a stream building each event's SSE text */
  static Object stream(int id) {
    return Fixtures.var("bench.stream", "stream").invoke(id);
  }

  /** @return how many characters of event text {@code stream} was given */
  static long written(Object stream) {
    return (Long) ((IDeref) stream).deref();
  }

  /**
   * The actions of a handler pushing an update, already rendered, as a handler's effects reach the
   * SDK: an element patch and a signal patch, two events.
   */
  static IPersistentVector actions() {
    return RT.vector(
        RT.vector(
            Fixtures.kw("datastar.wow", "patch-elements"),
            "<div id=\"feed\" class=\"feed\"><p class=\"item\">Build 4127 passed in 3m 12s</p>"
                + "<button data-on-click=\"@post('/feed/ack')\">Ack</button></div>"),
        RT.vector(Fixtures.kw("datastar.wow", "patch-signals"), "{\"unread\":3,\"lastBuild\":4127}"));
  }

  /** @return a response {@code {mode k, :datastar.wow/fx actions}}, or without key when mode is null */
  static IPersistentMap response(Keyword mode, Object k) {
    return mode == null ? Fixtures.map(FX, actions()) : Fixtures.map(mode, k, FX, actions());
  }

  /** @return the dispatch-data datastar.wow gives every dispatch of a request */
  static IPersistentMap data(IPersistentMap response, IPersistentMap request) {
    return Fixtures.map(
        Fixtures.kw("datastar.wow", "response"), response,
        Fixtures.kw("datastar.wow", "request"), request,
        Fixtures.kw("datastar.wow", "with-open-sse?"), false);
  }

  /** @return the system of a dispatch on {@code sse} */
  static IPersistentMap system(Object sse, IPersistentMap request) {
    return Fixtures.map(Fixtures.kw("sse"), sse, Fixtures.kw("request"), request);
  }

  /** @return an atom or Caffeine store with room for {@code entries} */
  static ConnectionStore store(String kind, int entries, boolean fanOut) {
    switch (kind) {
      case "atom":
        return AtomStore.builder().fanOut(fanOut).build();
      case "caffeine":
        return CaffeineStore.builder().maximumSize(Filled.maximumSize(entries)).fanOut(fanOut).build();
      default:
        throw new IllegalArgumentException("store: " + kind);
    }
  }

  /** Runs a Caffeine store's pending maintenance; nothing for other stores. */
  static void settle(ConnectionStore store) {
    if (store instanceof CaffeineStore) ((CaffeineStore) store).cleanUp();
  }

  /** @return {@code [user-i k]}, a key scoped per user */
  static IPersistentVector userKey(int i, Object k) {
    return Deacon.scopedKey("user-" + i, k);
  }

  /** @return the j-th key that no feed pattern matches: ten per user, none of them the feed */
  static IPersistentVector otherKey(int j) {
    return Deacon.scopedKey("user-" + (j / 10), Fixtures.kw("app", "panel-" + (j % 10)));
  }

  /** CPU time of the benchmark thread that {@link #warm} spends before the measurement. */
  static final long WARM_CPU_NANOS = 3_000_000_000L;

  /**
   * Runs {@code ops} in turn until the calling thread has spent {@link #WARM_CPU_NANOS} of CPU time
   * in them (or a minute has passed), so that the JIT has compiled the stand-ins' dispatch before
   * JMH's own warm-up starts. A dispatch through them runs a lot of Clojure code: on this shared
   * machine four one-second warm-up iterations alone left it partly interpreted.
   */
  static void warm(Runnable... ops) {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpu = threads.getCurrentThreadCpuTime();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (threads.getCurrentThreadCpuTime() - cpu < WARM_CPU_NANOS && System.nanoTime() < deadline) {
      for (int i = 0; i < 100; i++) {
        for (Runnable op : ops) op.run();
      }
    }
  }

  static void check(boolean ok, String what) {
    if (!ok) throw new IllegalStateException(what);
  }
}
