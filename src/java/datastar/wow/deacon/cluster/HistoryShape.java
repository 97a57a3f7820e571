package datastar.wow.deacon.cluster;

import datastar.wow.deacon.Replay;

/**
 * How much of each key's events the nodes keep in Redis, taken from the store's replay settings:
 * at most {@link #events} per key, for at most {@link #windowMs}. {@link #NONE} for a store
 * without replay: no log is kept and no key is marked recent.
 */
final class HistoryShape {
  static final HistoryShape NONE = new HistoryShape(0, 0);

  final int events;
  final long windowMs;

  private HistoryShape(int events, long windowMs) {
    this.events = events;
    this.windowMs = windowMs;
  }

  static HistoryShape of(Replay replay) {
    return new HistoryShape(replay.events(), Math.max(1, replay.window().toMillis()));
  }

  boolean kept() {
    return windowMs > 0;
  }

  /** The window as a script argument. */
  byte[] windowArg() {
    return Directory.bytes(Long.toString(windowMs));
  }
}
