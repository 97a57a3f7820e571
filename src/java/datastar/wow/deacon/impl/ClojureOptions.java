package datastar.wow.deacon.impl;

import clojure.lang.IAtom;
import clojure.lang.Keyword;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Scheduler;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
import datastar.wow.deacon.InvalidInputException;
import datastar.wow.deacon.RegistryOptions;
import datastar.wow.deacon.Replay;
import datastar.wow.deacon.StoreBuilder;
import datastar.wow.deacon.cluster.ClusterSettings;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.Set;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Builds stores and registry options from the option maps of the {@code datastar.wow.deacon}
 * namespace, its only caller. Every option is checked here, in Clojure's vocabulary, before any
 * builder sees it: an unknown key, a wrong type or an out-of-range value throws {@link
 * InvalidInputException} naming the option keyword and the value given.
 */
public final class ClojureOptions {
  private ClojureOptions() {}

  private static final Keyword TYPE = Keyword.intern("type");
  private static final Keyword ON_REMOVAL = Keyword.intern("on-removal");
  private static final Keyword HEARTBEAT = Keyword.intern("heartbeat");
  private static final Keyword INTERVAL_MS = Keyword.intern("interval-ms");
  private static final Keyword SEND = Keyword.intern("send");
  private static final Keyword FAN_OUT = Keyword.intern("fan-out?");
  private static final Keyword ATOM = Keyword.intern("atom");
  private static final Keyword IDLE_MS = Keyword.intern("idle-ms");
  private static final Keyword DURATION_MS = Keyword.intern("duration-ms");
  private static final Keyword MAXIMUM_SIZE = Keyword.intern("maximum-size");
  private static final Keyword SCHEDULER = Keyword.intern("scheduler");
  private static final Keyword CACHE = Keyword.intern("cache");
  private static final Keyword EXECUTOR = Keyword.intern("executor");
  private static final Keyword RECORD_STATS = Keyword.intern("record-stats?");
  private static final Keyword CLUSTER = Keyword.intern("cluster");
  private static final Keyword REPLAY = Keyword.intern("replay");
  private static final Keyword EVENTS = Keyword.intern("events");
  private static final Keyword MS = Keyword.intern("ms");
  private static final Keyword REDIS = Keyword.intern("redis");
  private static final Keyword NODE = Keyword.intern("node");
  private static final Keyword PREFIX = Keyword.intern("prefix");
  private static final Keyword LEASE_MS = Keyword.intern("lease-ms");
  private static final Keyword SEND_TIMEOUT_MS = Keyword.intern("send-timeout-ms");
  private static final Keyword MAX_MESSAGE_BYTES = Keyword.intern("max-message-bytes");
  private static final Keyword CA_CERTIFICATE = Keyword.intern("ca-certificate");
  private static final Keyword ID_FN = Keyword.intern("id-fn");
  private static final Keyword ON_PURGE = Keyword.intern("on-purge");
  private static final Keyword ON_ERROR = Keyword.intern("on-error");
  private static final Keyword RENDER_ONCE = Keyword.intern("render-once?");

  /**
   * Builds an atom store.
   *
   * @param options {@code {:type :atom}} plus {@code :atom}, {@code :on-removal}, {@code
   *     :heartbeat}, {@code :fan-out?}
   * @return a new atom store
   */
  public static AtomStore atomStore(@Nullable Object options) {
    Options o =
        Options.read("store :atom", options, Set.of(TYPE, ATOM, ON_REMOVAL, HEARTBEAT, FAN_OUT, CLUSTER, REPLAY));
    AtomStore.Builder builder = AtomStore.builder();
    if (o.has(ATOM)) {
      IAtom atom = o.instance(ATOM, IAtom.class, "an atom holding a map, e.g. (atom {})");
      if (!(((clojure.lang.IDeref) atom).deref() instanceof clojure.lang.IPersistentMap)) {
        throw new InvalidInputException(ATOM.toString(), atom, "must hold a map, e.g. (atom {})");
      }
      builder.atom(atom);
    }
    common(o, builder);
    return builder.build();
  }

