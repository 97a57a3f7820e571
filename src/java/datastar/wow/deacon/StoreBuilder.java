package datastar.wow.deacon;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The settings both built-in stores share; {@link AtomStore.Builder} and {@link
 * CaffeineStore.Builder} add their own. Only those two extend it.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class StoreBuilder<B extends StoreBuilder<B>> {
  @Nullable RemovalListener onRemoval;
  @Nullable Duration heartbeatInterval;
  @Nullable ConnectionProbe probe;
  @Nullable ConnectionWriter writer;
  Peers.@Nullable Factory cluster;
  boolean fanOut;
  int replayEvents;
  @Nullable Duration replayWindow;

  StoreBuilder() {}

  abstract B self();

  /**
   * Tells {@code listener} of every connection that leaves the store, once each, with the cause
   * ({@code :on-removal} in Clojure).
   *
   * @param listener the listener
   * @return this builder
   * @throws InvalidInputException when {@code listener} is null
   */
  public B onRemoval(RemovalListener listener) {
    this.onRemoval = Check.notNull("onRemoval", listener);
    return self();
  }

  /**
   * Starts a daemon thread that every {@code interval} calls {@code probe} with each stored
   * connection and removes those it finds dead (cause {@link RemovalCause#DEAD}); {@code
   * :heartbeat} in Clojure. Closing the store stops it. A server only learns a client left when a
   * write to it fails, and adapters can miss a close: this is the defence.
   *
   * @param interval time between sweeps; at least 1 millisecond
   * @param probe the write that proves a connection alive
   * @return this builder
   * @throws InvalidInputException when {@code interval} is null or shorter than 1 millisecond, or
   *     {@code probe} is null
   */
  public B heartbeat(Duration interval, ConnectionProbe probe) {
    this.heartbeatInterval = Check.duration("heartbeat", interval);
    this.probe = Check.notNull("heartbeat", probe);
    return self();
  }

  /**
   * Sets how {@code send} writes a message to a connection; see {@link ConnectionWriter}. Apps on
   * datastar.wow do not need it: their responses reach streams through the interceptor.
   *
   * @param writer writes one message to one connection
   * @return this builder
   * @throws InvalidInputException when {@code writer} is null
   */
  public B writer(ConnectionWriter writer) {
    this.writer = Check.notNull("writer", writer);
    return self();
  }

  /**
   * Makes the store a member of a cluster of nodes ({@code :cluster} in Clojure): keyed responses,
   * broadcasts and sends then reach streams held by any node. The library's own cluster runs over
   * a Redis: pass {@code ClusterSettings.builder("redis://...").build()} (package {@code
   * datastar.wow.deacon.cluster}, needs Lettuce on the classpath); the node connects in the
   * background, and other nodes being unreachable never blocks or fails local work.
   *
   * @param cluster joins the cluster when the store is built, e.g. {@code ClusterSettings}
   * @return this builder
   * @throws InvalidInputException when {@code cluster} is null
   */
  public B cluster(Peers.Factory cluster) {
    this.cluster = Check.notNull("cluster", cluster);
    return self();
  }

  /**
   * Keeps a history of what is sent to each key, so that a stream reconnecting with a {@code
   * last-event-id} gets what it missed ({@code :replay {:events n :ms t}} in Clojure); see {@link
   * Replay}. Every event sent to a key's streams then carries an SSE id.
   *
   * @param events how many events each key keeps; at least 1; default {@link Replay#DEFAULT_EVENTS}
   * @param window how long an event is kept, and how long after its last stream closed a key still
   *     records; at least 1 millisecond; default {@link Replay#DEFAULT_WINDOW}
   * @return this builder
   * @throws InvalidInputException when {@code events} is less than 1, or {@code window} is null or
   *     shorter than 1 millisecond
   */
  public B replay(int events, Duration window) {
    this.replayEvents = (int) Check.atLeastOne("replay", events);
    this.replayWindow = Check.duration("replay", window);
    return self();
  }

  /** The replay settings, bounded by {@code keys}, or null when the store keeps no history. */
  @Nullable ReplaySettings replaySettings(long keys, com.github.benmanes.caffeine.cache.Ticker ticker) {
    Duration w = replayWindow;
    return w == null ? null : new ReplaySettings(replayEvents, w, keys, ticker);
  }

  /**
   * Keeps every connection stored under a key instead of replacing the older one ({@code
   * :fan-out?} in Clojure); see {@link StorePolicy#fanOut()}.
   *
   * @param fanOut true for fan-out; default false
   * @return this builder
   */
  public B fanOut(boolean fanOut) {
    this.fanOut = fanOut;
    return self();
  }
}
