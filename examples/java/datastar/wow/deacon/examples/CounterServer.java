package datastar.wow.deacon.examples;

import clojure.lang.Keyword;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.Deacon;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The seed's counter in plain Java: the JDK's HTTP server, deacon's static Java API, and Datastar
 * in the browser.
 *
 * <ul>
 *   <li>{@code GET /} serves the page, showing the session's counter as it is (another tab may be
 *       running it), and gives the browser a session cookie, signed: a cookie this server did not
 *       issue is no session, and the page replaces it with a new one;
 *   <li>{@code PUT /} opens an SSE stream, stores it under {@code [session :counter]} and starts a
 *       timer that pushes the counter down the stored stream every second;
 *   <li>{@code POST /jump} adds ten and pushes it down the same stored stream (HTTP 204: no new
 *       stream);
 *   <li>{@code DELETE /} stops the timer, purges the key, and the store's eviction listener closes
 *       the stream (HTTP 204).
 * </ul>
 *
 * <p>A session's counter lives as long as the session has a stream stored: when its last stream
 * is gone (stopped, or the client went away), the timer stops and the counter is forgotten.
 *
 * <p>{@code POST /jump} and {@code DELETE /} act on the session's stored stream, so both answer
 * {@code 404} when there is none: no session cookie, one this server did not issue, a timer never
 * started, or already stopped. {@code PUT /} without a session answers {@code 400} (load the page
 * first). Any other method answers {@code 405} with an {@code Allow} header.
 *
 * <p>Run it with {@code mvn -q test-compile exec:java@counter}. It listens on 127.0.0.1 (this
 * machine only) unless {@code -Dip}, else {@code IP}, names another address ({@code 0.0.0.0}:
 * every interface); the port is {@code -Dport}, else {@code PORT}, else 3000.
 */
public final class CounterServer implements AutoCloseable {
  /** The key every session stores its stream under, scoped as {@code [session-id :counter]}. */
  public static final Keyword COUNTER = Keyword.intern("counter");

  /** The session cookie's name. */
  public static final String COOKIE = "deacon-sid";

  private final HttpServer server;
  private final ExecutorService requests;
  private final ScheduledExecutorService ticks;
  private final Duration tick;
  private final AtomStore store;
  // One counter per session that has a stream stored; dropped with the session's last stream.
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Sessions sessions = new Sessions();