  /**
   * Builds a Caffeine store.
   *
   * @param options {@code {:type :caffeine}} plus {@code :duration-ms} (or its alias {@code
   *     :idle-ms}),
   *     {@code :maximum-size}, {@code :scheduler}, {@code :cache}, {@code :on-removal}, {@code
   *     :executor}, {@code :record-stats?}, {@code :heartbeat}, {@code :fan-out?}
   * @return a new Caffeine store
   */
  public static CaffeineStore caffeineStore(@Nullable Object options) {
    Options o =
        Options.read(
            "store :caffeine",
            options,
            Set.of(
                TYPE, IDLE_MS, DURATION_MS, MAXIMUM_SIZE, SCHEDULER, CACHE, ON_REMOVAL, EXECUTOR,
                RECORD_STATS, HEARTBEAT, FAN_OUT, CLUSTER, REPLAY));
    o.exclusive(DURATION_MS, IDLE_MS, "they name the same setting (:idle-ms is the original design's name for :duration-ms); give only one");
    String cacheRules = "the cache's own settings apply";
    for (Keyword setting : new Keyword[] {IDLE_MS, DURATION_MS, MAXIMUM_SIZE, SCHEDULER, EXECUTOR}) {
      o.exclusive(CACHE, setting, cacheRules);
    }
    if (o.bool(RECORD_STATS)) o.exclusive(CACHE, RECORD_STATS, cacheRules);
    o.exclusive(
        CACHE,
        ON_REMOVAL,
        "the store cannot observe that cache's evictions; give the cache your own removal"
            + " listener, or drop :cache");
    CaffeineStore.Builder builder = CaffeineStore.builder();
    if (o.has(IDLE_MS)) builder.duration(o.millis(IDLE_MS));
    if (o.has(DURATION_MS)) builder.duration(o.millis(DURATION_MS));
    if (o.has(MAXIMUM_SIZE)) builder.maximumSize(o.atLeastOne(MAXIMUM_SIZE));
    Object scheduler = o.get(SCHEDULER);
    if (Boolean.TRUE.equals(scheduler)) {
      builder.scheduler(Scheduler.systemScheduler());
    } else if (scheduler != null && !Boolean.FALSE.equals(scheduler)) {
      builder.scheduler(o.instance(SCHEDULER, Scheduler.class, "true, false or a Caffeine Scheduler"));
    }
    if (o.has(CACHE)) builder.cache(o.instance(CACHE, Cache.class, "a Caffeine Cache"));
    if (o.has(EXECUTOR)) {
      Object v = o.get(EXECUTOR);
      builder.executor(v instanceof Executor ? (Executor) v : Fns.executor(o.fn(EXECUTOR)));
    }
    if (o.bool(RECORD_STATS)) builder.recordStats(true);
    common(o, builder);
    return builder.build();
  }

  private static void common(Options o, StoreBuilder<?> builder) {
    if (o.has(ON_REMOVAL)) builder.onRemoval(Fns.onRemove(o.fn(ON_REMOVAL)));
    if (o.has(HEARTBEAT)) {
      Options h = heartbeat(o);
      builder.heartbeat(h.millis(INTERVAL_MS), Fns.probe(h.fn(SEND)));
    }
    builder.fanOut(o.bool(FAN_OUT));
    if (o.has(CLUSTER)) builder.cluster(cluster(o));
    if (o.has(REPLAY)) {
      Options r = Options.read(":replay", o.get(REPLAY), Set.of(EVENTS, MS));
      int events = r.has(EVENTS) ? (int) Math.min(r.atLeastOne(EVENTS), Integer.MAX_VALUE) : Replay.DEFAULT_EVENTS;
      builder.replay(events, r.has(MS) ? r.millis(MS) : Replay.DEFAULT_WINDOW);
    }
  }

