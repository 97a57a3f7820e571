package datastar.wow.deacon.examples;

import java.util.concurrent.ScheduledFuture;

/** One browser session's counter: its value, and the ticker while the timer runs. */
final class Counter {
  private long value;
  private ScheduledFuture<?> ticker;

  /** @return true when the timer was not running and {@code ticker} now drives it */
  synchronized boolean start(java.util.function.Supplier<ScheduledFuture<?>> ticker) {
    if (this.ticker != null) return false;
    this.ticker = ticker.get();
    return true;
  }

  /** Stops the timer and resets the value to zero. */
  synchronized void stop() {
    if (ticker != null) ticker.cancel(false);
    ticker = null;
    value = 0;
  }

  /** Stops the timer, keeping the value (its stream went away). */
  synchronized void pause() {
    if (ticker != null) ticker.cancel(false);
    ticker = null;
  }

  /** @return the value after adding {@code n} */
  synchronized long add(long n) {
    value += n;
    return value;
  }

  /** @return the signals of this counter as JSON */
  synchronized String signals() {
    return "{\"counter\":" + value + ",\"running\":" + (ticker != null) + "}";
  }
}