  private CounterServer(InetAddress ip, int port, Duration tick) throws IOException {
    this.tick = tick;
    this.store =
        AtomStore.builder()
            .onRemoval((key, stream, cause) -> ((SseStream) stream).close())
            .build();
    this.requests = Executors.newCachedThreadPool(daemon("counter-http"));
    this.ticks = Executors.newSingleThreadScheduledExecutor(daemon("counter-timer"));
    this.server = HttpServer.create(new InetSocketAddress(ip, port), 0);
    server.setExecutor(requests);
    server.createContext("/", this::index);
    server.createContext("/jump", this::jump);
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
    return new CounterServer(ip, port, tick);
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

  /** @return the store holding the open streams, keyed {@code [session-id :counter]} */
  public AtomStore store() {
    return store;
  }

  /**
   * @param sessionId a session id, from a {@value #COOKIE} cookie this server issued
   * @return the key that session's stream is stored under
   */
  public static Object key(String sessionId) {
    return Deacon.scopedKey(sessionId, COUNTER);
  }

  /**
   * @param cookieValue a {@value #COOKIE} cookie's value
   * @return its session id when this server issued it, else null
   */
  String sessionId(String cookieValue) {
    return sessions.verify(cookieValue);
  }

  /** @return how many sessions have a counter */
  int counterCount() {
    return counters.size();
  }

  /** Stops the server, the timers and every open stream. */
  @Override
  public void close() {
    server.stop(0);
    ticks.shutdownNow();
    for (Object key : store.keys()) store.purge(key);
    requests.shutdownNow();
  }

  // GET / serves the page; PUT / starts; DELETE / stops.
  private void index(HttpExchange ex) throws IOException {
    if (!"/".equals(ex.getRequestURI().getPath())) {
      reply(ex, 404, "not found: " + ex.getRequestURI().getPath());
      return;
    }
    switch (ex.getRequestMethod()) {
      case "GET" -> page(ex);
      case "PUT" -> startTimer(ex, sessions.id(ex));
      case "DELETE" -> stopTimer(ex, sessions.id(ex));
      default -> notAllowed(ex, "GET, PUT, DELETE");
    }
  }

  private void page(HttpExchange ex) throws IOException {
    String sid = sessions.id(ex);
    if (sid == null) { // no cookie, or one this server did not issue
      ex.getResponseHeaders()
          .add("Set-Cookie", COOKIE + "=" + sessions.issue() + "; Path=/; HttpOnly; SameSite=Lax");
    }
    // The session's counter as it is, though another tab may be the one running it.
    Counter counter = sid == null ? null : counters.get(sid);
    Counter.State state = counter == null ? Counter.State.INITIAL : counter.state();
    ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    reply(ex, 200, Page.html(state, Page.keysPanel(store.keys())));
  }

  private void startTimer(HttpExchange ex, String sid) throws IOException {
    if (sid == null) {
      reply(ex, 400, "no session (no " + COOKIE + " cookie this server issued): load the page first");
      return;
    }
    SseStream stream = SseStream.open(ex, sid);
    // A stream that ends (client gone, or closed by the listener) leaves the store, and takes the
    // session's counter with it when it was the session's last.
    stream.onClose(() -> {
      store.purgeConnection(stream);
      release(sid);
    });
    // Store the open stream under [sid :counter]; an older stream of this session is replaced,
    // and the eviction listener closes it.
    store.store(key(sid), stream);
    counters.compute(sid, (s, existing) -> {
      Counter counter = existing == null ? new Counter() : existing;
      counter.start(
          () -> ticks.scheduleAtFixedRate(
              () -> tick(s), tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS));
      return counter;
    });
    push(sid);
  }

  private void tick(String sid) {
    Counter counter = counters.get(sid);
    if (counter == null) return;
    if (store.connection(key(sid)) == null) {
      release(sid); // nobody to tell: the stream is gone
      return;
    }
    counter.add(1);
    push(sid);
  }

  // Drops the session's counter, stopping its timer, unless the session has a stream stored.
  // Atomic per session: a PUT stores its stream before it makes or restarts the counter, so a
  // counter is never dropped while its session has a stream.
  private void release(String sid) {
    counters.computeIfPresent(sid, (s, counter) -> {
      if (store.connection(key(s)) != null) return counter;
      counter.pause();
      return null;
    });
  }

  private void jump(HttpExchange ex) throws IOException {
    if (!"POST".equals(ex.getRequestMethod())) {
      notAllowed(ex, "POST");
      return;
    }
    String sid = sessions.id(ex);
    // Reuse the stream the PUT stored: look it up by the same key.
    Counter counter = sid == null ? null : counters.get(sid);
    if (counter == null || store.connection(key(sid)) == null) {
      noStream(ex);
      return;
    }
    counter.add(10);
    push(sid);
    reply(ex, 204, null);
  }

  private void stopTimer(HttpExchange ex, String sid) throws IOException {
    SseStream stream = sid == null ? null : (SseStream) store.connection(key(sid));
    if (stream == null) {
      noStream(ex);
      return;
    }
    Counter counter = counters.get(sid);
    if (counter != null) {
      counter.stop();
      stream.patchSignals(counter.signals());
    }
    store.purge(key(sid)); // the eviction listener closes the stream
    pushKeysToAll();
    reply(ex, 204, null);
  }

  // POST /jump and DELETE / act on the session's stored stream; without one there is nothing to
  // act on, whether the request has no session, one this server did not issue, or no stream.
  private static void noStream(HttpExchange ex) throws IOException {
    reply(ex, 404, "no stream stored under this session's :counter key: start the timer first");
  }

  private static void notAllowed(HttpExchange ex, String allow) throws IOException {
    ex.getResponseHeaders().set("Allow", allow);
    reply(ex, 405, "method not allowed: " + ex.getRequestMethod() + " (allowed: " + allow + ")");
  }

  // Sends the session's counter down its stored stream, and the key list to every stream.
  private void push(String sid) {
    SseStream stream = (SseStream) store.connection(key(sid));
    Counter counter = counters.get(sid);
    if (stream != null && counter != null) stream.patchSignals(counter.signals());
    pushKeysToAll();
  }

  private void pushKeysToAll() {
    String panel = Page.keysPanel(store.keys());
    for (Map.Entry<Object, Object> entry : store.connections()) {
      ((SseStream) entry.getValue()).patchElements(panel);
    }
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
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
