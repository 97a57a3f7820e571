package datastar.wow.deacon.bench;

import clojure.lang.AFn;
import clojure.lang.IFn;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.RT;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
import datastar.wow.deacon.ConnectionStore;
import datastar.wow.deacon.ConnectionWriter;
import datastar.wow.deacon.Deacon;
import datastar.wow.deacon.Replay;
import datastar.wow.deacon.StoreBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What replay ({@code :replay}, {@code replay(...)}) costs, in one run:
 *
 * <ul>
 *   <li>{@link #push}: one keyed request ({@code {:datastar.wow.deacon/key :app/feed
 *       :datastar.wow/fx [...]}}, two events) handled as datastar.wow handles it (the stand-in's
 *       {@code request!}), on a key holding {@code tabs} streams: 1 (a store without fan-out: an
 *       ordinary keyed push on the stored stream) or 100 (a fan-out store: every tab of a user),
 *       with replay on or off. The store holds {@code others} other keys, each with a stream
 *       (1,000: the store of {@link FanOutBench}; 0 and 10,000 show how the cost grows with them).
 *   <li>{@link #replayMissed}: a tab reconnecting with a {@code last-event-id} ({@code
 *       {:datastar.wow.deacon/subscribe :app/feed}}) that missed 1,000 events: the request opens
 *       its stream, deacon writes it the 1,000 events, then its opening event, and stores it.
 *   <li>{@link #replayMissedJava}: the same through the Java API, a store with a {@link
 *       ConnectionWriter}: {@link Replay#resume} of a stream that missed 1,000 events.
 * </ul>
 *
 * <p>Streams are the benchmarks' in-memory SDK-shaped sinks ({@code bench.stream}): each event's
 * text is built under the stream's lock, its {@code id:} line included, and counted.
 */
@BenchmarkMode(Mode.AverageTime)
public class ReplayBench {
  /** Events a reconnecting tab missed. */
  static final int MISSED = 1000;

  static final Keyword FX = Wow.FX;
  static final Keyword HEADERS = Fixtures.kw("headers");
  static final Keyword ON_OPEN = Fixtures.kw("d*.sse", "on-open");
  static final Keyword SSE_RESPONSE = Fixtures.kw("->sse-response");
  /** The history of the replay-on stores of {@link #push}: the default, 100 events, 5 minutes. */
  static final Duration WINDOW = Replay.DEFAULT_WINDOW;
  /** The history of the reconnect benchmarks: long enough that nothing expires during a run. */
  static final Duration LONG_WINDOW = Duration.ofHours(2);

  static <B extends StoreBuilder<B>> B replayed(B builder, boolean replay, int events, Duration window) {
    return replay ? builder.replay(events, window) : builder;
  }

  /** The state of {@link #push}. */
  @State(Scope.Benchmark)
  public static class Push {
    @Param({"atom", "caffeine"})
    String store;

    @Param({"false", "true"})
    boolean replay;

    @Param({"1", "100"})
    int tabs;

    @Param({"0", "1000", "10000"})
    int others;

    IFn request;
    IFn dispatch;
    IPersistentMap ring;
    IPersistentMap response;
    Object[] streams;

    @Setup
    public void setUp() {
      Wow.load();
      boolean fanOut = tabs > 1;
      ConnectionStore s =
          "atom".equals(store)
              ? replayed(AtomStore.builder().fanOut(fanOut), replay, Replay.DEFAULT_EVENTS, WINDOW).build()
              : replayed(
                      CaffeineStore.builder().maximumSize(Filled.maximumSize(others + tabs)).fanOut(fanOut),
                      replay,
                      Replay.DEFAULT_EVENTS,
                      WINDOW)
                  .build();
      for (int i = 0; i < others; i++) s.store(Fixtures.key(i), Wow.stream(i));
      Object key = Deacon.scopedKey(Deacon.DEFAULT_ID, Wow.FEED);
      streams = new Object[tabs];
      for (int i = 0; i < tabs; i++) s.store(key, streams[i] = Wow.stream(i));
      Wow.settle(s);
      Wow.check(s.count(key) == tabs, "the key does not hold every tab");
      Wow.check(s.policy().replay().isPresent() == replay, "replay is not as asked");

      dispatch = Wow.dispatch(Wow.registry(s));
      request = Wow.requestFn();
      ring = Fixtures.request(7);
      response = Wow.response(Deacon.KEY, Wow.FEED);

      Object result = request.invoke(dispatch, ring, response);
      Wow.check(Long.valueOf(204).equals(RT.get(result, Keyword.intern("status"))), "no 204: " + result);
      long each = Wow.written(streams[0]);
      Wow.check(each > 0, "the keyed response reached no tab");
      for (Object t : streams) Wow.check(Wow.written(t) == each, "a tab missed the keyed response");
      Wow.check(s.count(key) == tabs, "the request changed the key's tabs");

      Wow.warm(() -> request.invoke(dispatch, ring, response));
      Fixtures.settle();
    }
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Object push(Push p) {
    return p.request.invoke(p.dispatch, p.ring, p.response);
  }

  /** An SDK adapter's {@code ->sse-response}: opens a new benchmark stream and calls on-open with it. */
  static final class Adapter extends AFn {
    static final IPersistentMap OK = Fixtures.map(Fixtures.kw("status"), 200L);
    Object last;

    @Override
    public Object invoke(Object request, Object opts) {
      Object sse = Wow.stream(0);
      last = sse;
      ((IFn) RT.get(opts, ON_OPEN)).invoke(sse);
      return OK;
    }
  }

  /** The state of {@link #replayMissed}. */
  @State(Scope.Benchmark)
  public static class Missed {
    @Param({"atom", "caffeine"})
    String store;

    IFn request;
    IFn dispatch;
    IPersistentMap ring;
    IPersistentMap response;
    IPersistentMap options;
    Adapter adapter;
    /** The text one replay writes: the 1,000 events, then the opening event. */
    long expected;

    @Setup
    public void setUp() {
      Wow.load();
      ConnectionStore s =
          "atom".equals(store)
              ? AtomStore.builder().replay(MISSED + 1, LONG_WINDOW).build()
              : CaffeineStore.builder().replay(MISSED + 1, LONG_WINDOW).build();
      for (int i = 0; i < 1000; i++) s.store(Fixtures.key(i), Wow.stream(i));
      dispatch = Wow.dispatch(Wow.registry(s));
      request = Wow.requestFn();
      IPersistentMap plain = Fixtures.request(7);

      // a tab (the stand-in's fake stream, which keeps the ids) gets one event, then 1,000 more
      Object tab =
          RT.get(
              request.invoke(dispatch, plain, Fixtures.map(Deacon.SUBSCRIBE, Wow.FEED, FX, RT.vector())),
              Fixtures.kw("sse"));
      request.invoke(
          dispatch,
          plain,
          Fixtures.map(
              Deacon.KEY, Wow.FEED,
              FX, RT.vector(RT.vector(Fixtures.kw("datastar.wow", "patch-signals"), "{\"unread\":0}"))));
      Object lastSeen = RT.first(Fixtures.var(Wow.WOW, "event-ids").invoke(tab));
      Wow.check(lastSeen instanceof String, "the first event has no id: " + lastSeen);
      IPersistentMap push = Wow.response(Deacon.KEY, Wow.FEED); // two events a request
      for (int i = 0; i < MISSED / 2; i++) request.invoke(dispatch, plain, push);
      Fixtures.var(Wow.WOW, "close!").invoke(tab);

      IPersistentMap headers = (IPersistentMap) RT.get(plain, HEADERS);
      ring = plain.assoc(HEADERS, headers.assoc("last-event-id", lastSeen));
      response =
          Fixtures.map(
              Deacon.SUBSCRIBE, Wow.FEED,
              FX, RT.vector(RT.vector(Fixtures.kw("datastar.wow", "patch-signals"), "{\"open\":true}")));
      adapter = new Adapter();
      options = Fixtures.map(SSE_RESPONSE, adapter);

      Object first = request.invoke(dispatch, ring, response, options);
      Wow.check(Long.valueOf(200).equals(RT.get(first, Keyword.intern("status"))), "no stream opened: " + first);
      expected = Wow.written(adapter.last);
      // the same 1,000 events, each with a line or two more than live (the id), and the opening
      Wow.check(expected > 50L * MISSED, "the reconnecting tab was not replayed 1,000 events: " + expected);
      Wow.warm(this::run);
      Fixtures.settle();
    }

    Object run() {
      return request.invoke(dispatch, ring, response, options);
    }

    @TearDown(Level.Iteration)
    public void check() {
      Wow.check(Wow.written(adapter.last) == expected, "a reconnect did not get the 1,000 events");
    }
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object replayMissed(Missed m) {
    return m.run();
  }

  /** A stream of the Java API's benchmark: the characters of SSE text written to it. */
  static final class Sink {
    long written;
    String lastId;
  }

  /** Writes each message as SSE text with its id line, as an app's writer does. */
  static final class Writer implements ConnectionWriter {
    @Override
    public boolean write(Object connection, Object message) {
      return write(connection, message, null);
    }

    @Override
    public boolean write(Object connection, Object message, String id) {
      StringBuilder sb = new StringBuilder(256);
      sb.append("event: datastar-patch-elements\n");
      if (id != null) sb.append("id: ").append(id).append('\n');
      sb.append("data: elements ").append((String) message).append("\n\n");
      Sink sink = (Sink) connection;
      sink.written += sb.toString().length();
      sink.lastId = id;
      return true;
    }
  }

  /** The state of {@link #replayMissedJava}. */
  @State(Scope.Benchmark)
  public static class MissedJava {
    @Param({"atom", "caffeine"})
    String store;

    ConnectionStore s;
    Replay replay;
    Object key;
    String lastSeen;
    Sink last;
    long expected;

    @Setup
    public void setUp() {
      Writer writer = new Writer();
      s =
          "atom".equals(store)
              ? AtomStore.builder().writer(writer).replay(MISSED + 1, LONG_WINDOW).build()
              : CaffeineStore.builder().writer(writer).replay(MISSED + 1, LONG_WINDOW).build();
      for (int i = 0; i < 1000; i++) s.store(Fixtures.key(i), new Sink());
      replay = s.policy().replay().orElseThrow();
      key = Deacon.scopedKey("user-7", Wow.FEED);
      Sink tab = new Sink();
      s.store(key, tab);
      s.send(key, "<div id=\"feed\" class=\"feed\"><p class=\"item\">Build 4126 passed</p></div>");
      lastSeen = tab.lastId;
      Wow.check(lastSeen != null, "the writer was given no id");
      String html = "<div id=\"feed\" class=\"feed\"><p class=\"item\">Build 4127 passed in 3m 12s</p></div>";
      for (int i = 0; i < MISSED; i++) s.send(key, html);
      s.purgeConnection(tab);
      Wow.check(replay.recoverable(key, lastSeen), "the tab's last id is not recoverable");
      run();
      expected = last.written;
      Wow.check(expected > 50L * MISSED, "the reconnecting tab was not replayed 1,000 events: " + expected);
      Wow.warm(this::run);
      Fixtures.settle();
    }

    Object run() {
      Sink sink = new Sink();
      last = sink;
      try {
        return replay.resume(key, sink, lastSeen, () -> s.store(key, sink));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @TearDown(Level.Iteration)
    public void check() {
      Wow.check(last.written == expected, "a reconnect did not get the 1,000 events");
    }
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object replayMissedJava(MissedJava m) {
    return m.run();
  }
}
