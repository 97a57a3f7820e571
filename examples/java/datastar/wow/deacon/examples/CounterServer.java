package datastar.wow.deacon.examples;

import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.Keyword;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.Deacon;
import datastar.wow.deacon.RemovalCause;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The seed's counter in plain Java: the JDK's HTTP server, deacon's static Java API, and Datastar
 * in the browser. One counter per browser session, shown on every tab of the session.
 *
 * <ul>
 *   <li>{@code GET /} serves the page, showing the session's counter as it is, and gives the
 *       browser a session cookie, signed: a cookie this server did not issue is no session;
 *   <li>{@code GET /updates}, opened by every page as it loads, is the tab's event stream: it is
 *       stored under {@code [session :counter]} beside the session's other tabs (the store fans
 *       out);
 *   <li>{@code PUT /} starts the session's one timer, {@code POST /jump} adds ten, {@code DELETE
 *       /} stops the timer and resets the counter: each changes the counter once and writes it to
 *       every tab of the session with {@code store.send(key, event)}, answering 204;
 *   <li>{@code POST /wave} writes to every tab of every session ({@code store.send} with the
 *       pattern {@code [:* :counter]}), answering 204.
 * </ul>
 *
 * <p>Every page shows the store panel: who is here, every key with its streams and age, the last
 * removals with their cause (from {@code onRemoval}) and the store's stats. It is sent to every tab
 * whenever the store changes.
 *
 * <p>The timer ticks every second on every tab of its session. When it finds no tab open for a few
 * ticks in a row it stops, and the count is kept; a stopped count nobody watches is forgotten after
 * a while. A closed tab is found by the next write to it (a tick, the panel, or the store's
 * heartbeat) and removed (cause {@code :dead}).
 *
 * <p>{@code PUT /}, {@code POST /jump} and {@code DELETE /} answer {@code 404} when the session has
 * no tab open (no session, one this server did not issue, or no page loaded); {@code GET /updates}
 * and {@code POST /wave} without a session answer {@code 400} (load the page first). Another method
 * answers {@code 405} with an {@code Allow} header, another path {@code 404}.
 *
 * <p>Run it with {@code mvn -q test-compile exec:java@counter}. It listens on 127.0.0.1 (this
 * machine only) unless {@code -Dip}, else {@code IP}, names another address ({@code 0.0.0.0}:
 * every interface); the port is {@code -Dport}, else {@code PORT}, else 3000.
 */
public final class CounterServer implements AutoCloseable {
  /** The key every tab's stream is stored under, scoped as {@code [session-id :counter]}. */
  public static final Keyword COUNTER = Keyword.intern("counter");

  /** The session cookie's name. */
  public static final String COOKIE = "deacon-sid";

  /** Every tab of every session: the pattern {@code [:* :counter]}. */
  static final IPersistentVector EVERY_TAB = Deacon.scopedKey(Deacon.WILDCARD, COUNTER);

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final System.Logger LOG = System.getLogger(CounterServer.class.getName());

  /**
   * How the server runs. {@link #of} gives the main program's settings; tests shorten them.
   *
   * @param ip the address to listen on
   * @param port the port, or 0 for any free port
   * @param tick how often the timer adds one
   * @param heartbeat how often the store probes every stream
   * @param graceTicks how many ticks without a tab open the timer runs on before it stops
   * @param keep how long a stopped count nobody watches is kept
   */
  record Settings(
      InetAddress ip, int port, Duration tick, Duration heartbeat, int graceTicks, Duration keep) {
    Settings {
      for (Duration d : List.of(tick, heartbeat, keep)) {
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("expected a positive duration, got " + d);
        }
      }
      if (graceTicks < 1) throw new IllegalArgumentException("graceTicks: at least 1, got " + graceTicks);
    }

    /**
     * @param ip the address to listen on
     * @param port the port, or 0 for any free port
     * @param tick how often the timer adds one
     * @return the settings, with a 5-second heartbeat, 5 ticks' grace and 10 minutes' keep
     */
    static Settings of(InetAddress ip, int port, Duration tick) {
      return new Settings(ip, port, tick, Duration.ofSeconds(5), 5, Duration.ofMinutes(10));
    }

    Settings heartbeat(Duration heartbeat) {
      return new Settings(ip, port, tick, heartbeat, graceTicks, keep);
    }

    Settings graceTicks(int graceTicks) {
      return new Settings(ip, port, tick, heartbeat, graceTicks, keep);
    }