  /**
   * The {@code :cluster} map as {@link ClusterSettings}: each value goes through the Java builder,
   * which checks it, and a refusal is told in Clojure's words (the option keyword).
   */
  private static ClusterSettings cluster(Options o) {
    Options c =
        Options.read(
            ":cluster",
            o.get(CLUSTER),
            Set.of(REDIS, NODE, PREFIX, LEASE_MS, SEND_TIMEOUT_MS, MAX_MESSAGE_BYTES, CA_CERTIFICATE));
    if (!c.has(REDIS)) {
      throw new InvalidInputException(
          REDIS.toString(), null, "is required in :cluster, e.g. \"redis://127.0.0.1:6379\"");
    }
    ClusterSettings.Builder b =
        inClojure(REDIS, c, () -> ClusterSettings.builder(c.string(REDIS)));
    if (c.has(NODE)) inClojure(NODE, c, () -> b.node(c.string(NODE)));
    if (c.has(PREFIX)) inClojure(PREFIX, c, () -> b.prefix(c.string(PREFIX)));
    if (c.has(LEASE_MS)) inClojure(LEASE_MS, c, () -> b.lease(c.millis(LEASE_MS)));
    if (c.has(SEND_TIMEOUT_MS)) inClojure(SEND_TIMEOUT_MS, c, () -> b.sendTimeout(c.millis(SEND_TIMEOUT_MS)));
    if (c.has(MAX_MESSAGE_BYTES)) {
      long n = c.atLeastOne(MAX_MESSAGE_BYTES);
      inClojure(MAX_MESSAGE_BYTES, c, () -> b.maxMessageBytes((int) Math.min(n, Integer.MAX_VALUE)));
    }
    if (c.has(CA_CERTIFICATE)) {
      inClojure(CA_CERTIFICATE, c, () -> b.caCertificate(Path.of(c.string(CA_CERTIFICATE))));
    }
    return inClojure(CA_CERTIFICATE, c, b::build);
  }

  /** Runs a Java builder step; its refusal is rethrown naming {@code option} and the value given. */
  private static <T> T inClojure(Keyword option, Options o, Supplier<T> step) {
    try {
      return step.get();
    } catch (InvalidInputException e) {
      Object given = o.get(option);
      if (option == REDIS) given = e.value(); // the URI as shown, its password hidden
      throw new InvalidInputException(option.toString(), given, e.reason());
    }
  }

  private static Options heartbeat(Options o) {
    Options h = Options.read(":heartbeat", o.get(HEARTBEAT), Set.of(INTERVAL_MS, SEND));
    if (!h.has(INTERVAL_MS)) {
      throw new InvalidInputException(INTERVAL_MS.toString(), null, "is required in :heartbeat");
    }
    if (!h.has(SEND)) {
      throw new InvalidInputException(
          SEND.toString(), null, "is required in :heartbeat, e.g. (fn [sse] (sdk/patch-signals! sse \"{}\"))");
    }
    return h;
  }

  /**
   * Reads the options of {@code (registry store opts)}.
   *
   * @param options a map with {@code :id-fn}, {@code :on-purge}, {@code :on-error}, {@code
   *     :render-once?}
   * @return the options
   */
  public static RegistryOptions registryOptions(@Nullable Object options) {
    Options o = Options.read("registry", options, Set.of(ID_FN, ON_PURGE, ON_ERROR, RENDER_ONCE));
    RegistryOptions.Builder b = RegistryOptions.builder();
    if (o.has(ID_FN)) b.idFn(Fns.idFn(o.fn(ID_FN)));
    if (o.has(ON_PURGE)) b.onPurge(Fns.onPurge(o.fn(ON_PURGE)));
    if (o.has(ON_ERROR)) b.onError(Fns.onError(o.fn(ON_ERROR)));
    if (o.has(RENDER_ONCE)) b.renderOnce(o.bool(RENDER_ONCE));
    return b.build();
  }
}
