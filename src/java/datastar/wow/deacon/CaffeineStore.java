package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A store backed by a Caffeine cache: bounded in size, and entries expire after a period of
 * inactivity (or, with a scheduler, a fixed time after their key was first stored). With fan-out,
 * the size bound counts connections, not keys, and a key leaves whole (all its connections) when
 * it is evicted.
 *
 * <pre>{@code
 * CaffeineStore store = CaffeineStore.builder()
 *     .duration(Duration.ofMinutes(30))
 *     .maximumSize(50_000)
 *     .onRemoval((key, conn, cause) -> {
 *       if (cause.wasEvicted()) ((MyStream) conn).close();
 *     })
 *     .build();
 * }</pre>
 *
 * <p><b>Concurrency.</b> Every write runs inside Caffeine's per-key atomic section ({@code
 * compute}), so a store and a purge of one key never interleave. The reverse index behind {@link
 * #purgeConnection(Object)} changes inside the same sections and inside Caffeine's eviction: a
 * connection is indexed before it becomes visible and unindexed only after it is gone, so
 * purgeConnection never misses a connection that look-ups can still see; it removes the connection
 * from one key after the other, each removal atomic, not from all keys in one step (the atom store
 * does the latter). Reads never block. Size
 * and expiry evictions happen during Caffeine's maintenance, usually on the executor. {@link
 * RemovalListener}s always run on the executor ({@link Builder#executor(Executor)}, by default the
 * common fork-join pool), once per removed connection, in no particular order.
 */
public final class CaffeineStore extends BaseStore {
  /** The default for {@link Builder#duration(Duration)}: ten minutes. */
  public static final Duration DEFAULT_DURATION = Duration.ofMinutes(10);
  /** The default for {@link Builder#maximumSize(long)}: 10,000 connections. */
  public static final long DEFAULT_MAXIMUM_SIZE = 10_000;

  private static final Keyword HITS = Keyword.intern("hits");
  private static final Keyword MISSES = Keyword.intern("misses");

  private final Cache<Object, Object> cache;
  private final ConcurrentMap<Object, Object> map;
  private final Policy<Object, Object> policy;
  /** Null when the cache was given by the user: then nothing tells us of its evictions. */
  private final @Nullable ConnectionIndex index;
  private final boolean recordStats;

  private CaffeineStore(
      Builder builder,
      Removals removals,
      Cache<Object, Object> cache,
      @Nullable ConnectionIndex index) {
    super(
        builder,
        removals,
        builder.replaySettings(
            builder.maximumSize > 0 ? builder.maximumSize : DEFAULT_MAXIMUM_SIZE,
            builder.ticker != null ? builder.ticker : Ticker.systemTicker()));
    this.cache = cache;
    this.map = cache.asMap();
    this.policy = cache.policy();
    this.index = index;
    this.recordStats = builder.recordStats;
  }

  /**
   * Starts building a Caffeine store.
   *
   * @return a builder; {@code CaffeineStore.builder().build()} has the defaults: ten minutes of
   *     idle expiry, at most 10,000 connections
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public @Nullable Object connection(Object key) {
    if (key == null) return null;
    return Streams.latest(cache.getIfPresent(ClojureKey.of(key)));
  }

  @Override
  List<Object> connectionsOf(Object key) {
    return Streams.connections(map.get(ClojureKey.of(key)));
  }

  @Override
  List<Object> connectionsQuietly(Object key) {
    // a read of Caffeine's map that skips its read buffer, whose drains go to the executor
    return Streams.connections(policy.getIfPresentQuietly(ClojureKey.of(key)));
  }

  @Override
  public @Nullable Object ownerOf(Object key, Object connection) {
    for (Stream s : Streams.all(map.get(ClojureKey.of(key)))) {
      if (s.connection == connection) return s.owner;
    }
    return null;
  }

  @Override
  public Object store(Object key, Object connection, @Nullable Object owner) {
    Object k = ClojureKey.of(Check.key(key));
    Check.connection(key, connection);
    if (Streams.holds(map.get(k), connection)) return connection;
    ensureOpen();
    Object[] replaced = new Object[2];
    map.compute(
        k,
        (mapKey, value) -> {
          if (Streams.holds(value, connection)) return value;
          Object stored = ClojureKey.unwrap(mapKey);
          // indexed before it is visible: a purgeConnection that finds it early waits on this
          // key's lock and then sees it
          if (index != null) index.add(stored, connection);
          Stream added = new Stream(connection, owner);
          if (fanOut) return Streams.with(value, added);
          replaced[0] = stored;
          replaced[1] = Streams.latest(value);
          return added;
        });
    if (replaced[1] != null) {
      unindex(k, replaced[1]);
      removals.report(replaced[0], replaced[1], RemovalCause.REPLACED);
    }
    stored(key, owner);
    changed(key);
    return connection;
  }

  /**
   * Takes {@code connection} out of the index under {@code k}, once the map no longer shows it
   * there. Done after the map changed, not inside the change: a lock-free purgeConnection reading
   * the index in between would otherwise miss a connection that look-ups still see. Runs in
   * {@code k}'s atomic section, so a concurrent re-store of the same connection (which keeps it
   * indexed) is never undone.
   */
  private void unindex(Object k, Object connection) {
    if (index == null) return;
    map.compute(
        k,
        (mapKey, value) -> {
          if (!Streams.holds(value, connection)) index.remove(ClojureKey.unwrap(mapKey), connection);
          return value;
        });
  }

  /** Removes the streams of {@code key} that {@code gone} accepts and reports them; returns how many. */
  private int remove(Object key, Predicate<Stream> gone, RemovalCause cause) {
    if (key == null) return 0;
    Object k = ClojureKey.of(key);
    List<Stream> removed = new ArrayList<>(1);
    Object[] stored = new Object[1];
    map.computeIfPresent(
        k,
        (mapKey, value) -> {
          removed.clear();
          stored[0] = ClojureKey.unwrap(mapKey);
          return Streams.without(value, gone, removed);
        });
    for (Stream s : removed) {
      unindex(k, s.connection);
      removals.report(stored[0], s.connection, cause);
    }
    if (!removed.isEmpty()) changed(stored[0]);
    return removed.size();
  }

  @Override
  public boolean purge(Object key) {
    return remove(key, stream -> true, RemovalCause.EXPLICIT) > 0;
  }

  @Override
  public boolean purgeOwned(Object key, Object owner) {
    return remove(
            key,
            s -> s.owner == null ? !fanOut : Stream.sameOwner(s.owner, owner),
            RemovalCause.EXPLICIT)
        > 0;
  }

  @Override
  public int purgeConnection(Object connection, RemovalCause cause) {
    List<Object> keys;
    if (index != null) {
      keys = index.keysOf(connection);
    } else {
      keys = new ArrayList<>();
      for (Map.Entry<Object, Object> e : map.entrySet()) {
        if (Streams.holds(e.getValue(), connection)) keys.add(ClojureKey.unwrap(e.getKey()));
      }
    }
    int removed = 0;
    for (Object key : keys) removed += remove(key, s -> s.connection == connection, cause);
    return removed;
  }

  @Override
  public List<Object> purgeOwnedBy(Object owner) {
    Predicate<Stream> owned = s -> s.owner != null && Stream.sameOwner(s.owner, owner);
    List<Object> removed = new ArrayList<>();
    for (Map.Entry<Object, Object> e : map.entrySet()) {
      if (Streams.all(e.getValue()).stream().noneMatch(owned)) continue;
      Object key = ClojureKey.unwrap(e.getKey());
      if (remove(key, owned, RemovalCause.EXPLICIT) > 0) removed.add(key);
    }
    return removed;
  }

  /** Walks the cache; expired entries not yet cleaned up are skipped. */
  @Override
  void forEachConnection(BiConsumer<Object, Object> visit) {
    for (Map.Entry<Object, Object> e : map.entrySet()) {
      Object key = ClojureKey.unwrap(e.getKey());
      for (Stream s : Streams.all(e.getValue())) visit.accept(key, s.connection);
    }
  }

  @Override
  public IPersistentMap stats() {
    IPersistentMap stats = super.stats();
    if (!recordStats) return stats;
    CacheStats s = cache.stats();
    return stats.assoc(HITS, s.hitCount()).assoc(MISSES, s.missCount());
  }

  /**
   * Runs Caffeine's pending maintenance now: expired and over-size entries are removed (and their
   * removals reported) at once, rather than during later activity or on the scheduler.
   */
  public void cleanUp() {
    cache.cleanUp();
  }

  @Override
  public String toString() {
    return "CaffeineStore{size=" + cache.estimatedSize() + "}";
  }

  private static RemovalCause causeOf(com.github.benmanes.caffeine.cache.RemovalCause cause) {
    switch (cause) {
      case EXPIRED:
        return RemovalCause.EXPIRED;
      case SIZE:
        return RemovalCause.SIZE;
      case COLLECTED:
        return RemovalCause.COLLECTED;
      default:
        return RemovalCause.EXPLICIT;
    }
  }

  /**
   * Caffeine's evictions: runs atomically with each one, keeping the index true, then reports it
   * and tells {@code gone} of the key.
   */
  private static com.github.benmanes.caffeine.cache.RemovalListener<Object, Object> onEviction(
      ConnectionIndex index, Removals removals, Consumer<Object> gone) {
    return (mapKey, value, cause) -> {
      if (mapKey == null) return;
      Object key = ClojureKey.unwrap(mapKey);
      for (Stream s : Streams.all(value)) {
        index.remove(key, s.connection);
        removals.report(key, s.connection, causeOf(cause));
      }
      gone.accept(key);
    };
  }

  /** An entry lives a fixed time from its key's first store; storing again or reading does not extend it. */
  private static final class FixedExpiry implements Expiry<Object, Object> {
    private final long nanos;

    FixedExpiry(Duration duration) {
      this.nanos = Heartbeat.saturatedNanos(duration);
    }

    @Override
    public long expireAfterCreate(Object key, Object value, long currentTime) {
      return nanos;
    }

    @Override
    public long expireAfterUpdate(Object key, Object value, long currentTime, long currentDuration) {
      return currentDuration;
    }

    @Override
    public long expireAfterRead(Object key, Object value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  /**
   * Builds a {@link CaffeineStore}. Every setter checks its argument at once and throws {@link
   * InvalidInputException} naming itself and the value; settings that cannot go together are
   * refused by {@link #build()}.
   */
  public static final class Builder extends StoreBuilder<Builder> {
    private @Nullable Duration duration;
    private long maximumSize = -1;
    private @Nullable Scheduler scheduler;
    private @Nullable Cache<Object, Object> cache;
    private @Nullable Executor executor;
    private boolean recordStats;
    private @Nullable Ticker ticker;

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /**
     * Sets the clock expiry is measured with ({@code Caffeine.ticker}); default {@link
     * Ticker#systemTicker()}. Meant for tests that move time by hand.
     *
     * @param ticker a nanosecond clock
     * @return this builder
     * @throws InvalidInputException when {@code ticker} is null
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Check.notNull("ticker", ticker);
      return this;
    }

    /**
     * Sets how long an entry lives ({@code :duration-ms} in Clojure, or its alias {@code :idle-ms},
     * the original design's name). Idle
     * expiry: the clock restarts at every look-up or store of the key. With a {@link
     * #scheduler(Scheduler)}, fixed expiry instead: the entry expires this long after its key was
     * first stored.
     *
     * @param duration at least 1 millisecond; default {@link #DEFAULT_DURATION}; longer than about
     *     292 years means never
     * @return this builder
     * @throws InvalidInputException when {@code duration} is null or shorter than 1 millisecond
     */
    public Builder duration(Duration duration) {
      this.duration = Check.duration("duration", duration);
      return this;
    }

    /**
     * Bounds the store ({@code :maximum-size} in Clojure); beyond it Caffeine evicts (cause {@link
     * RemovalCause#SIZE}). With fan-out the bound counts connections.
     *
     * @param maximumSize at least 1; default {@link #DEFAULT_MAXIMUM_SIZE}
     * @return this builder
     * @throws InvalidInputException when {@code maximumSize} is less than 1
     */
    public Builder maximumSize(long maximumSize) {
      this.maximumSize = Check.atLeastOne("maximumSize", maximumSize);
      return this;
    }

    /**
     * Switches to fixed expiry and lets {@code scheduler} remove expired entries promptly, without
     * waiting for activity on the cache ({@code :scheduler} in Clojure).
     *
     * @param scheduler e.g. {@link Scheduler#systemScheduler()}
     * @return this builder
     * @throws InvalidInputException when {@code scheduler} is null
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Check.notNull("scheduler", scheduler);
      return this;
    }

    /**
     * Uses an existing cache ({@code :cache} in Clojure), whose own settings then apply: it cannot
     * be combined with the other settings of this builder, nor with {@link
     * #onRemoval(RemovalListener)}, since the store cannot observe that cache's evictions. {@link
     * CaffeineStore#purgeConnection} then scans instead of using an index. The cache holds the
     * store's own keys and values: use it only through the store.
     *
     * @param cache a Caffeine cache the store may use exclusively
     * @return this builder
     * @throws InvalidInputException when {@code cache} is null
     */
    @SuppressWarnings("unchecked")
    public Builder cache(Cache<?, ?> cache) {
      this.cache = (Cache<Object, Object>) Check.notNull("cache", cache);
      return this;
    }

    /**
     * Runs Caffeine's maintenance and the removal listener on {@code executor} ({@code :executor}
     * in Clojure); default the common fork-join pool. If it refuses a task, the failure is logged
     * and the task runs on the calling thread.
     *
     * @param executor the executor
     * @return this builder
     * @throws InvalidInputException when {@code executor} is null
     */
    public Builder executor(Executor executor) {
      this.executor = Check.notNull("executor", executor);
      return this;
    }

    /**
     * Counts hits and misses, shown by {@link CaffeineStore#stats()} ({@code :record-stats?} in
     * Clojure).
     *
     * @param recordStats true to count; default false
     * @return this builder
     */
    public Builder recordStats(boolean recordStats) {
      this.recordStats = recordStats;
      return this;
    }

    /**
     * Builds the store and starts its heartbeat, if one was set.
     *
     * @return a new store
     * @throws InvalidInputException when {@link #cache(Cache)} was combined with another setting
     */
    public CaffeineStore build() {
      Executor run = executor == null ? null : Removals.guarded(executor);
      Removals removals =
          new Removals(onRemoval, run != null ? run : java.util.concurrent.ForkJoinPool.commonPool());
      if (cache != null) {
        refuseWithCache("duration", duration);
        refuseWithCache("maximumSize", maximumSize > 0 ? maximumSize : null);
        refuseWithCache("scheduler", scheduler);
        refuseWithCache("executor", executor);
        refuseWithCache("recordStats", recordStats ? true : null);
        refuseWithCache("onRemoval", onRemoval);
        refuseWithCache("ticker", ticker);
        return started(new CaffeineStore(this, removals, cache, null));
      }
      Duration d = duration != null ? duration : DEFAULT_DURATION;
      long max = maximumSize > 0 ? maximumSize : DEFAULT_MAXIMUM_SIZE;
      Caffeine<Object, Object> builder = Caffeine.newBuilder();
      if (fanOut) builder.maximumWeight(max).weigher((k, v) -> Streams.count(v));
      else builder.maximumSize(max);
      if (scheduler != null) builder.expireAfter(new FixedExpiry(d)).scheduler(scheduler);
      else builder.expireAfterAccess(d);
      if (run != null) builder.executor(run);
      if (recordStats) builder.recordStats();
      if (ticker != null) builder.ticker(ticker);
      ConnectionIndex index = new ConnectionIndex();
      AtomicReference<@Nullable CaffeineStore> self = new AtomicReference<>();
      Cache<Object, Object> built =
          builder
              .evictionListener(
                  onEviction(
                      index,
                      removals,
                      key -> {
                        CaffeineStore store = self.get();
                        if (store != null) store.changed(key);
                      }))
              .build();
      CaffeineStore store = new CaffeineStore(this, removals, built, index);
      self.set(store);
      return started(store);
    }

    private CaffeineStore started(CaffeineStore store) {
      store.start(this);
      return store;
    }

    private static void refuseWithCache(String setting, @Nullable Object value) {
      if (value != null) {
        throw InvalidInputException.ofCall(
            setting,
            value,
            "cannot be combined with cache(...), whose own settings apply"
                + (setting.equals("onRemoval")
                    ? " and whose evictions the store cannot observe; give the cache your own"
                        + " removal listener instead"
                    : ""));
      }
    }
  }
}