    Settings keep(Duration keep) {
      return new Settings(ip, port, tick, heartbeat, graceTicks, keep);
    }
  }

  private final Settings settings;
  private final HttpServer server;
  private final ExecutorService requests;
  // The timer's ticks, forgetting, and the store panel's refreshes, one at a time.
  private final ScheduledExecutorService timer;
  private final AtomStore store;
  // One counter per session that has one worth keeping; see settle and forget.
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Sessions sessions = new Sessions();
  private final Map<Object, String> since = new ConcurrentHashMap<>();
  private final RemovalLog removals = new RemovalLog(5);
  private final AtomicBoolean refreshing = new AtomicBoolean();

  private CounterServer(Settings settings) throws IOException {
    this.settings = settings;
    this.requests = Executors.newCachedThreadPool(daemon("counter-http"));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("counter-timer"));
    this.store =
        AtomStore.builder()
            .fanOut(true) // a key keeps every tab's stream
            .writer((stream, event) -> ((SseStream.Event) event).writeTo((SseStream) stream))
            .heartbeat(settings.heartbeat(), stream -> ((SseStream) stream).comment())
            .onRemoval(this::removed)
            .build();
    this.server = HttpServer.create(new InetSocketAddress(settings.ip(), settings.port()), 0);
    server.setExecutor(requests);
    server.createContext("/", this::route); // every path: route matches them exactly
    server.start();
  }

  /**
   * Starts a server on loopback (127.0.0.1): only this machine can connect.
   *
   * @param port the port, or 0 for any free port
   * @param tick how often the timer adds one
   * @return the running server
   * @throws IOException when the port cannot be bound
   */
  public static CounterServer start(int port, Duration tick) throws IOException {
    return start(Config.defaultIp(), port, tick);
  }

  /**
   * Starts a server.
   *
   * @param ip the address to listen on, e.g. 0.0.0.0 for every interface
   * @param port the port, or 0 for any free port
   * @param tick how often the timer adds one
   * @return the running server
   * @throws IOException when the address and port cannot be bound
   */
  public static CounterServer start(InetAddress ip, int port, Duration tick) throws IOException {
    if (tick.isNegative() || tick.isZero()) {
      throw new IllegalArgumentException("tick: expected a positive duration, got " + tick);
    }
    return new CounterServer(Settings.of(ip, port, tick));
  }

  /**
   * @param settings how to run
   * @return the running server
   * @throws IOException when the address and port cannot be bound
   */
  static CounterServer start(Settings settings) throws IOException {
    return new CounterServer(settings);
  }

  /**
   * Starts the server on {@code -Dip}, else {@code IP}, else 127.0.0.1, and port {@code -Dport},
   * else {@code PORT}, else 3000, and runs until the JVM is stopped.
   *
   * @param args ignored
   * @throws Exception when the server cannot start
   */
  public static void main(String[] args) throws Exception {
    InetAddress ip = Config.ip(System.getProperty("ip"), System.getenv("IP"));
    int port = Config.port(System.getProperty("port"), System.getenv("PORT"));
    CounterServer server = start(ip, port, Duration.ofSeconds(1));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }));
    System.out.println(
        "deacon counter: " + url(server.address())
            + "  (listening on " + server.address().getAddress().getHostAddress()
            + "; Ctrl-C stops)");
    stopped.await();
  }

  /** @return the address and port the server listens on */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** @return the port the server listens on */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * @param address where a server listens
   * @return the URL to open in a browser: {@code localhost} for loopback or every interface, else
   *     the address itself
   */
  static String url(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    String host;
    if (ip.isLoopbackAddress() || ip.isAnyLocalAddress()) {
      host = "localhost";
    } else if (ip instanceof Inet6Address) {
      host = "[" + ip.getHostAddress() + "]";
    } else {
      host = ip.getHostAddress();
    }
    return "http://" + host + ":" + address.getPort();
  }

  /** @return the store holding every tab's stream, keyed {@code [session-id :counter]} */
  public AtomStore store() {
    return store;
  }

  /**
   * @param sessionId a session id, from a {@value #COOKIE} cookie this server issued
   * @return the key that session's tabs are stored under
   */
  public static IPersistentVector key(String sessionId) {
    return Deacon.scopedKey(sessionId, COUNTER);
  }

  /**
   * @param cookieValue a {@value #COOKIE} cookie's value
   * @return its session id when this server issued it, else null
   */
  @Nullable String sessionId(String cookieValue) {
    return sessions.verify(cookieValue);
  }

  /** @return how many sessions have a counter */
  int counterCount() {
    return counters.size();
  }

  /**
   * @param sid a session id
   * @return that session's counter as it is now
   */
  Counter.State state(String sid) {
    Counter counter = counters.get(sid);
    return counter == null ? Counter.State.INITIAL : counter.state();
  }

  /** Stops the server, the timers and every open stream. */
  @Override
  public void close() {
    server.stop(0);
    timer.shutdownNow();
    store.close(); // stops the heartbeat; purges still work
    for (Object key : store.keys()) store.purge(key); // the removal listener closes the streams
    requests.shutdownNow();
  }

  // Every path, matched exactly: the JDK server would hand a context's handler any path it prefixes.
  private void route(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    switch (path) {
      case "/" -> index(ex);
      case "/jump" -> only(ex, "POST", () -> command(ex, "jump"));
      case "/updates" -> only(ex, "GET", () -> updates(ex));
      case "/wave" -> only(ex, "POST", () -> wave(ex));
      case "/style.css" ->
          only(ex, "GET", () -> asset(ex, "text/css; charset=utf-8", Assets.STYLESHEET.getBytes(StandardCharsets.UTF_8)));
      case "/favicon.ico" -> only(ex, "GET", () -> asset(ex, "image/x-icon", Assets.favicon()));
      default -> reply(ex, 404, "not found: " + path);
    }
  }

  private interface Handler {
    void handle() throws IOException;
  }

  private static void only(HttpExchange ex, String method, Handler handler) throws IOException {
    if (method.equals(ex.getRequestMethod())) handler.handle();
    else notAllowed(ex, method);
  }

  // GET / serves the page; PUT / starts; DELETE / stops.
  private void index(HttpExchange ex) throws IOException {
    switch (ex.getRequestMethod()) {
      case "GET" -> page(ex);
      case "PUT" -> command(ex, "start");
      case "DELETE" -> command(ex, "stop");
      default -> notAllowed(ex, "GET, PUT, DELETE");
    }
  }

  private void page(HttpExchange ex) throws IOException {
    String sid = sessions.id(ex);
    if (sid == null) { // no cookie, or one this server did not issue
      String issued = sessions.issue();
      ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + issued + "; Path=/; HttpOnly; SameSite=Lax");
      sid = sessions.verify(issued);
    }
    // The session's counter as it is, though another tab may be the one running it.
    Counter.State state = sid == null ? Counter.State.INITIAL : state(sid);
    ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    reply(ex, 200, Page.html(state, sid, panel()));
  }

  // GET /updates: the tab's stream, stored beside the session's other tabs.
  private void updates(HttpExchange ex) throws IOException {
    String sid = sessions.id(ex);
    if (sid == null) {
      reply(ex, 400, "no session (no " + COOKIE + " cookie this server issued): load the page first");
      return;
    }
    SseStream stream = SseStream.open(ex, "a tab of " + Page.shortId(sid));
    IPersistentVector key = key(sid);
    store.store(key, stream); // fan-out: joins the session's other tabs
    since.putIfAbsent(key, now());
    showCounter(sid).writeTo(stream); // this tab, from the counter as it is now
    settle(sid);
    refreshPanel(); // every tab: one more open
  }

  // PUT /, POST /jump, DELETE /: change the counter once, show it on every tab of the session.
  private void command(HttpExchange ex, String op) throws IOException {
    String sid = sessions.id(ex);
    if (sid == null || store.count(key(sid)) == 0) {
      reply(ex, 404, "no stream stored under this session's :counter key: open the page first");
      return;
    }
    switch (op) {
      case "start" -> counters.compute(sid, (s, existing) -> {
        Counter counter = existing == null ? new Counter() : existing;
        long every = settings.tick().toMillis();
        counter.start(() -> timer.scheduleAtFixedRate(() -> tick(s), every, every, TimeUnit.MILLISECONDS));
        return counter;
      });
      case "jump" -> counters.compute(sid, (s, existing) -> {
        Counter counter = existing == null ? new Counter() : existing;
        counter.add(10);
        return counter;
      });
      default -> counters.computeIfPresent(sid, (s, counter) -> {
        counter.stop();
        counter.cancelForget();
        return null; // stopped and reset: nothing to keep
      });
    }
    store.send(key(sid), showCounter(sid)); // every tab of the session
    reply(ex, 204, null);
  }

  // POST /wave: every tab of every session.
  private void wave(HttpExchange ex) throws IOException {
    String sid = sessions.id(ex);
    if (sid == null) {
      reply(ex, 400, "no session (no " + COOKIE + " cookie this server issued): load the page first");
      return;
    }
    String json = "{\"wave\":\"" + Page.shortId(sid) + " waved at " + now() + "\"}";
    store.send(EVERY_TAB, (SseStream.Event) stream -> stream.patchSignals(json));
    reply(ex, 204, null);
  }

  private void tick(String sid) {
    try {
      Counter counter = counters.get(sid);
      if (counter == null) return;
      boolean watched = store.count(key(sid)) > 0;
      if (counter.tick(watched, settings.graceTicks())) {
        if (watched) store.send(key(sid), showCounter(sid));
      } else {
        settle(sid); // stopped: nobody watched
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "counter: a tick failed", e);
    }
  }

  // The session's counter, read when the stream's lock is held: the writes on one stream then
  // follow the order of the changes, so a tab never ends on an older state (a tick racing a stop).
  private SseStream.Event showCounter(String sid) {
    return stream -> {
      synchronized (stream) {
        return stream.patchSignals(state(sid).json());
      }
    };
  }

  // A stopped counter nobody watches is forgotten later (kept while a tab shows it).
  private void settle(String sid) {
    counters.computeIfPresent(sid, (s, counter) -> {
      if (store.count(key(s)) == 0) {
        counter.forgetLater(() -> timer.schedule(() -> forget(s), settings.keep().toMillis(), TimeUnit.MILLISECONDS));
      }
      return counter;
    });
  }

  private void forget(String sid) {
    counters.computeIfPresent(sid, (s, counter) -> {
      counter.cancelForget();
      return counter.state().running() || store.count(key(s)) > 0 ? counter : null;
    });
  }

  // The store's removal listener, for every stream that leaves, whatever the cause.
  private void removed(Object key, Object stream, RemovalCause cause) {
    ((SseStream) stream).close();
    removals.add(new RemovalLog.Entry(Page.label(key), cause.keyword().getName(), now()));
    since.computeIfPresent(key, (k, at) -> store.count(k) > 0 ? at : null);
    if (key instanceof IPersistentVector v && v.count() == 2 && v.nth(0) instanceof String sid) {
      try {
        settle(sid);
      } catch (RejectedExecutionException closing) {
        // the server is stopping: nothing left to forget
      }
    }
    refreshPanel();
  }

  // Sends the store panel to every tab, on the timer's thread: requests made before a refresh starts
  // are served by it, and refreshes never overtake each other.
  private void refreshPanel() {
    if (!refreshing.compareAndSet(false, true)) return;
    try {
      timer.execute(() -> {
        refreshing.set(false);
        try {
          String html = Page.storePanel(panel());
          store.send(EVERY_TAB, (SseStream.Event) stream -> stream.patchElements(html));
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.ERROR, "counter: the store panel's refresh failed", e);
        }
      });
    } catch (RejectedExecutionException closing) {
      // the server is stopping: nobody left to tell
    }
  }

  // What the store panel shows now.
  private Page.Panel panel() {
    Map<Object, Integer> streams = new LinkedHashMap<>();
    for (Map.Entry<Object, Object> pair : store.connections()) streams.merge(pair.getKey(), 1, Integer::sum);
    List<Page.Row> rows = new ArrayList<>();
    for (Map.Entry<Object, Integer> e : streams.entrySet()) {
      rows.add(new Page.Row(Page.label(e.getKey()), Page.session(e.getKey()), e.getValue(), since.get(e.getKey())));
    }
    rows.sort(Comparator.comparing(Page.Row::label));
    return new Page.Panel(
        rows, store.keys(EVERY_TAB).size(), store.count(EVERY_TAB), removals.entries(), stats());
  }

  // The store's stats as a line: "Stats: 3 streams stored; removals: dead 1, explicit 2".
  private String stats() {
    IPersistentMap stats = store.stats();
    long size = ((Number) stats.valAt(Keyword.intern("size"))).longValue();
    Map<String, Long> counted = new TreeMap<>();
    if (stats.valAt(Keyword.intern("removals")) instanceof Map<?, ?> byCause) {
      for (Map.Entry<?, ?> e : byCause.entrySet()) {
        long n = ((Number) e.getValue()).longValue();
        if (n > 0) counted.put(((Keyword) e.getKey()).getName(), n);
      }
    }
    StringBuilder line = new StringBuilder("Stats: ").append(size).append(size == 1 ? " stream" : " streams")
        .append(" stored; removals: ");
    if (counted.isEmpty()) return line.append("none").toString();
    String sep = "";
    for (Map.Entry<String, Long> e : counted.entrySet()) {
      line.append(sep).append(e.getKey()).append(' ').append(e.getValue());
      sep = ", ";
    }
    return line.toString();
  }

  private static String now() {
    return LocalTime.now(ZoneId.systemDefault()).format(CLOCK); // the server's clock, as its log would
  }

  private static void asset(HttpExchange ex, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
    ex.close();
  }

  private static void notAllowed(HttpExchange ex, String allow) throws IOException {
    ex.getResponseHeaders().set("Allow", allow);
    reply(ex, 405, "method not allowed: " + ex.getRequestMethod() + " (allowed: " + allow + ")");
  }

  private static void reply(HttpExchange ex, int status, @Nullable String body) throws IOException {
    if (body == null) {
      ex.sendResponseHeaders(status, -1);
    } else {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      if (!ex.getResponseHeaders().containsKey("Content-Type")) {
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      }
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
    ex.close();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
