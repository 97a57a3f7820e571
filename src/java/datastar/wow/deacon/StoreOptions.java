package datastar.wow.deacon;

import clojure.lang.IAtom;
import clojure.lang.IFn;
import clojure.lang.Keyword;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Scheduler;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Builds the built-in stores from Clojure option maps, as {@code (datastar.wow.deacon/store opts)}
 * does. Every option is checked here, when the store is made: an unknown key, a wrong type or an
 * out-of-range value throws {@link InvalidInputException} naming the option and the value. A nil
 * value means "use the default".
 */
public final class StoreOptions {
  private StoreOptions() {}

  private static final Keyword TYPE = Keyword.intern("type");
  private static final Keyword ON_EVICT = Keyword.intern("on-evict");
  private static final Keyword HEARTBEAT = Keyword.intern("heartbeat");
  private static final Keyword INTERVAL_MS = Keyword.intern("interval-ms");
  private static final Keyword SEND = Keyword.intern("send");
  private static final Keyword ATOM = Keyword.intern("atom");
  private static final Keyword IDLE_MS = Keyword.intern("idle-ms");
  private static final Keyword DURATION_MS = Keyword.intern("duration-ms");
  private static final Keyword MAXIMUM_SIZE = Keyword.intern("maximum-size");
  private static final Keyword SCHEDULER = Keyword.intern("scheduler");
  private static final Keyword CACHE = Keyword.intern("cache");
  private static final Keyword EXECUTOR = Keyword.intern("executor");
  private static final Keyword RECORD_STATS = Keyword.intern("record-stats?");

  /**
   * @param options {@code {:type :atom}} plus {@code :atom}, {@code :on-evict}, {@code :heartbeat}
   * @return a new atom store
   */
  public static AtomStore atomStore(Object options) {
    Options o = Options.read("store :atom", options, Set.of(TYPE, ATOM, ON_EVICT, HEARTBEAT));
    AtomStore.Builder builder = AtomStore.builder();
    if (o.has(ATOM)) builder.atom(o.instance(ATOM, IAtom.class, "an atom holding a map, e.g. (atom {})"));
    if (o.has(ON_EVICT)) builder.onEvict(Fns.onEvict(o.fn(ON_EVICT)));
    if (o.has(HEARTBEAT)) {
      Options h = heartbeat(o);
      builder.heartbeat(h.positiveMillis(INTERVAL_MS), Fns.probe(h.fn(SEND)));
    }
    return builder.build();
  }

  /**
   * @param options {@code {:type :caffeine}} plus {@code :idle-ms} or {@code :duration-ms}, {@code
   *     :maximum-size}, {@code :scheduler}, {@code :cache}, {@code :on-evict}, {@code :executor},
   *     {@code :record-stats?}, {@code :heartbeat}
   * @return a new Caffeine store
   */
  public static CaffeineStore caffeineStore(Object options) {
    Options o =
        Options.read(
            "store :caffeine",
            options,
            Set.of(
                TYPE, IDLE_MS, DURATION_MS, MAXIMUM_SIZE, SCHEDULER, CACHE, ON_EVICT, EXECUTOR,
                RECORD_STATS, HEARTBEAT));
    CaffeineStore.Builder builder = CaffeineStore.builder();
    if (o.has(IDLE_MS) && o.has(DURATION_MS)) {
      throw new InvalidInputException(
          IDLE_MS, o.get(IDLE_MS), "and :duration-ms name the same setting; give only one");
    }
    if (o.has(IDLE_MS)) builder.duration(o.millis(IDLE_MS));
    if (o.has(DURATION_MS)) builder.duration(o.millis(DURATION_MS));
    if (o.has(MAXIMUM_SIZE)) builder.maximumSize(o.nonNegativeLong(MAXIMUM_SIZE));
    Object scheduler = o.get(SCHEDULER);
    if (Boolean.TRUE.equals(scheduler)) {
      builder.scheduler(Scheduler.systemScheduler());
    } else if (scheduler != null && !Boolean.FALSE.equals(scheduler)) {
      builder.scheduler(o.instance(SCHEDULER, Scheduler.class, "true, false or a Caffeine Scheduler"));
    }
    if (o.has(CACHE)) builder.cache(o.instance(CACHE, Cache.class, "a Caffeine Cache"));
    if (o.has(ON_EVICT)) builder.onEvict(Fns.onEvict(o.fn(ON_EVICT)));
    if (o.has(EXECUTOR)) builder.executor(executor(o));
    builder.recordStats(o.bool(RECORD_STATS));
    if (o.has(HEARTBEAT)) {
      Options h = heartbeat(o);
      builder.heartbeat(h.positiveMillis(INTERVAL_MS), Fns.probe(h.fn(SEND)));
    }
    return builder.build();
  }

  /** An Executor as is; a Clojure function is called with each Runnable. */
  private static Executor executor(Options o) {
    Object v = o.get(EXECUTOR);
    if (v instanceof Executor) return (Executor) v;
    IFn f = Check.fn(EXECUTOR, v);
    return f::invoke;
  }

  private static Options heartbeat(Options o) {
    Options h = Options.read(":heartbeat", o.get(HEARTBEAT), Set.of(INTERVAL_MS, SEND));
    if (!h.has(INTERVAL_MS)) throw new InvalidInputException(INTERVAL_MS, null, "is required in :heartbeat");
    if (!h.has(SEND)) throw new InvalidInputException(SEND, null, "is required in :heartbeat, e.g. (fn [conn] (send-comment! conn))");
    return h;
  }
}
