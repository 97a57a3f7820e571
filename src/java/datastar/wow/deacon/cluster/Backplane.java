package datastar.wow.deacon.cluster;

import datastar.wow.deacon.InvalidInputException;
import datastar.wow.deacon.LocalNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The Redis backplane of one node: how a request on node A reaches streams held by node B. Each
 * node keeps its own streams and delivers to them itself; through Redis it tells the others which
 * keys it holds (the directory) and passes them messages (pub/sub). Needs Lettuce on the classpath
 * (an optional dependency, see {@link LettuceDependency}).
 *
 * <pre>{@code
 * Backplane bp = Backplane.start(
 *     ClusterSettings.builder("redis://redis.internal:6379").prefix("shop").build(),
 *     (target, isPattern, payload, from) -> deliverLocally(target, isPattern, payload),
 *     store::keys,                               // the keys this node holds streams under
 *     error -> log.warn(error.getMessage(), error));
 *
 * bp.register(key);                              // a stream opened under key here
 * bp.send(key, effects)                          // to the other nodes holding key
 *   .thenAccept(nodes -> log.debug("sent to {} node(s)", nodes));
 * bp.broadcast(List.of(Keyword.intern("*"), "room-1"), effects); // each node matches it
 * bp.unregister(key);                            // the last stream under key here closed
 * bp.close();
 * }</pre>
 *
 * <h2>Delivery</h2>
 *
 * <ul>
 *   <li>At most once: a message reaches each receiving node once or not at all. Nothing is ever
 *       sent twice (Lettuce does not replay commands after a reconnect), so a failed send may
 *       still have been delivered (its reply was lost), and a message published while a
 *       receiving node is disconnected from Redis is lost for that node.
 *   <li>In order for one sender and one key: one node's messages travel on one Redis connection and
 *       each receiving node reads them on one connection and delivers them on one thread.
 *   <li>Never to the sender itself: {@link #send} and {@link #broadcast} go to the other nodes; the
 *       caller delivers to its own streams.
 *   <li>A routed {@link #send} is published only to the live nodes that hold the key (a node that
 *       does not hold it receives nothing); a {@link #broadcast} reaches every other node, which
 *       matches the pattern against its own keys.
 *   <li>Payloads are data only: checked and written as EDN by the sender, read by {@code
 *       clojure.edn}'s reader at the receiver with no tag readers but {@code #inst} and {@code
 *       #uuid}. No message can make a node build an object or run code. A payload that is not
 *       data, or larger than the size cap, throws {@link InvalidPayloadException} at the sender
 *       (naming where the bad value sits) and nothing is sent; a receiver refuses and reports
 *       anything over the cap or not EDN.
 * </ul>
 *
 * <h2>Failures</h2>
 *
 * <ul>
 *   <li>Redis unreachable at start: {@link #start} does not fail or wait; the node connects in the
 *       background, retrying with a delay growing to 1 s, and reports each failed attempt.
 *   <li>Redis lost later: Lettuce reconnects (delay growing from 100 ms to 1 s); on every
 *       (re)connect the node loads its scripts, takes its lease again, re-syncs its keys with
 *       {@code localKeys} and re-subscribes, and delivery resumes without a restart.
 *   <li>While not connected, {@link #send}, {@link #broadcast} and {@link #keys} fail at once;
 *       while connected, each waits for Redis at most the send timeout (at most 1 s). A failure
 *       fails the returned stage (or throws a {@link BackplaneException} from {@code keys}) and
 *       also goes to the {@link ErrorHandler}.
 *   <li>{@link #register} and {@link #unregister} never block and never throw: they queue the
 *       change for the backplane's thread; failures go to the {@link ErrorHandler} and trigger a
 *       re-sync.
 *   <li>A node that dies without {@link #close} (a crash, {@code kill -9}) keeps no route for
 *       longer than its lease: once the lease ends, no node sends to it or lists its keys, and the
 *       surviving nodes remove its keys at their next lease refresh.
 * </ul>
 *
 * <h2>What it costs</h2>
 *
 * <ul>
 *   <li>{@link #register}, {@link #unregister}: nothing on the caller's thread but a queue
 *       insertion; the backplane's thread writes queued changes in batches, one {@code EVALSHA}
 *       (one round trip, not awaited) per batch of up to 500, two set writes per key.
 *   <li>{@link #send}: one {@code EVALSHA}: reads the key's holders and their leases and publishes
 *       once per live holder, in Redis.
 *   <li>{@link #broadcast}: one {@code PUBLISH}.
 *   <li>{@link #keys}: one {@code EVALSHA}; for a pattern with {@code :*} it returns
 *       every live key of the cluster, matched here: meant for listing and tools, not per request.
 *   <li>The lease: one {@code EVALSHA} every third of the lease.
 * </ul>
 *
 * <h2>Threads</h2>
 *
 * One backplane thread (lease, directory writes, connects), one delivery thread calling the
 * {@link Receiver} in arrival order, and Lettuce's I/O threads. The {@link ErrorHandler} is called
 * on any of them.
 */
final class Backplane implements AutoCloseable {
  private final ClusterSettings settings;
  private final ScheduledExecutorService scheduler;
  private final RedisLink link;
  private final Inbox inbox;
  private final Directory directory;
  private final Outbox outbox;
  private final Lookup lookup;
  private final @Nullable RedisLog log;
  private final @Nullable MissedBroadcasts missed;
  private final Reporter report;
  private final String[] channels;
  private final Wiring wiring;
  /** Runs before each publish, on the backplane's thread: the directory writes it must come after. */
  private volatile Runnable beforePublish = () -> {};
  private volatile boolean closed;

  private Backplane(
      ClusterSettings settings,
      Receiver receiver,
      Supplier<? extends Collection<?>> localKeys,
      ErrorHandler onError) {
    this.settings = settings;
    RedisNames names = new RedisNames(settings.prefix(), settings.node());
    Reporter report = new Reporter(settings.node(), onError);
    this.report = report;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread t = new Thread(task, "deacon-cluster-" + settings.node());
              t.setDaemon(true);
              return t;
            });
    this.inbox = new Inbox(names, settings.maxMessageBytes, receiver, report);
    Wiring wiring = new Wiring(report, inbox);
    this.wiring = wiring;
    this.link = new RedisLink(settings, scheduler, wiring, report);
    Context context = new Context(settings, names, link, report);
    HistoryShape history = settings.history;
    this.directory = new Directory(context, scheduler, localKeys);
    wiring.directory = directory;
    this.outbox = new Outbox(context, directory::ready, inbox, this::publishInOrder);
    this.lookup = new Lookup(context, directory::ready);
    this.log = history.kept() ? new RedisLog(context, directory::ready, outbox) : null;
    this.missed = history.kept() ? new MissedBroadcasts(context, receiver) : null;
    this.channels = new String[] {names.selfChannel, names.broadcast};
  }

  /**
   * Starts this node's backplane and returns at once; it connects to Redis in the background.
   *
   * @param settings the Redis URI, node id, prefix, lease, timeouts and size cap
   * @param receiver called with each message the other nodes send this one
   * @param localKeys every key this node holds at least one stream under; read after every
   *     (re)connect to re-sync the directory, from the backplane's thread, so it must be safe to
   *     call from any thread
   * @param onError told of every failure no caller sees thrown
   * @return the running backplane
   * @throws IllegalStateException naming the dependency to add when Lettuce is not on the
   *     classpath
   * @throws InvalidInputException when an argument is null
   */
  static Backplane start(
      ClusterSettings settings,
      Receiver receiver,
      Supplier<? extends Collection<?>> localKeys,
      ErrorHandler onError) {
    LettuceDependency.require();
    if (settings == null) throw new InvalidInputException("settings", null, "must not be nil");
    if (receiver == null) throw new InvalidInputException("receiver", null, "must not be nil");
    if (localKeys == null) throw new InvalidInputException("localKeys", null, "must not be nil");
    if (onError == null) throw new InvalidInputException("onError", null, "must not be nil");
    Backplane backplane = new Backplane(settings, receiver, localKeys, onError);
    backplane.link.start(backplane.channels);
    return backplane;
  }

  /**
   * Keeps the directory in step with {@code local}'s keys, from now on: a change it is told of is
   * written before any message this node publishes afterwards.
   *
   * @param local the store's side
   * @return what to tell of each key whose streams changed
   */
  KeySync keySync(LocalNode local) {
    KeySync sync = new KeySync(local, directory);
    beforePublish = sync::flush;
    outbox.holdsHere = local::holds;
    return sync;
  }

  /** The shared history, or null when started without one. */
  @Nullable RedisLog log() {
    return log;
  }

  /**
   * Has {@code catchUp} told, on the delivery thread, of the keys that may have missed events of
   * the shared history: those just registered, and every local key once the node is connected
   * again (its scripts, lease and keys re-synced, its channels subscribed).
   */
  void catchUpWith(Consumer<Collection<Object>> catchUp, Supplier<? extends Collection<?>> localKeys) {
    MissedBroadcasts missed = this.missed;
    if (missed == null) return;
    inbox.heard = missed::heard;
    // each side sets its own flag before it reads the other's: whichever is second sees both
    directory.onRegistered =
        (keys, resynced) -> {
          if (connected()) inbox.run(() -> caughtUp(missed, catchUp, keys, resynced));
        };
    wiring.onSubscribed =
        () -> {
          if (connected()) inbox.run(() -> caughtUp(missed, catchUp, new ArrayList<Object>(localKeys.get()), true));
        };
  }

  /** After a reconnect, the broadcasts missed first (rendering them appends to the keys' logs), then each key's log. */
  private static void caughtUp(
      MissedBroadcasts missed, Consumer<Collection<Object>> catchUp, List<Object> keys, boolean reconnected) {
    if (reconnected) missed.catchUp();
    catchUp.accept(keys);
  }

  private boolean publishInOrder(Runnable publish) {
    return directory.inOrder(
        () -> {
          beforePublish.run();
          publish.run();
        });
  }

  /**
   * Records in the directory that this node now holds at least one stream under {@code key}.
   * Returns at once: the write happens on the backplane's thread. A key that is not data, or a
   * failed write, goes to the {@link ErrorHandler}.
   *
   * @param key a key, compared with Clojure equality
   */
  void register(Object key) {
    if (!closed) directory.register(key);
  }

  /**
   * Records in the directory that this node holds no stream under {@code key} any more. Returns at
   * once, like {@link #register}.
   *
   * @param key a key, compared with Clojure equality
   */
  void unregister(Object key) {
    if (!closed) directory.unregister(key);
  }

  /**
   * Sends {@code payload} to the other live nodes that hold {@code key}; never to this node.
   *
   * @param key one key (without {@code :*})
   * @param payload plain data, e.g. a datastar.wow effects vector
   * @return completes with the number of nodes the message was published to (0 when no other
   *     node holds the key), or fails with a {@link BackplaneException} within the send timeout
   * @throws InvalidPayloadException when the key or payload is not data, the key holds {@code
   *     :*}, or the message is larger than the size cap; nothing is sent
   */
  CompletionStage<Integer> send(Object key, Object payload) {
    return outbox.send(key, payload);
  }

  /**
   * Sends {@code payload} to every other live node, which delivers it to its own keys matching
   * {@code pattern}; never to this node.
   *
   * @param pattern a key pattern ({@code :*} matches any one element at any depth) or a key
   * @param payload plain data
   * @return completes with the number of other nodes subscribed to broadcasts when it was
   *     published, or fails with a {@link BackplaneException} within the send timeout
   * @throws InvalidPayloadException when the pattern or payload is not data, or the message is
   *     larger than the size cap; nothing is sent
   */
  CompletionStage<Integer> broadcast(Object pattern, Object payload) {
    return outbox.broadcast(pattern, payload);
  }

  /**
   * Lists the keys that live nodes, this one included, hold streams under, cluster-wide. Waits
   * at most the send timeout.
   *
   * @param pattern a key pattern or a key
   * @return the matching keys, each once, as a Clojure vector
   * @throws BackplaneException when Redis is not reachable or too slow
   * @throws InvalidPayloadException when an exact key is not data
   */
  List<Object> keys(Object pattern) {
    return lookup.keys(pattern);
  }


  /**
   * This node's id.
   *
   * @return the id the other nodes know this node by
   */
  String node() {
    return settings.node();
  }

  /**
   * Tells whether the node is connected and in sync: its scripts loaded, its lease held, its keys
   * written, both its channels subscribed.
   *
   * @return true when sends and deliveries work now
   */
  boolean connected() {
    return !closed && directory.ready() && inbox.subscribed();
  }

  /**
   * Leaves the cluster: gives up the lease and removes this node's keys from the directory
   * (waiting at most the send timeout; the other nodes remove what is left), then closes the
   * connections and stops the threads. Idempotent.
   */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    // stop the lease refresher first, so that no refresh can follow the leave
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(settings.sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    directory.leave();
    shutdown();
  }

  private void shutdown() {
    report.silence();
    link.close();
    scheduler.shutdownNow();
    inbox.close();
  }

  @Override
  public String toString() {
    return "Backplane{node=" + settings.node() + ", uri=" + settings.shownUri() + ", connected="
        + connected() + "}";
  }

  /** Connection events, routed to the parts that care. */
  private static final class Wiring implements RedisLink.Events {
    private final Reporter report;
    private final Inbox inbox;
    volatile Directory directory;
    /** Runs when both of the node's channels are subscribed (again). */
    volatile Runnable onSubscribed = () -> {};

    Wiring(Reporter report, Inbox inbox) {
      this.report = report;
      this.inbox = inbox;
    }

    @Override
    public void commandUp() {
      Directory d = directory;
      if (d != null) d.connected();
    }

    @Override
    public void commandDown() {
      Directory d = directory;
      if (d != null) d.disconnected();
      var unused =
          report.error(
              BackplaneException.CONNECT,
              "lost the connection to Redis; reconnecting (sends fail until it is back)",
              null);
    }

    @Override
    public void pubSubDown() {
      inbox.disconnected();
    }

    @Override
    public void subscribed(String channel) {
      boolean before = inbox.subscribed();
      inbox.subscribed(channel);
      if (!before && inbox.subscribed()) onSubscribed.run();
    }

    @Override
    public void message(String channel, byte[] body) {
      inbox.arrived(channel, body);
    }
  }
}
