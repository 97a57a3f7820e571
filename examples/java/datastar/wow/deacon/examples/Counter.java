package datastar.wow.deacon.examples;

import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;

/** One browser session's counter: its value, and the ticker while the timer runs. */
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
  private ScheduledFuture<?> ticker;

  /** @return true when the timer was not running and {@code ticker} now drives it */
  synchronized boolean start(Supplier<ScheduledFuture<?>> ticker) {
    if (this.ticker != null) return false;
    this.ticker = ticker.get();
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

  /** @return the value after adding {@code n} */
  synchronized long add(long n) {
    value += n;
    return value;
  }

  /** @return the value and whether the timer runs */
  synchronized State state() {
    return new State(value, ticker != null);
  }

  /** @return the signals of this counter as JSON */
  String signals() {
    return state().json();
  }
}
