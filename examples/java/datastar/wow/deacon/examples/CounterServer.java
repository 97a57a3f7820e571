package datastar.wow.deacon.examples;

import clojure.lang.IPersistentVector;
import clojure.lang.Keyword;
import com.sun.net.httpserver.HttpServer;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.ConnectionStore;
import datastar.wow.deacon.Deacon;
import datastar.wow.deacon.Peers;
import datastar.wow.deacon.RemovalCause;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * The seed's counter in plain Java: the JDK's HTTP server, deacon's static Java API, and Datastar
 * in the browser. One counter per browser session, shown on every tab of the session; every page
 * also shows the store panel, and a wave reaches every page. {@link Routes} lists the paths.
 *
 * <p>The store fans out ({@code AtomStore.builder().fanOut(true)}): a session's key, {@code
 * [session-id :counter]}, keeps one stream per tab. Everything reaches the tabs through {@code
 * store.send(keyOrPattern, message)} and the store's writer ({@link TabWriter}); messages are plain
 * data ({@link Messages}). Given {@code -Dredis}, the store is a member of a cluster: the same sends
 * reach the tabs held by the other nodes, so a button on a page of one node drives the tabs of
 * another, and the nodes share a session secret ({@code -Dsession-key}) so that each accepts the
 * others' cookies. The parts: {@link Sessions} (cookies), {@link Counters} (each session's counter
 * and timer), {@link StorePanel}, {@link Routes} (the handlers), {@link Config} (the options).
 *
 * <p>Run it with {@code mvn -q test-compile exec:java@counter}; {@link Config} lists the options
 * ({@code -Dport}, {@code -Dip}, {@code -Dredis}, {@code -Dnode}, {@code -Dsession-key}, ...).
 */
public final class CounterServer implements AutoCloseable {
  /** The key every tab's stream is stored under, scoped as {@code [session-id :counter]}. */
  public static final Keyword COUNTER = Keyword.intern("counter");

  /** The session cookie's name. */
  public static final String COOKIE = "deacon-sid";

  /** Every tab of every session: the pattern {@code [:* :counter]}. */
  static final IPersistentVector EVERY_TAB = Deacon.scopedKey(Deacon.WILDCARD, COUNTER);

  /** How many events each session's key keeps for tabs that come back. */
  static final int REPLAY_EVENTS = 100;

  /** How long the key keeps them. */
  static final Duration REPLAY_WINDOW = Duration.ofMinutes(5);

  private static final String NODELAY = "sun.net.httpserver.nodelay";

  private final HttpServer server;
  private final ExecutorService requests;
  // The timer's ticks, forgetting, answers to other nodes and the store panel, one at a time.
  private final ScheduledExecutorService timer;
  private final AtomStore store;
  private final Sessions sessions;
  private final Counters counters;
  private final StorePanel panel;
  private final Waves waves = new Waves();

  private CounterServer(Settings settings) throws IOException {
    this.requests = Executors.newCachedThreadPool(daemon("counter-http"));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("counter-timer"));
    this.sessions = settings.sessionKey() == null ? new Sessions() : new Sessions(settings.sessionKey());
    this.counters = new Counters(settings, timer);
    this.panel = new StorePanel(timer, settings.panelDelay());
    AtomStore.Builder builder =
        AtomStore.builder()
            .fanOut(true) // a key keeps every tab's stream
            .writer(new TabWriter(counters, panel, waves))
            // each session's key keeps its last 100 events for 5 minutes: a tab Datastar closed
            // while hidden gets what it missed when shown again (Routes, GET /updates)
            .replay(REPLAY_EVENTS, REPLAY_WINDOW)
            .heartbeat(settings.heartbeat(), stream -> ((SseStream) stream).comment())
            .onRemoval(this::removed);
    if (settings.cluster() != null) builder.cluster(settings.cluster());
    this.store = builder.build();
    counters.start(store);
    panel.start(store, settings.heartbeat());
    Routes routes = new Routes(store, sessions, counters, panel, waves);
    this.server = HttpServer.create(new InetSocketAddress(settings.ip(), settings.port()), 1024);
    server.setExecutor(requests);
    server.createContext("/", routes::route); // every path: route matches them exactly
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
   * Starts the server with the options {@link Config} reads, and runs until the JVM is stopped.
   *
   * @param args ignored
   * @throws Exception when the server cannot start
   */
  public static void main(String[] args) throws Exception {
    // Small writes (an SSE event, a 204) leave at once instead of waiting for the client's delayed
    // ACK of the one before (Nagle's algorithm): about 40 ms a write on Linux otherwise.
    if (System.getProperty(NODELAY) == null) System.setProperty(NODELAY, "true");
    Settings settings;
    try {
      settings = Config.settings(System::getProperty, System::getenv, Duration.ofSeconds(1));
    } catch (IllegalArgumentException bad) {
      System.err.println("deacon counter: " + bad.getMessage());
      System.exit(2);
      return;
    }
    CounterServer server = start(settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }));
    String cluster = settings.cluster() == null
        ? ""
        : "; node " + server.node() + " of the cluster at " + settings.cluster().shownUri()
            + ", prefix " + settings.cluster().prefix();
    System.out.println(
        "deacon counter: " + url(server.address())
            + "  (listening on " + server.address().getAddress().getHostAddress() + cluster
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

  /** @return this node's id in its cluster, or null for a server on its own */
  public @Nullable String node() {
    return node(store);
  }

  /** @return the id of {@code store}'s node in its cluster, or null for a store on its own */
  static @Nullable String node(ConnectionStore store) {
    return store.policy().cluster().map(Peers::node).orElse(null);
  }

  /**
   * @return the keys matching {@code pattern} on every live node of {@code store}'s cluster
   * @throws IllegalStateException for a store on its own
   */
  static List<Object> clusterKeys(ConnectionStore store, Object pattern) {
    return store.policy().cluster().orElseThrow(IllegalStateException::new).keys(pattern);
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
   * @return its session id when this server (or a node sharing its session key) issued it, else null
   */
  @Nullable String sessionId(String cookieValue) {
    return sessions.verify(cookieValue);
  }

  /** @return the waves this node keeps */
  Waves waves() {
    return waves;
  }

  /** @return how many sessions have a counter on this node */
  int counterCount() {
    return counters.size();
  }

  /**
   * @param sid a session id
   * @return that session's counter as it is now on this node
   */
  Counter.State state(String sid) {
    return counters.state(sid);
  }

  /** Stops the server, the timers and every open stream; a cluster member leaves its cluster. */
  @Override
  public void close() {
    server.stop(0);
    timer.shutdownNow();
    store.close(); // stops the heartbeat and leaves the cluster; purges still work
    for (Object key : store.keys()) store.purge(key); // the removal listener closes the streams
    requests.shutdownNow();
  }

  // The store's removal listener, for every stream that leaves, whatever the cause.
  private void removed(Object key, Object stream, RemovalCause cause) {
    ((SseStream) stream).close();
    panel.removed(key, cause);
    if (key instanceof IPersistentVector v && v.count() == 2 && v.nth(0) instanceof String sid) {
      try {
        counters.settle(sid);
      } catch (RejectedExecutionException closing) {
        // the server is stopping: nothing left to forget
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
