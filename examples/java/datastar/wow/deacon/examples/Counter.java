package datastar.wow.deacon.examples;

import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One browser session's counter, shared by every tab of the session: its value, the session's one
 * ticker while the timer runs, and the task that will forget a stopped count nobody watches.
 */
final class Counter {
  /**
   * A counter's value and whether its timer runs, read together.
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

  private long value;
  private @Nullable ScheduledFuture<?> ticker;
  private @Nullable ScheduledFuture<?> forget;
  private int idle; // ticks in a row that found no tab of the session open

  /**
   * Starts the timer, unless it runs; cancels a pending forget.
   *
   * @param ticker schedules the ticks; called only when the timer was not running
   * @return true when the timer was not running and {@code ticker} now drives it
   */
  synchronized boolean start(Supplier<ScheduledFuture<?>> ticker) {
    cancelForget();
    if (this.ticker != null) return false;
    this.ticker = ticker.get();
    idle = 0;
    return true;
  }

  /** Stops the timer and resets the value to zero. */
  synchronized void stop() {
    pause();
    value = 0;
  }

  /** Stops the timer, keeping the value. */
  synchronized void pause() {
    if (ticker != null) ticker.cancel(false);
    ticker = null;
  }

  /**
   * @param n how much to add
   * @return the value after adding {@code n}
   */
  synchronized long add(long n) {
    value += n;
    return value;
  }

  /**
   * One tick of the timer: adds one. After {@code grace} ticks in a row that found no tab open, the
   * timer stops instead (the count is kept): a reload closes the tab's stream before the new page
   * opens its own, and must not stop the counter.
   *
   * @param watched whether some tab of the session is open
   * @param grace how many ticks without a tab the timer runs on
   * @return true when the tick added one; false when the timer is stopped (now or before)
   */
  synchronized boolean tick(boolean watched, int grace) {
    if (ticker == null) return false;
    idle = watched ? 0 : idle + 1;
    if (idle >= grace) {
      pause();
      return false;
    }
    value++;
    return true;
  }

  /**
   * Plans to forget this counter, unless it runs or a forget is already planned.
   *
   * @param forget schedules the forgetting
   */
  synchronized void forgetLater(Supplier<ScheduledFuture<?>> forget) {
    if (ticker == null && this.forget == null) this.forget = forget.get();
  }

  /** The planned forget ran, or was called off: a later {@link #forgetLater} may plan again. */
  synchronized void cancelForget() {
    if (forget != null) forget.cancel(false);
    forget = null;
  }

  /** @return the value and whether the timer runs */
  synchronized State state() {
    return new State(value, ticker != null);
  }
}
