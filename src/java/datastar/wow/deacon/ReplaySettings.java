package datastar.wow.deacon;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;

/** What a store builder's {@code replay(...)} was given, with the store's bound on keys. */
final class ReplaySettings {
  final int events;
  final Duration window;
  final long keys;
  final Ticker ticker;

  ReplaySettings(int events, Duration window, long keys, Ticker ticker) {
    this.events = events;
    this.window = window;
    this.keys = keys;
    this.ticker = ticker;
  }
}
