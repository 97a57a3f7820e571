package datastar.wow.deacon.examples;

import clojure.lang.IPersistentVector;
import datastar.wow.deacon.AtomStore;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Every session's counter on this node, with its one timer: commands change a counter once and show
 * it on every tab of the session, the timer ticks, and counters nobody watches are forgotten.
 *
 * <p>A change is sent with {@code store.send(key, message)} as a {@link Messages.CounterState}: the
 * counter after the change, stamped. The store writes it to this node's tabs of the session and, in
 * a cluster, sends it to the nodes holding the others, whose writer keeps it if it is newer than
 * their copy ({@link Counter#adopt}) and shows it. The tab shows the counter as it is when the tab's
 * lock is taken, so the writes on one tab follow the order of the changes and a tab never ends on an
 * older state (a tick racing a stop).
 *
 * <p>In a cluster, a tab opening asks the other nodes holding the session for their copy (a node's
 * copy is out of date when it held no tab of the session), and a command given on a node that holds
 * no tab of the session is sent, as a {@link Messages.Command}, to the nodes that do.
 */
final class Counters {
  private static final System.Logger LOG = System.getLogger(Counters.class.getName());
  private static final int REMEMBERED_COMMANDS = 1024;

  private final Settings settings;
  private final ScheduledExecutorService timer;
  // One counter per session that has one worth keeping; see settle and forget.
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Set<String> answering = ConcurrentHashMap.newKeySet();
  private final Set<String> applied =
      Collections.newSetFromMap(
          Collections.synchronizedMap(
              new LinkedHashMap<String, Boolean>() {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                  return size() > REMEMBERED_COMMANDS;
                }
              }));
  private volatile @Nullable AtomStore store;
  private volatile Counter.Clock clock = new Counter.Clock("");

  /**
   * @param settings the tick, the grace and the keep
   * @param timer the thread the ticks and the forgetting run on
   */
  Counters(Settings settings, ScheduledExecutorService timer) {
    this.settings = settings;
    this.timer = timer;
  }

  /**
   * Starts keeping counters for the tabs of {@code store}.
   *
   * @param store the store, whose writer hands counter messages to {@link #received}
   */
  void start(AtomStore store) {
    String node = CounterServer.node(store);
    this.clock = new Counter.Clock(node == null ? "" : node);
    this.store = store;
  }

  private AtomStore store() {
    return java.util.Objects.requireNonNull(store, "not started");
  }

  private boolean clustered() {
    return CounterServer.node(store()) != null;
  }

  /**
   * @param sid a session id
   * @return that session's counter as this node has it
   */
  Counter.State state(String sid) {
    Counter counter = counters.get(sid);
    return counter == null ? Counter.State.INITIAL : counter.state();
  }

  /** @return how many sessions have a counter here */
  int size() {
    return counters.size();
  }

  /**
   * A command given here, where a tab of the session is open: changes the counter once, and shows
   * it on every tab of the session (in a cluster, on every node).
   *
   * @param sid the session
   * @param op {@code start}, {@code jump} or {@code stop}
   */
  void command(String sid, String op) {
    Counter.Replica after = apply(sid, op);
    send(sid, after, false);
  }

  /**
   * Shows {@code text} as the notice on every tab of the session (those other nodes hold too, when
   * they can be reached).
   *
   * @param sid the session
   * @param text the notice
   */
  void notice(String sid, String text) {
    store().send(CounterServer.key(sid), Messages.write(new Messages.Notice(text)));
  }

  /**
   * A command given here, where no tab of the session is open: sent to the nodes that hold one.
   *
   * @param sid the session
   * @param op {@code start}, {@code jump} or {@code stop}
   */
  void forward(String sid, String op) {
    String id = UUID.randomUUID().toString();
    store().send(CounterServer.key(sid), Messages.write(new Messages.Command(sid, op, id, clock.node())));
  }

  private Counter.Replica apply(String sid, String op) {
    Counter.Replica[] after = {Counter.Replica.INITIAL};
    counters.compute(
        sid,
        (s, existing) -> {
          Counter counter = existing == null ? new Counter() : existing;
          switch (op) {
            case "start" -> counter.start(clock, () -> ticks(s));
            case "jump" -> counter.jump(clock);
            case "stop" -> counter.stop(clock);
            default -> LOG.log(System.Logger.Level.WARNING, "counter: no such command: " + op);
          }
          after[0] = counter.replica();
          return kept(counter);
        });
    return after[0];
  }

  // A counter at zero, stopped, is nothing worth keeping.
  private static @Nullable Counter kept(Counter counter) {
    if (counter.replica().reset() && !counter.ticking()) {
      counter.drop();
      return null;
    }
    return counter;
  }

  /**
   * The store's writer met a counter for {@code stream}, a tab of its session here: keeps it if it
   * is newer, shows the session's counter, and answers a question.
   *
   * @param message the counter, from this node or another
   * @param stream the tab
   * @return false when the tab is closed
   */
  boolean received(Messages.CounterState message, SseStream stream) {
    boolean mine = message.from().equals(clock.node());
    if (mine && message.ask()) return stream.isOpen(); // this node's own question
    if (!mine) adopt(message.session(), message.replica());
    if (message.ask()) answerLater(message.session());
    return show(message.session(), stream);
  }

  /**
   * The store's writer met a command another node forwarded, for {@code stream}, a tab of its
   * session here: applied once on this node, then shown.
   *
   * @param message the command
   * @param stream the tab
   * @return false when the tab is closed
   */
  boolean received(Messages.Command message, SseStream stream) {
    if (applied.add(message.id())) apply(message.session(), message.op());
    return show(message.session(), stream);
  }

  private void adopt(String sid, Counter.Replica replica) {
    counters.compute(
        sid,
        (s, existing) -> {
          Counter counter = existing == null ? new Counter() : existing;
          counter.adopt(replica, clock, () -> ticks(s));
          return kept(counter);
        });
  }

  /**
   * Shows the session's counter on {@code stream}, as it is when the stream's lock is held.
   *
   * @param sid the session
   * @param stream one of its tabs
   * @return false when the tab is closed
   */
  boolean show(String sid, SseStream stream) {
    synchronized (stream) {
      return stream.patchSignals(state(sid).json());
    }
  }

  /**
   * A tab of the session opened here. In a cluster, this node's copy of the counter may be out of
   * date: it asks the nodes holding the session's other tabs for theirs (sending its own, which they
   * keep if newer).
   *
   * @param sid the session
   */
  void opened(String sid) {
    // the directory takes in this tab's stream before the question: the answer reaches it
    if (clustered()) ask(sid);
  }

  private void ask(String sid) {
    Counter counter = counters.get(sid);
    send(sid, counter == null ? Counter.Replica.INITIAL : counter.replica(), true);
  }

  // Answers a question once, however many of the session's tabs this node holds.
  private void answerLater(String sid) {
    if (!answering.add(sid)) return;
    try {
      timer.execute(
          () -> {
            answering.remove(sid);
            Counter counter = counters.get(sid);
            if (counter != null) send(sid, counter.replica(), false);
          });
    } catch (RejectedExecutionException closing) {
      answering.remove(sid);
    }
  }

  private void send(String sid, Counter.Replica replica, boolean ask) {
    store().send(
        CounterServer.key(sid), Messages.write(new Messages.CounterState(sid, replica, clock.node(), ask)));
  }

  private ScheduledFuture<?> ticks(String sid) {
    long every = settings.tick().toMillis();
    return timer.scheduleAtFixedRate(() -> tick(sid), every, every, TimeUnit.MILLISECONDS);
  }

  private void tick(String sid) {
    try {
      Counter counter = counters.get(sid);
      if (counter == null) return;
      boolean watched = watched(sid);
      switch (counter.tick(clock, watched, settings.graceTicks())) {
        case ADDED -> {
          if (watched) send(sid, counter.replica(), false);
        }
        case PAUSED -> settle(sid); // stopped: nobody watched
        case NONE -> {}
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "counter: a tick failed", e);
    }
  }

  // Whether some tab of the session is open: here, or (in a cluster) on another node. When Redis
  // cannot say, the session counts as watched: the timer runs on.
  private boolean watched(String sid) {
    IPersistentVector key = CounterServer.key(sid);
    AtomStore s = store();
    if (s.count(key) > 0) return true;
    if (!clustered()) return false;
    try {
      return CounterServer.clusterKeys(s, key).size() > 0;
    } catch (RuntimeException unknown) {
      return true;
    }
  }

  /**
   * A stopped counter nobody watches here is forgotten later (kept while a tab here shows it).
   *
   * @param sid the session
   * @throws RejectedExecutionException when the server is stopping
   */
  void settle(String sid) {
    counters.computeIfPresent(
        sid,
        (s, counter) -> {
          if (store().count(CounterServer.key(s)) == 0) {
            counter.forgetLater(
                () -> timer.schedule(() -> forget(s), settings.keep().toMillis(), TimeUnit.MILLISECONDS));
          }
          return counter;
        });
  }

  private void forget(String sid) {
    counters.computeIfPresent(
        sid,
        (s, counter) -> {
          counter.cancelForget();
          if (counter.ticking() || store().count(CounterServer.key(s)) > 0) return counter;
          counter.drop();
          return null;
        });
  }
}
