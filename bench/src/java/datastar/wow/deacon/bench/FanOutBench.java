package datastar.wow.deacon.bench;

import clojure.lang.IFn;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.RT;
import datastar.wow.deacon.ConnectionStore;
import datastar.wow.deacon.Deacon;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One request whose response is {@code {:datastar.wow.deacon/key :app/feed :datastar.wow/fx
 * [...]}} on a fan-out store whose key holds {@code n} streams (tabs), handled as datastar.wow
 * handles it (the stand-in's {@code request!}: the look-up finds the newest tab, the effects
 * dispatch on it, and deacon's interceptor runs the two events on every tab). The store holds 1,000
 * other keys. {@code n = 1} is an ordinary keyed request on its stored stream.
 *
 * <p>{@code sdk}: as in {@link BroadcastBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FanOutBench {
  static final int OTHERS = 1000;

  @Param({"1", "4", "100"})
  int n;

  @Param({"atom", "caffeine"})
  String store;

  @Param({"true", "false"})
  boolean sdk;

  IFn request;
  IFn dispatch;
  IPersistentMap ring;
  IPersistentMap response;

  @Setup
  public void setUp() {
    Wow.load();
    ConnectionStore s = Wow.store(store, OTHERS + n, true);
    for (int i = 0; i < OTHERS; i++) s.store(Fixtures.key(i), new Fixtures.Sse(i));
    Object key = Deacon.scopedKey(Deacon.DEFAULT_ID, Wow.FEED);
    Object[] tabs = new Object[n];
    for (int i = 0; i < n; i++) s.store(key, tabs[i] = Wow.stream(i));
    Wow.settle(s);
    Wow.check(s.count(key) == n, "the key does not hold every tab");

    dispatch = Wow.dispatch(Wow.registry(s, sdk));
    request = Wow.requestFn();
    ring = Fixtures.request(7);
    response = Wow.response(Deacon.KEY, Wow.FEED);

    Object result = request.invoke(dispatch, ring, response);
    Wow.check(Long.valueOf(204).equals(RT.get(result, Keyword.intern("status"))), "no 204: " + result);
    long each = Wow.written(tabs[0]);
    Wow.check(each > 0, "the keyed response reached no tab");
    for (Object t : tabs) Wow.check(Wow.written(t) == each, "a tab missed the keyed response");
    Wow.check(s.count(key) == n, "the request changed the key's tabs");

    Wow.warm(this::keyedFanOut);
    Fixtures.settle();
  }

  @Benchmark
  public Object keyedFanOut() {
    return request.invoke(dispatch, ring, response);
  }
}
