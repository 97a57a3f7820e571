package datastar.wow.deacon.examples;

import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.Keyword;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.RemovalCause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The store panel every page shows, live: who is here, every key with its streams, age and node, the
 * last removals with their cause (from the store's {@code onRemoval}) and the store's stats.
 *
 * <p>Whenever the store changes, the panel is rendered once, on the server's timer thread, a moment
 * later (so that a burst of changes costs one panel), and {@code store.send} carries a {@link
 * Messages.Panel} to every tab: the writer shows each tab of this node the panel just rendered. In a
 * cluster each node renders its own: this node's keys ("this node") and, from one {@code
 * store.clusterKeys} call, those only other nodes hold ("another node"). The message reaches the
 * other nodes' tabs too, and tells those nodes to look at their panel again; they answer with a
 * panel of their own, telling no one. A node also looks again every heartbeat, as a dead node's keys
 * leave the directory without a word.
 */
final class StorePanel {
  /** The most keys the panel lists; the rest are counted. */
  static final int MAX_ROWS = 25;

  private static final Keyword SIZE = Keyword.intern("size");
  private static final Keyword REMOVALS = Keyword.intern("removals");
  private static final Keyword CLUSTER = Keyword.intern("cluster");
  private static final Keyword CONNECTED = Keyword.intern("connected");
  private static final System.Logger LOG = System.getLogger(StorePanel.class.getName());

  private final ScheduledExecutorService timer;
  private final Duration delay;
  private final Map<Object, String> since = new ConcurrentHashMap<>();
  private final RemovalLog removals = new RemovalLog(5);
  private final AtomicBoolean pending = new AtomicBoolean();
  private final AtomicBoolean tellOthers = new AtomicBoolean();
  private volatile @Nullable AtomStore store;
  private volatile String node = "";
  private volatile @Nullable String shown; // the panel this node's tabs were last sent

  /**
   * @param timer the thread panels are rendered and sent on, one at a time
   * @param delay how long a change waits for others before the panel is sent
   */
  StorePanel(ScheduledExecutorService timer, Duration delay) {
    this.timer = timer;
    this.delay = delay;
  }

