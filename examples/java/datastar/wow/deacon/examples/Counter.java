package datastar.wow.deacon.examples;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One browser session's counter on this node, shared by every tab of the session: its value, who
 * runs its one timer, and the task that will forget a stopped count nobody watches.
 *
 * <p>In a cluster each node holding a tab of the session keeps a copy. Every change is stamped
 * {@code (version, node)} from the node's {@link Clock} and sent, as its result, to every tab of the
 * session; a node keeps the newest copy it sees ({@link #adopt}), so every copy ends on the same
 * counter whatever order the changes crossed in. The timer runs on one node, the {@link
 * Replica#ticker}; the others follow its ticks.
 */
final class Counter {
  /**
   * A counter's value and whether its timer runs, read together: what a tab shows.
   *
   * @param value the count
   * @param running whether the timer runs
   */
  record State(long value, boolean running) {
    /** A session that has no counter. */
    static final State INITIAL = new State(0, false);

    /** @return the signals as JSON, e.g. {@code {"counter":10,"running":true}} */
    String json() {
      return "{\"counter\":" + value + ",\"running\":" + running + "}";
    }
  }

  /**
   * A counter as it travels between nodes.
   *
   * @param value the count
   * @param ticker the node whose timer runs it, or null when it is stopped
   * @param version the Lamport time of the change it comes from
   * @param origin the node that made that change ({@code ""} for none)
   */
  record Replica(long value, @Nullable String ticker, long version, String origin) {
    /** No change yet: older than any. */
    static final Replica INITIAL = new Replica(0, null, 0, "");

    /** @return what a tab shows */
    State state() {
      return new State(value, ticker != null);
    }

    /** @return true when nothing is worth keeping: zero, stopped */
    boolean reset() {
      return value == 0 && ticker == null;
    }

    /**
     * @param other another copy
     * @return true when this one comes from a later change: a higher version, or the same version
     *     made by a node whose id sorts later (two nodes changing at once: both keep the same one)
     */
    boolean newerThan(Replica other) {
      return version > other.version || (version == other.version && origin.compareTo(other.origin) > 0);
    }
  }

  /**
   * A node's Lamport clock: every change here is stamped after every change this node has seen.
   */
  static final class Clock {
    private final String node;
    private final AtomicLong time = new AtomicLong();

    /** @param node this node's id ({@code ""} for a server on its own) */
    Clock(String node) {
      this.node = node;
    }

    /** @return this node's id */
    String node() {
      return node;
    }

    /** @return a time later than any this node made or saw */
    long next() {
      return time.incrementAndGet();
    }

    /** @param version a time another node made */
    void saw(long version) {
      time.accumulateAndGet(version, Math::max);
    }
  }

  /** What one tick of the timer did. */
  enum Tick {
    /** The timer does not run here. */
    NONE,
    /** It added one. */
    ADDED,
    /** Nobody watched for too long: the timer stopped, the count is kept. */
    PAUSED
  }

  private Replica replica = Replica.INITIAL;
  private @Nullable ScheduledFuture<?> ticks; // this node's timer, while it is the ticker
  private @Nullable ScheduledFuture<?> forget;
  private int idle; // ticks in a row that found no tab of the session open

  /**
   * Starts the timer here, unless it runs (here or elsewhere); cancels a pending forget.
   *
   * @param clock this node's clock
   * @param ticks schedules the ticks; called only when the timer was not running
   * @return true when the timer was not running and runs here now
   */
  synchronized boolean start(Clock clock, Supplier<ScheduledFuture<?>> ticks) {
    cancelForget();
    if (replica.ticker() != null) return false;
    replica = new Replica(replica.value(), clock.node(), clock.next(), clock.node());
    this.ticks = ticks.get();
    idle = 0;
    return true;
  }

  /**
   * Adds ten.
   *
   * @param clock this node's clock
   */
  synchronized void jump(Clock clock) {
    replica = new Replica(replica.value() + 10, replica.ticker(), clock.next(), clock.node());
  }

  /**
   * Stops the timer, wherever it runs, and resets the value to zero.
   *
   * @param clock this node's clock
   */
  synchronized void stop(Clock clock) {
    cancelTicks();
    replica = new Replica(0, null, clock.next(), clock.node());
  }

  /**
   * One tick of the timer: adds one. After {@code grace} ticks in a row that found no tab open, the
   * timer stops instead (the count is kept): a reload closes the tab's stream before the new page
   * opens its own, and must not stop the counter.
   *
   * @param clock this node's clock
   * @param watched whether some tab of the session is open, on any node
   * @param grace how many ticks without a tab the timer runs on
   * @return what the tick did
   */
  synchronized Tick tick(Clock clock, boolean watched, int grace) {
    if (ticks == null) return Tick.NONE;
    idle = watched ? 0 : idle + 1;
    if (idle >= grace) {
      cancelTicks();
      replica = new Replica(replica.value(), null, clock.next(), clock.node());
      return Tick.PAUSED;
    }
    replica = new Replica(replica.value() + 1, replica.ticker(), clock.next(), clock.node());
    return Tick.ADDED;
  }

  /**
   * Keeps {@code other} if it is newer than this copy; then the timer runs here exactly when {@code
   * other} says this node is its ticker.
   *
   * @param other another node's copy
   * @param clock this node's clock
   * @param ticks schedules the ticks, if the timer is to run here now
   * @return true when {@code other} was kept
   */
  synchronized boolean adopt(Replica other, Clock clock, Supplier<ScheduledFuture<?>> ticks) {
    clock.saw(other.version());
    if (!other.newerThan(replica)) return false;
    replica = other;
    boolean mine = clock.node().equals(other.ticker());
    if (mine && this.ticks == null) {
      cancelForget();
      this.ticks = ticks.get();
      idle = 0;
    } else if (!mine) {
      cancelTicks();
    }
    return true;
  }

  private void cancelTicks() {
    if (ticks != null) ticks.cancel(false);
    ticks = null;
  }

  /**
   * Plans to forget this counter, unless its timer runs here or a forget is already planned.
   *
   * @param forget schedules the forgetting
   */
  synchronized void forgetLater(Supplier<ScheduledFuture<?>> forget) {
    if (ticks == null && this.forget == null) this.forget = forget.get();
  }

  /** The planned forget ran, or was called off: a later {@link #forgetLater} may plan again. */
  synchronized void cancelForget() {
    if (forget != null) forget.cancel(false);
    forget = null;
  }

  /** Stops this node's timer and a planned forget: the counter is dropped. */
  synchronized void drop() {
    cancelTicks();
    cancelForget();
  }

  /** @return true while the timer runs on this node */
  synchronized boolean ticking() {
    return ticks != null;
  }

  /** @return the value, who ticks, and the stamp */
  synchronized Replica replica() {
    return replica;
  }

  /** @return the value and whether the timer runs */
  synchronized State state() {
    return replica.state();
  }
}
