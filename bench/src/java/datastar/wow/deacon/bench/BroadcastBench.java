package datastar.wow.deacon.bench;

import clojure.lang.IFn;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.RT;
import datastar.wow.deacon.ConnectionStore;
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
 * One request whose response is {@code {:datastar.wow.deacon/broadcast-all :app/feed
 * :datastar.wow/fx [...]}}, handled as datastar.wow handles it (the stand-in's {@code request!}:
 * the look-up dispatch, then the effects dispatch, in which deacon's interceptor runs the two events
 * on every matching stream). The store holds {@code n} feeds {@code [user-i :app/feed]}, one stream
 * each, and {@code 10 × n} other keys of the same users that the pattern does not match.
 *
 * <p>{@code sdk}: true when the SDK's protocol is there, so that deacon renders the fan-out once
 * (one dispatch; each event's text built per stream by that stream's send); false for a dispatch
 * per stream (the registry option {@code :render-once? false}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BroadcastBench {
  @Param({"1", "100", "1000", "10000"})
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
    ConnectionStore s = Wow.store(store, 11 * n, false);
    Object[] feeds = new Object[n];
    Object[] others = new Object[10 * n];
    for (int i = 0; i < n; i++) s.store(Wow.userKey(i, Wow.FEED), feeds[i] = Wow.stream(i));
    for (int j = 0; j < others.length; j++) s.store(Wow.otherKey(j), others[j] = Wow.stream(-j - 1));
    Wow.settle(s);
    Wow.check(s.count() == 11 * n, "the store lost entries");

    dispatch = Wow.dispatch(Wow.registry(s, sdk));
    request = Wow.requestFn();
    ring = Fixtures.request(7);
    response = Wow.response(Wow.BROADCAST_ALL, Wow.FEED);

    Object result = request.invoke(dispatch, ring, response);
    Wow.check(Long.valueOf(204).equals(RT.get(result, Keyword.intern("status"))), "no 204: " + result);
    long each = Wow.written(feeds[0]);
    Wow.check(each > 0, "the broadcast reached no stream");
    for (Object f : feeds) Wow.check(Wow.written(f) == each, "a feed missed the broadcast");
    for (Object o : others) Wow.check(Wow.written(o) == 0, "the broadcast reached a stream it does not match");

    Wow.warm(this::broadcastAll);
    Fixtures.settle();
  }

  @Benchmark
  public Object broadcastAll() {
    return request.invoke(dispatch, ring, response);
  }
}