  /**
   * Starts showing {@code store}; in a cluster, looks again every {@code every}.
   *
   * @param store the store, whose writer hands {@link Messages.Panel} to {@link #received}
   * @param every how often a cluster member looks at the other nodes' keys again
   */
  void start(AtomStore store, Duration every) {
    this.store = store;
    String n = CounterServer.node(store);
    this.node = n == null ? "" : n;
    if (n != null) {
      long ms = every.toMillis();
      var unused = timer.scheduleAtFixedRate(() -> refresh(false), ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * A stream was stored under {@code key}: its age starts now (if it is the key's first), and every
   * page is told.
   *
   * @param key the key
   */
  void opened(Object key) {
    since.putIfAbsent(key, Page.timeOfDay());
    refresh(true);
  }

  /**
   * The store removed a stream: it goes to the removal log, and every page is told.
   *
   * @param key its key
   * @param cause why
   */
  void removed(Object key, RemovalCause cause) {
    removals.add(new RemovalLog.Entry(Page.label(key), cause.keyword().getName(), Page.timeOfDay()));
    AtomStore s = store;
    since.computeIfPresent(key, (k, at) -> s != null && s.count(k) > 0 ? at : null);
    refresh(true);
  }

  /**
   * Asks for the panel to be rendered and sent, {@code delay} from now on the timer thread. Requests
   * made before that starts are served by it, and panels never overtake each other.
   *
   * @param others whether the other nodes are to look at their panels again too
   */
  void refresh(boolean others) {
    if (others) tellOthers.set(true);
    if (!pending.compareAndSet(false, true)) return;
    try {
      var unused = timer.schedule(this::push, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // the server is stopping: nobody left to tell
    }
  }

  private void push() {
    pending.set(false);
    boolean others = tellOthers.getAndSet(false);
    AtomStore s = store;
    if (s == null) return;
    try {
      String html = Page.storePanel(snapshot());
      boolean changed = !html.equals(shown);
      shown = html;
      // This node's tabs see the new panel; with others, the other nodes look at theirs again.
      if ((changed && s.count(CounterServer.EVERY_TAB) > 0) || others) {
        s.send(CounterServer.EVERY_TAB, Messages.write(new Messages.Panel(node, others)));
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "counter: the store panel's refresh failed", e);
    }
  }

  /**
   * The writer met a panel message for {@code stream}, a tab of this node.
   *
   * @param panel the message
   * @param stream the tab
   * @return false when the tab is closed
   */
  boolean received(Messages.Panel panel, SseStream stream) {
    if (panel.from().equals(node)) {
      String html = shown;
      return html == null ? stream.isOpen() : stream.patchElements(html);
    }
    if (panel.tellOthers()) refresh(false); // another node's change: this panel may show it
    return stream.isOpen();
  }

  /** @return what the panel shows now; in a cluster, after asking Redis once for its keys */
  Page.Panel snapshot() {
    AtomStore s = java.util.Objects.requireNonNull(store, "not started");
    Map<Object, Integer> streams = new LinkedHashMap<>();
    for (Map.Entry<Object, Object> pair : s.connections()) streams.merge(pair.getKey(), 1, Integer::sum);
    List<Page.Row> rows = new ArrayList<>();
    Set<String> sessions = new HashSet<>();
    for (Map.Entry<Object, Integer> e : streams.entrySet()) {
      Object key = e.getKey();
      rows.add(new Page.Row(Page.label(key), Page.session(key), e.getValue(), since.get(key), true));
      if (isCounterKey(key)) sessions.add((String) ((IPersistentVector) key).nth(0));
    }
    String clusterNote = "";
    if (CounterServer.node(s) != null) {
      try {
        for (Object key : CounterServer.clusterKeys(s, CounterServer.EVERY_TAB)) {
          if (isCounterKey(key) && sessions.add((String) ((IPersistentVector) key).nth(0))) {
            rows.add(new Page.Row(Page.label(key), Page.session(key), 0, null, false));
          }
        }
      } catch (RuntimeException unreachable) {
        clusterNote = "; other nodes' keys unknown (" + unreachable.getMessage() + ")";
      }
    }
    rows.sort(Comparator.comparing(Page.Row::label));
    int more = Math.max(0, rows.size() - MAX_ROWS);
    List<Page.Row> shownRows = more == 0 ? rows : List.copyOf(rows.subList(0, MAX_ROWS));
    return new Page.Panel(
        shownRows, more, sessions.size(), s.count(CounterServer.EVERY_TAB), removals.entries(),
        stats(s) + clusterNote, CounterServer.node(s));
  }

  private static boolean isCounterKey(Object key) {
    return key instanceof IPersistentVector v && v.count() == 2 && v.nth(0) instanceof String
        && CounterServer.COUNTER.equals(v.nth(1));
  }

  // The store's stats as a line: "Stats: 3 streams stored; removals: dead 1, explicit 2", and for a
  // cluster member "; node web-1, connected to Redis".
  private static String stats(AtomStore store) {
    IPersistentMap stats = store.stats();
    long size = ((Number) stats.valAt(SIZE)).longValue();
    Map<String, Long> counted = new TreeMap<>();
    if (stats.valAt(REMOVALS) instanceof Map<?, ?> byCause) {
      for (Map.Entry<?, ?> e : byCause.entrySet()) {
        long n = ((Number) e.getValue()).longValue();
        if (n > 0) counted.put(((Keyword) e.getKey()).getName(), n);
      }
    }
    StringBuilder line = new StringBuilder("Stats: ").append(size).append(size == 1 ? " stream" : " streams")
        .append(" stored; removals: ");
    if (counted.isEmpty()) line.append("none");
    String sep = "";
    for (Map.Entry<String, Long> e : counted.entrySet()) {
      line.append(sep).append(e.getKey()).append(' ').append(e.getValue());
      sep = ", ";
    }
    if (stats.valAt(CLUSTER) instanceof IPersistentMap cluster) {
      line.append("; node ").append(CounterServer.node(store))
          .append(Boolean.TRUE.equals(cluster.valAt(CONNECTED)) ? ", connected to Redis" : ", not connected to Redis");
    }
    return line.toString();
  }
}
