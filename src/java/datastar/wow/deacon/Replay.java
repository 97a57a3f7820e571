package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A store's history of what it sent, so that a tab that reconnects gets what it missed: the
 * capability a store built with {@code replay(...)} ({@code :replay} in Clojure) reports through
 * {@link StorePolicy#replay()}.
 *
 * <p>Every event delivered to a key's streams (a keyed response's, a fan-out's, a broadcast's, a
 * send's) gets an SSE {@code id}, ordered per key, and the key keeps its last {@link #events()}
 * events for at most {@link #window()}, as they were sent, rendered once. Events sent while none of
 * the key's streams is open count too, as long as the key had a stream within the window: the tab
 * that was hidden gets them when it comes back. A request that opens a stream under the key with a
 * {@code last-event-id} header gets, first, every event after that id, in order, once each; then
 * its own opening effects; then live events.
 *
 * <p>A request can tell before it answers whether its stream will be caught up, and send the full
 * state only when it will not:
 *
 * <pre>{@code
 * boolean caughtUp = store.policy().replay()
 *     .map(r -> r.recoverable(Deacon.scopedKey(userId, FEED), lastEventId))
 *     .orElse(false);
 * }</pre>
 *
 * <p><b>Memory.</b> At most {@link #events()} events per key, for keys that had a stream within the
 * window, and at most as many keys as the store's size bound ({@value #DEFAULT_KEYS} for an atom
 * store); events older than the window are never replayed and leave with their key.
 *
 * <p><b>In a cluster</b> whose {@link Peers#log()} offers a {@link SharedLog}, the history is the
 * cluster's: ids come from the log, every node's streams of a key see the same events in the same
 * order, and a stream may resume on any node. {@link #recoverable} and {@link #resume} may then ask
 * the log, waiting at most the cluster's timeout. Open every stream of such a store through
 * {@link #resume} (with a null id for a fresh tab): it brings the key's history here up to date
 * with the log before the stream joins.
 */
public final class Replay {
  /** The default for the number of events kept per key: 100. */
  public static final int DEFAULT_EVENTS = 100;
  /** The default for how long an event is kept: five minutes. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
  /** The most keys a store without a size bound keeps a history for: 10,000. */
  public static final long DEFAULT_KEYS = 10_000;

  private static final Keyword ID = Keyword.intern("d*.sse", "id");
  private static final Keyword RETRY = Keyword.intern("d*.sse", "retry-duration");

  private final int events;
  private final Duration window;
  private final long windowNanos;
  private final Ticker ticker;
  private final Cache<Object, Track> tracks;
  /** This store's prefix of ids: ids of another process (another store) are unknown here. */
  private final String base;
  /** The store's last sequence number: an id is never given twice, and grows with each event. */
  private final AtomicLong seq = new AtomicLong();
  private final ConnectionStore store;
  private final @Nullable ConnectionWriter writer;
  /** The cluster's history, once the store joined a cluster that shares one. */
  private volatile @Nullable SharedHistory shared;

  Replay(ReplaySettings settings, ConnectionStore store, @Nullable ConnectionWriter writer) {
    this.events = settings.events;
    this.window = settings.window;
    this.windowNanos = Heartbeat.saturatedNanos(settings.window);
    this.ticker = settings.ticker;
    this.tracks =
        Caffeine.newBuilder()
            .maximumSize(settings.keys)
            .expireAfterAccess(settings.window)
            .ticker(settings.ticker)
            .executor(Runnable::run)
            .build();
    this.base = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36);
    this.store = store;
    this.writer = writer;
  }

  /** The store joined a cluster that shares a history: ids and events come from it from now on. */
  void share(SharedLog log, Peers peers) {
    shared = new SharedHistory(this, log, peers);
  }

  /** The cluster's shared history, or null when this store keeps its own. */
  @Nullable SharedHistory shared() {
    return shared;
  }

  /**
   * How many events a key keeps.
   *
   * @return the events per key
   */
  public int events() {
    return events;
  }

  /**
   * How long an event is kept, and how long after its last stream closed a key keeps recording.
   *
   * @return the window
   */
  public Duration window() {
    return window;
  }

  /**
   * Tells whether a stream opening under {@code key} with {@code lastEventId} will be caught up:
   * the key's history holds that event, so every event after it will be replayed first. A
   * request asks this before it answers, to send its full state only when the answer is no.
   *
   * @param key a scoped key, e.g. {@code [user-id :feed]}
   * @param lastEventId the request's {@code last-event-id} header, or null
   * @return false for null, an id older than the history, or one this store never gave
   */
  public boolean recoverable(Object key, @Nullable String lastEventId) {
    if (lastEventId == null || lastEventId.isEmpty()) return false;
    Track t = existing(key);
    if (t != null) {
      t.lock.lock();
      try {
        if (t.holds(lastEventId, oldest())) return true;
      } finally {
        t.lock.unlock();
      }
    }
    SharedHistory h = shared;
    return h != null && h.holds(key, lastEventId);
  }

  private long now() {
    return ticker.read();
  }

  private long oldest() {
    long now = now();
    return now - windowNanos > now ? Long.MIN_VALUE : now - windowNanos;
  }

  /**
   * Lets {@code connection}, a stream opening under {@code key}, resume after {@code lastEventId}:
   * it gets every event of the key after that one, in order, then {@code openAndJoin} runs (it
   * writes the stream's own opening events and stores the stream under the key), and only then do
   * live events of the key reach it. No event of the key goes out meanwhile (they wait for the
   * key's lock), so the stream misses none and sees none twice. With an id this store does not
   * hold, nothing is replayed: the stream starts afresh, and the request should have sent its full
   * state (see {@link #recoverable}).
   *
   * <pre>{@code
   * replay.resume(key, stream, request.header("last-event-id"), () -> {
   *   stream.write(initialState);   // its own opening events
   *   store.store(key, stream);     // live events from now on
   * });
   * }</pre>
   *
   * <p>With a shared history, the key's events this node does not hold (it held no stream under
   * the key meanwhile, or the stream comes from another node) are read from the log first.
   *
   * @param key the scoped key the stream opens under
   * @param connection the new stream
   * @param lastEventId the {@code last-event-id} the stream's request carried, or null
   * @param openAndJoin writes the stream's opening events and stores it under {@code key}
   * @return true when the missed events were replayed; false when the id was unknown, and when a
   *     write found the stream closed (then {@code openAndJoin} did not run)
   * @throws Exception when a write of a replayed event failed otherwise
   */
  public boolean resume(Object key, Object connection, @Nullable String lastEventId, Runnable openAndJoin)
      throws Exception {
    Track t = track(key);
    t.lock.lock();
    try {
      List<Event> missed = missed(t, key, lastEventId);
      if (missed != null) {
        for (Event e : missed) {
          if (!write(connection, e)) return false;
        }
      }
      openAndJoin.run();
      return missed != null;
    } finally {
      t.lock.unlock();
    }
  }

  /**
   * The events after {@code lastEventId} in {@code t}; with a shared history, {@code t} is first
   * brought up to date with the log when this node holds no stream under the key (it received
   * nothing meanwhile), and an id {@code t} lacks is looked up in the log. Lock held.
   */
  private @Nullable List<Event> missed(Track t, Object key, @Nullable String lastEventId) {
    SharedHistory h = shared;
    if (h != null && (t.lastShared == null || streams(key).isEmpty())) h.sync(t, key);
    if (lastEventId == null) return null;
    List<Event> kept = t.after(lastEventId, oldest());
    return kept != null || h == null ? kept : h.after(t, key, lastEventId);
  }

  /**
   * A stream was stored under {@code key}, opened by {@code request} (or null): the key keeps a
   * history from now on.
   */
  void streamStored(Object key, @Nullable Object request) {
    Track t = track(key);
    t.streamSeen(now());
    if (request != null) t.lastRequest = request;
  }

  /**
   * A stream left {@code key} (closed, replaced, evicted): the key had a stream until now, and the
   * stream is remembered as one that left ({@link #hadLeft}).
   */
  void streamLeft(Object key, Object conn) {
    Track t = existing(key);
    if (t == null) return;
    t.streamSeen(now());
    t.left(conn);
  }

  /**
   * Whether {@code conn} is one of the last streams that left {@code key} here: a keyed response
   * whose look-up found it, and whose effects come after it left.
   */
  boolean hadLeft(Object key, Object conn) {
    Track t = existing(key);
    return t != null && t.hadLeft(conn);
  }

  /**
   * The request a push to {@code key} outside any request renders with: that of one of the key's
   * streams here, or of the last one it had within the window; null when none is known here.
   */
  @Nullable Object requestOf(Object key) {
    Ownership owners = store.policy().ownership().orElse(null);
    if (owners != null) {
      for (Object conn : streams(key)) {
        Object owner = owners.ownerOf(key, conn);
        if (owner != null) return owner;
      }
    }
    Track t = existing(key);
    return t == null ? null : t.lastRequest;
  }

  /** The history of {@code key}, or null when it has none. */
  @Nullable Track existing(Object key) {
    return tracks.getIfPresent(ClojureKey.of(key));
  }

  /** The history of {@code key}, made when it has none. */
  Track track(Object key) {
    long now = now();
    return tracks.get(ClojureKey.of(key), k -> new Track(events, now));
  }

  /**
   * The history that an event sent to {@code key} now goes into: the key's, when the key has a
   * stream here or had one within the window; else null (the event is not recorded).
   */
  @Nullable Track recording(Object key, boolean hasStreams) {
    if (hasStreams) {
      Track t = track(key);
      t.streamSeen(now());
      return t;
    }
    Track t = existing(key);
    return t != null && now() - t.lastStream() <= windowNanos ? t : null;
  }

  /** The keys matching {@code pattern} that still record events: they had a stream within the window. */
  List<Object> recentKeys(Object pattern) {
    long now = now();
    if (!KeyPattern.hasWildcard(pattern)) {
      Track t = existing(pattern);
      return t != null && now - t.lastStream() <= windowNanos ? List.of(pattern) : List.of();
    }
    // a pattern: every key's history is looked at, as the store's own match of a pattern
    List<Object> keys = new ArrayList<>();
    for (Map.Entry<Object, Track> e : tracks.asMap().entrySet()) {
      Object key = ClojureKey.unwrap(e.getKey());
      if (now - e.getValue().lastStream() > windowNanos) continue;
      if (KeyPattern.matches(pattern, key)) keys.add(key);
    }
    return keys;
  }

  /**
   * The keys a delivery to {@code keyOrPattern} records in: its streams' keys, and the keys
   * matching it that had a stream within the window.
   */
  List<Object> keysFor(Object keyOrPattern, List<Map.Entry<Object, Object>> here) {
    List<Object> keys = new ArrayList<>();
    for (Map.Entry<Object, Object> target : here) {
      if (!Clj.holdsKey(keys, target.getKey())) keys.add(target.getKey());
    }
    for (Object key : recentKeys(keyOrPattern)) {
      if (!Clj.holdsKey(keys, key)) keys.add(key);
    }
    return keys;
  }

  /**
   * Records an event of {@code t}'s key; call with {@code t.lock} held.
   *
   * @param payload an {@link Event.Rendered} event, or a writer's message
   */
  Event record(Track t, @Nullable Object payload) {
    Event e = new Event(base + "-" + sequence(seq.incrementAndGet()), now(), payload);
    t.append(e);
    return e;
  }

  /** An event of the shared history, with the id the log gave it. */
  Event event(String id, Object payload) {
    return new Event(id, now(), payload);
  }

  /** What the store writes, from an event as a {@link SharedLog} carries it; null if it is not one. */
  @Nullable Object fromData(Object data) {
    return writer != null ? data : Event.Rendered.fromData(data);
  }

  /**
   * Sends {@code events} (rendered events, or a writer's messages) to the streams of {@code key}
   * here only, recording them with ids of this store's own: what a push does when the shared
   * history cannot be reached.
   */
  void sendHere(Object key, List<Object> events) {
    Track t = recording(key, !streams(key).isEmpty());
    if (t == null) return;
    t.lock.lock();
    try {
      for (Object payload : events) writeHere(key, record(t, payload));
    } finally {
      t.lock.unlock();
    }
  }

  /**
   * Writes {@code e} to every stream of {@code key} here; one found closed is removed (cause
   * {@code :dead}), one that fails otherwise is kept and the failure logged. Call with the key's
   * lock held.
   */
  void writeHere(Object key, Event e) {
    for (Object conn : streams(key)) {
      try {
        if (!write(conn, e)) store.purgeConnection(conn, RemovalCause.DEAD);
      } catch (Throwable failure) {
        Log.rethrowIfFatal(failure);
        Log.error(
            "datastar.wow.deacon: writing an event of key " + Shown.key(key) + " to one of its"
                + " streams failed; the stream was kept, the others were still served",
            failure);
      }
    }
  }

  /** Sequence numbers as fixed-width text, so that ids sort as strings in the order they were given. */
  private static String sequence(long n) {
    String digits = Long.toString(n, 36);
    return "0000000000000".substring(digits.length()) + digits;
  }

  /** The streams of {@code key} here, read as the registry reads them. */
  List<Object> streams(Object key) {
    return store.policy().connectionsQuietly(key);
  }

  /**
   * Writes {@code e} to {@code conn} as it was first written, with its id: through the store's
   * {@link ConnectionWriter}, or the Datastar SDK's {@code send-event!}.
   *
   * @return false when the stream turned out to be closed
   */
  boolean write(Object conn, Event e) throws Exception {
    if (!(e.payload instanceof Event.Rendered)) {
      ConnectionWriter w = writer;
      return w != null && w.write(conn, e.payload, e.id);
    }
    Event.Rendered r = (Event.Rendered) e.payload;
    Object opts =
        r.retry == null
            ? PersistentArrayMap.createAsIfByAssoc(new Object[] {ID, e.id})
            : PersistentArrayMap.createAsIfByAssoc(new Object[] {ID, e.id, RETRY, r.retry});
    return r.sendTo(Sdk.sendEvent(), conn, opts);
  }

  /** {@code opts} with the id of {@code e}: what the SDK writes as the event's {@code id:} line. */
  static IPersistentMap withId(@Nullable Object opts, Event e) {
    IPersistentMap map = opts instanceof IPersistentMap ? (IPersistentMap) opts : PersistentArrayMap.EMPTY;
    return map.assoc(ID, e.id);
  }

  /** The retry duration in the SDK's options, if any. */
  static @Nullable Object retryOf(@Nullable Object opts) {
    return opts instanceof IPersistentMap ? ((IPersistentMap) opts).valAt(RETRY) : null;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Replay{events=%d, window=%dms, keys=%d}", events, window.toMillis(), tracks.estimatedSize());
  }
}
