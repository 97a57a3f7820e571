package datastar.wow.deacon.bench;

import clojure.lang.Atom;
import clojure.lang.IFn;
import clojure.lang.IPersistentMap;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.ConnectionStore;
import datastar.wow.deacon.Deacon;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Whole dispatches through the datastar.wow and Nexus stand-ins, the way datastar.wow pushes a
 * handler's effects down a stream (two events: an element patch and a signal patch), with deacon's
 * registry over an atom or a Caffeine store of 1,000 other entries:
 *
 * <ul>
 *   <li>{@code *NoKey}: the response names no key;
 *   <li>{@code *KeyedEffects}: the response names a key, and the dispatch runs on the stream that
 *       key already holds, stored by this same request: what every push to a stored stream costs
 *       (datastar.wow's effects dispatch of a keyed response carries the key and the stream);
 *   <li>{@code noopKeyedEffects}: that same dispatch with a no-op interceptor in place of deacon's;
 *   <li>{@code *InterceptorKeyedEffects}: deacon's {@code :before-dispatch} alone, on the ctx the
 *       stand-in Nexus gives it in that dispatch;
 *   <li>{@code streamSend}: one event written to the benchmarks' stream through the SDK protocol's
 *       {@code send-event!}, what each stream a fan-out reaches costs at least, per event.
 * </ul>
 *
 * <p>The set-up runs every case for a few seconds of CPU time first ({@link Wow#warm}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DispatchBench {
  static final int SIZE = 1000;

  IFn atomDispatch;
  IFn caffeineDispatch;
  IFn noopDispatch;
  IFn atomBefore;
  IFn caffeineBefore;
  Object atomCtx;
  Object caffeineCtx;
  IPersistentMap system;
  IPersistentMap noKey;
  IPersistentMap keyed;
  Object actions;
  IFn sendEvent;
  Object stream;
  Object eventType;
  Object eventData;
  Object opts;

  @Setup
  public void setUp() {
    Wow.load();
    IPersistentMap request = Fixtures.request(7);
    stream = Wow.stream(1);
    sendEvent = Fixtures.var("starfederation.datastar.clojure.protocols", "send-event!");
    eventType = Fixtures.kw("datastar.wow", "patch-elements");
    eventData = clojure.lang.RT.nth(clojure.lang.RT.nth(Wow.actions(), 0), 1);
    opts = Fixtures.map();
    system = Wow.system(stream, request);
    noKey = Wow.data(Wow.response(null, null), request);
    keyed = Wow.data(Wow.response(Deacon.KEY, Wow.FEED), request);
    actions = Wow.actions();
    noopDispatch = Wow.dispatch(Wow.noopRegistry());

    ConnectionStore atomStore = filled("atom");
    ConnectionStore caffeineStore = filled("caffeine");
    IPersistentMap atomRegistry = Wow.registry(atomStore);
    IPersistentMap caffeineRegistry = Wow.registry(caffeineStore);
    atomDispatch = Wow.dispatch(atomRegistry);
    caffeineDispatch = Wow.dispatch(caffeineRegistry);
    atomBefore = Wow.beforeDispatch(atomRegistry);
    caffeineBefore = Wow.beforeDispatch(caffeineRegistry);

    // the first keyed dispatch stores the stream (owned by the request); the others only read
    Object scoped = Deacon.scopedKey(Deacon.DEFAULT_ID, Wow.FEED);
    for (ConnectionStore store : new ConnectionStore[] {atomStore, caffeineStore}) {
      IFn dispatch = store == atomStore ? atomDispatch : caffeineDispatch;
      dispatch.invoke(system, keyed, actions);
      Wow.check(store.connection(scoped) == stream, "the keyed dispatch stored nothing");
    }
    Object before = ((clojure.lang.IDeref) ((AtomStore) atomStore).atom()).deref();
    long written = Wow.written(stream);
    atomDispatch.invoke(system, keyed, actions);
    Wow.check(((clojure.lang.IDeref) ((AtomStore) atomStore).atom()).deref() == before, "a keyed dispatch on the stored stream wrote");
    Wow.check(Wow.written(stream) > written, "the keyed dispatch sent nothing");
    written = Wow.written(stream);
    noopDispatch.invoke(system, keyed, actions);
    Wow.check(Wow.written(stream) > written, "the baseline dispatch sent nothing");

    atomCtx = capture(atomRegistry);
    caffeineCtx = capture(caffeineRegistry);
    Wow.warm(
        this::atomNoKey, this::caffeineNoKey, this::atomKeyedEffects, this::caffeineKeyedEffects,
        this::noopKeyedEffects, this::atomInterceptorKeyedEffects, this::caffeineInterceptorKeyedEffects,
        this::streamSend);
    Fixtures.settle();
  }

  private static ConnectionStore filled(String kind) {
    ConnectionStore store = Wow.store(kind, SIZE, false);
    for (int i = 0; i < SIZE; i++) store.store(Fixtures.key(i), new Fixtures.Sse(i));
    Wow.settle(store);
    return store;
  }

  /** @return the ctx deacon's {@code :before-dispatch} sees in the keyed effects dispatch */
  private Object capture(IPersistentMap registry) {
    Atom seen = new Atom(null);
    Wow.dispatch(Wow.captureRegistry(seen), registry).invoke(system, keyed, actions);
    Object ctx = seen.deref();
    Wow.check(ctx instanceof IPersistentMap && ((IPersistentMap) ctx).valAt(Fixtures.kw("nexus")) != null,
        "no dispatch ctx captured");
    return ctx;
  }

  @Benchmark
  public Object atomNoKey() {
    return atomDispatch.invoke(system, noKey, actions);
  }

  @Benchmark
  public Object caffeineNoKey() {
    return caffeineDispatch.invoke(system, noKey, actions);
  }

  @Benchmark
  public Object atomKeyedEffects() {
    return atomDispatch.invoke(system, keyed, actions);
  }

  @Benchmark
  public Object caffeineKeyedEffects() {
    return caffeineDispatch.invoke(system, keyed, actions);
  }

  @Benchmark
  public Object noopKeyedEffects() {
    return noopDispatch.invoke(system, keyed, actions);
  }

  @Benchmark
  public Object streamSend() {
    return sendEvent.invoke(stream, eventType, eventData, opts);
  }

  @Benchmark
  public Object atomInterceptorKeyedEffects() {
    return atomBefore.invoke(atomCtx);
  }

  @Benchmark
  public Object caffeineInterceptorKeyedEffects() {
    return caffeineBefore.invoke(caffeineCtx);
  }
}
