package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.RemovalListener;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * A store backed by a Caffeine cache: bounded in size, and entries expire after a period of
 * inactivity (or, with a scheduler, a fixed time after they were first stored).
 *
 * <pre>{@code
 * CaffeineStore store = CaffeineStore.builder()
 *     .duration(Duration.ofMinutes(30))
 *     .maximumSize(50_000)
 *     .onEvict((key, conn, cause) -> closeQuietly(conn))
 *     .build();
 * }</pre>
 *
 * <p><b>Concurrency.</b> Every write runs inside Caffeine's per-key atomic section ({@code
 * compute}), so a store and a purge of one key never interleave and there is no read-then-put
 * race. The reverse index used by {@link #purgeConnection(Object)} changes inside the same
 * sections, and inside Caffeine's eviction: a key is indexed before its entry becomes visible and
 * unindexed only after the entry is gone, so purgeConnection never misses a connection that
 * look-ups can still see. Reads never block.
 * Size and expiry evictions happen during Caffeine's maintenance, usually on its executor. {@link
 * EvictionListener}s always run on the executor ({@link Builder#executor(Executor)}, by default
 * the common fork-join pool), once per removed entry, in no particular order.
 */
public final class CaffeineStore extends BaseStore {
  /** The default for {@link Builder#duration(Duration)}: ten minutes. */
  public static final Duration DEFAULT_DURATION = Duration.ofMinutes(10);
  /** The default for {@link Builder#maximumSize(long)}: 10,000 entries. */
  public static final long DEFAULT_MAXIMUM_SIZE = 10_000;

  private static final Keyword HITS = Keyword.intern("hits");
  private static final Keyword MISSES = Keyword.intern("misses");

  private final Cache<Object, Object> cache;
  private final ConcurrentMap<Object, Object> map;
  /** Null when the cache was built elsewhere: then nothing tells us of its evictions. */
  private final ConnectionIndex index;
  private final boolean recordStats;

  private CaffeineStore(
      Cache<Object, Object> cache, ConnectionIndex index, Evictions evictions, boolean recordStats) {
    super(evictions);
    this.cache = cache;
    this.map = cache.asMap();
    this.index = index;
    this.recordStats = recordStats;
  }

  /** @return a store with the defaults: ten minutes idle expiry, at most 10,000 entries */
  public static CaffeineStore create() {
    return builder().build();
  }

  /** @return a builder for a Caffeine store */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the underlying cache; its values are the store's own entries, read them through the store */
  public Cache<Object, Object> cache() {
    return cache;
  }

  @Override
  public Object connection(Object key) {
    if (key == null) return null;
    Object value = cache.getIfPresent(Check.javaHashable(key));
    return value instanceof Stored ? ((Stored) value).connection : value;
  }

  @Override
  public Object store(Object key, Object connection) {
    return store(key, connection, null);
  }

  @Override
  public Object store(Object key, Object connection, Object owner) {
    Check.javaHashable(Check.key(key));
    requireConnection(key, connection);
    Stored[] replaced = new Stored[1];
    map.compute(
        key,
        (k, value) -> {
          Stored old = Stored.of(value);
          if (old != null && old.connection == connection) return value;
          Stored next = new Stored(connection, owner);
          // indexed before it is visible: a purgeConnection that finds it early waits on this
          // key's lock and then sees it
          if (index != null) index.add(k, next);
          replaced[0] = old;
          return next;
        });
    if (replaced[0] != null) {
      unindex(key, replaced[0]);
      evictions.report(key, replaced[0].connection, EvictionCause.REPLACED);
    }
    return connection;
  }

  /**
   * Takes {@code key} out of the index entry of {@code gone}'s connection, once the map no longer
   * shows that connection under {@code key}. Done after the map changed, not inside the change: a
   * lock-free purgeConnection reading the index in between would otherwise miss a connection that
   * look-ups still see. Runs in {@code key}'s atomic section, so a concurrent re-store of the same
   * connection under {@code key} (which keeps the key indexed) is never undone.
   */
  private void unindex(Object key, Stored gone) {
    if (index == null) return;
    map.compute(
        key,
        (k, value) -> {
          Stored current = Stored.of(value);
          if (current == null || current.connection != gone.connection) index.remove(k, gone);
          return value;
        });
  }

  /** Removes {@code key} if its entry satisfies {@code when}; returns the removed entry or null. */
  private Stored removeIf(Object key, Predicate<Stored> when) {
    if (key == null) return null;
    Check.javaHashable(key);
    Stored[] removed = new Stored[1];
    map.computeIfPresent(
        key,
        (k, value) -> {
          Stored old = Stored.of(value);
          if (!when.test(old)) return value;
          removed[0] = old;
          return null;
        });
    if (removed[0] != null) unindex(key, removed[0]);
    return removed[0];
  }

  private boolean removeAndReport(Object key, Predicate<Stored> when, EvictionCause cause) {
    Stored removed = removeIf(key, when);
    if (removed == null) return false;
    evictions.report(key, removed.connection, cause);
    return true;
  }

  @Override
  public boolean purge(Object key) {
    return removeAndReport(key, stored -> true, EvictionCause.EXPLICIT);
  }

  @Override
  public boolean purgeOwned(Object key, Object owner) {
    return removeAndReport(
        key,
        stored -> stored.owner == null || sameOwner(stored.owner, owner),
        EvictionCause.EXPLICIT);
  }

  @Override
  int purgeConnection(Object connection, EvictionCause cause) {
    List<Object> keys;
    if (index != null) {
      keys = index.keysOf(connection);
    } else {
      keys = new ArrayList<>();
      for (Map.Entry<Object, Object> e : map.entrySet()) {
        if (Stored.of(e.getValue()).connection == connection) keys.add(e.getKey());
      }
    }
    int removed = 0;
    for (Object key : keys) {
      if (removeAndReport(key, stored -> stored.connection == connection, cause)) removed++;
    }
    return removed;
  }

  @Override
  public List<Object> purgeOwnedBy(Object owner) {
    List<Object> removed = new ArrayList<>();
    for (Map.Entry<Object, Object> e : map.entrySet()) {
      Stored stored = Stored.of(e.getValue());
      if (stored.owner == null || !sameOwner(stored.owner, owner)) continue;
      Object key = e.getKey();
      Predicate<Stored> same = s -> s.owner != null && sameOwner(s.owner, owner);
      if (removeAndReport(key, same, EvictionCause.EXPLICIT)) removed.add(key);
    }
    return removed;
  }

  /** Walks the cache; expired entries not yet cleaned up are skipped. */
  @Override
  void forEachEntry(BiConsumer<Object, Object> visit) {
    for (Map.Entry<Object, Object> e : map.entrySet()) {
      visit.accept(e.getKey(), Stored.of(e.getValue()).connection);
    }
  }

  @Override
  long size() {
    return cache.estimatedSize();
  }

  @Override
  public IPersistentMap stats() {
    IPersistentMap stats = super.stats();
    if (!recordStats) return stats;
    CacheStats s = cache.stats();
    return stats.assoc(HITS, s.hitCount()).assoc(MISSES, s.missCount());
  }

  /** Number of connections in the reverse index; for tests of its consistency. */
  int indexedConnections() {
    return index == null ? 0 : index.size();
  }

  @Override
  public String toString() {
    return "CaffeineStore{size=" + cache.estimatedSize() + "}";
  }

  private static EvictionCause causeOf(RemovalCause cause) {
    switch (cause) {
      case EXPIRED:
        return EvictionCause.EXPIRED;
      case SIZE:
        return EvictionCause.SIZE;
      case COLLECTED:
        return EvictionCause.COLLECTED;
      case REPLACED:
        return EvictionCause.REPLACED;
      default:
        return EvictionCause.EXPLICIT;
    }
  }

  /** Caffeine's evictions: runs atomically with each one, keeping the index true, then reports it. */
  private static RemovalListener<Object, Object> onCaffeineEviction(
      ConnectionIndex index, Evictions evictions) {
    return (key, value, cause) -> {
      Stored stored = Stored.of(value);
      if (stored == null) return;
      index.remove(key, stored);
      evictions.report(key, stored.connection, causeOf(cause));
    };
  }

  /** An entry lives {@code duration} from its first store; re-storing or reading does not extend it. */
  private static final class FixedExpiry implements Expiry<Object, Object> {
    private final long nanos;

    FixedExpiry(Duration duration) {
      this.nanos = saturatedNanos(duration);
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

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Builds a {@link CaffeineStore}. Every setter checks its argument at once and names the option
   * it stands for in its error.
   */
  public static final class Builder {
    private Duration duration = DEFAULT_DURATION;
    private long maximumSize = DEFAULT_MAXIMUM_SIZE;
    private Scheduler scheduler;
    private Cache<Object, Object> cache;
    private EvictionListener onEvict;
    private Executor executor;
    private boolean recordStats;
    private Duration heartbeatInterval;
    private ConnectionProbe probe;
    private Ticker ticker;

    private Builder() {}

    /** The cache's clock; for tests that move time by hand. */
    Builder ticker(Ticker ticker) {
      this.ticker = ticker;
      return this;
    }

    /**
     * How long an entry lives ({@code :duration-ms}, alias {@code :idle-ms}). Idle expiry: the
     * clock restarts at every look-up or store of the key. With a {@link #scheduler(Scheduler)},
     * fixed expiry instead: the entry expires this long after its key was first stored.
     *
     * @param duration zero or more; default {@link #DEFAULT_DURATION}
     * @return this builder
     */
    public Builder duration(Duration duration) {
      this.duration = Check.nonNegative(Keyword.intern("duration-ms"), duration);
      return this;
    }

    /**
     * @param maximumSize the most entries kept ({@code :maximum-size}); beyond it Caffeine evicts
     *     (cause {@link EvictionCause#SIZE}); default {@link #DEFAULT_MAXIMUM_SIZE}
     * @return this builder
     */
    public Builder maximumSize(long maximumSize) {
      this.maximumSize = Check.nonNegative(Keyword.intern("maximum-size"), maximumSize);
      return this;
    }

    /**
     * Switches to fixed expiry and lets {@code scheduler} remove expired entries promptly, without
     * waiting for activity on the cache ({@code :scheduler}).
     *
     * @param scheduler e.g. {@link Scheduler#systemScheduler()}
     * @return this builder
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Check.notNull(Keyword.intern("scheduler"), scheduler);
      return this;
    }

    /**
     * Uses an existing cache ({@code :cache}); duration, maximum size, scheduler, executor and
     * statistics are then the cache's own. Its evictions cannot be observed, so {@link
     * #onEvict(EvictionListener)} is refused with it, and {@link CaffeineStore#purgeConnection}
     * scans instead of using an index.
     *
     * @param cache a Caffeine cache the store may use exclusively
     * @return this builder
     */
    @SuppressWarnings("unchecked")
    public Builder cache(Cache<?, ?> cache) {
      this.cache = (Cache<Object, Object>) Check.notNull(Keyword.intern("cache"), cache);
      return this;
    }

    /**
     * @param listener told once for each entry that leaves the store ({@code :on-evict}); runs on
     *     the executor
     * @return this builder
     */
    public Builder onEvict(EvictionListener listener) {
      this.onEvict = listener;
      return this;
    }

    /**
     * @param executor runs Caffeine's maintenance and the eviction listener ({@code :executor});
     *     default the common fork-join pool
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Check.notNull(Keyword.intern("executor"), executor);
      return this;
    }

    /**
     * @param recordStats true to count hits and misses, shown by {@link CaffeineStore#stats()}
     *     ({@code :record-stats?})
     * @return this builder
     */
    public Builder recordStats(boolean recordStats) {
      this.recordStats = recordStats;
      return this;
    }

    /**
     * Starts a daemon thread that every {@code interval} sends {@code probe} down each stored
     * connection and purges those whose send throws (cause {@link EvictionCause#DEAD}). Stop it
     * with {@link CaffeineStore#close()}.
     *
     * @param interval time between sweeps; positive
     * @param probe the write that proves a connection alive
     * @return this builder
     */
    public Builder heartbeat(Duration interval, ConnectionProbe probe) {
      this.heartbeatInterval = Check.positive(Keyword.intern("interval-ms"), interval);
      this.probe = Check.notNull(Keyword.intern("send"), probe);
      return this;
    }

    /** @return a new store */
    public CaffeineStore build() {
      Evictions evictions =
          new Evictions(onEvict, executor != null ? executor : ForkJoinPool.commonPool());
      CaffeineStore store;
      if (cache != null) {
        if (onEvict != null) {
          throw new InvalidInputException(
              Keyword.intern("on-evict"),
              onEvict,
              "cannot be combined with :cache, whose evictions the store cannot observe;"
                  + " build the cache with your own removal listener, or drop :cache");
        }
        store = new CaffeineStore(cache, null, evictions, false);
      } else {
        ConnectionIndex index = new ConnectionIndex();
        Caffeine<Object, Object> builder = Caffeine.newBuilder().maximumSize(maximumSize);
        if (scheduler != null) {
          builder.expireAfter(new FixedExpiry(duration)).scheduler(scheduler);
        } else {
          builder.expireAfterAccess(duration);
        }
        if (executor != null) builder.executor(executor);
        if (recordStats) builder.recordStats();
        if (ticker != null) builder.ticker(ticker);
        Cache<Object, Object> built =
            builder.evictionListener(onCaffeineEviction(index, evictions)).build();
        store = new CaffeineStore(built, index, evictions, recordStats);
      }
      store.startHeartbeat(heartbeatInterval, probe);
      return store;
    }
  }
}
