package datastar.wow.deacon.cluster;

import clojure.lang.Keyword;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Messages arriving from Redis, on their way to the {@link Receiver}. Lettuce's I/O thread only
 * checks the size and queues the bytes; one delivery thread per node reads each message (EDN, see
 * {@link Message}) and calls the receiver, in arrival order. A message refused on arrival (too
 * large, not EDN, a tag that would build an object, not a backplane message, on the wrong
 * channel) is dropped and reported with {@code :op :receive}; the node's own broadcasts, which
 * Redis echoes back, are dropped silently.
 *
 * <p>The queue holds at most {@value #MAX_QUEUED} messages and {@value #MAX_QUEUED_BYTES} bytes (or
 * four messages of the maximal size, if more); past that, messages are dropped and reported with
 * {@code :op :deliver}: a receiver that cannot keep up loses messages rather than the node its
 * memory.
 */
final class Inbox implements AutoCloseable {
  static final int MAX_QUEUED = 10_000;
  static final long MAX_QUEUED_BYTES = 64L << 20;

  private final String self;
  private final String selfChannel;
  private final String broadcastChannel;
  private final int maxBytes;
  private final long maxQueuedBytes;
  private final Receiver receiver;
  private final Reporter report;
  private final ThreadPoolExecutor delivery;
  private final AtomicLong queuedBytes = new AtomicLong();
  /** Told of each relayed push's place in {@code P:bc}, this node's own included. */
  volatile Consumer<String> heard = token -> {};
  private volatile boolean selfSubscribed;
  private volatile boolean broadcastSubscribed;

  Inbox(RedisNames names, int maxBytes, Receiver receiver, Reporter report) {
    this.self = names.self;
    this.selfChannel = names.selfChannel;
    this.broadcastChannel = names.broadcast;
    this.maxBytes = maxBytes;
    this.maxQueuedBytes = Math.max(MAX_QUEUED_BYTES, 4L * maxBytes);
    this.receiver = receiver;
    this.report = report;
    this.delivery =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_QUEUED),
            task -> {
              Thread t = new Thread(task, "deacon-cluster-deliver-" + names.self);
              t.setDaemon(true);
              return t;
            });
  }

  /** Whether both of the node's channels are subscribed. */
  boolean subscribed() {
    return selfSubscribed && broadcastSubscribed;
  }

  /** Whether the node hears its own broadcasts (Redis counts it among their receivers). */
  boolean hearsBroadcasts() {
    return broadcastSubscribed;
  }

  void subscribed(String channel) {
    if (channel.equals(selfChannel)) selfSubscribed = true;
    else if (channel.equals(broadcastChannel)) broadcastSubscribed = true;
  }

  void disconnected() {
    selfSubscribed = false;
    broadcastSubscribed = false;
  }

  /** A message arrived; called on Lettuce's I/O thread, so it only checks the size and queues. */
  void arrived(String channel, byte[] body) {
    if (body.length > maxBytes) {
      failed(
          BackplaneException.RECEIVE,
          "refused a message on " + channel + ": it is " + body.length
              + " bytes, over :max-message-bytes " + maxBytes + "; it was not read",
          channel,
          body.length);
      return;
    }
    if (queuedBytes.addAndGet(body.length) > maxQueuedBytes) {
      queuedBytes.addAndGet(-body.length);
      dropped(channel, body.length);
      return;
    }
    try {
      delivery.execute(() -> deliver(channel, body));
    } catch (RejectedExecutionException e) {
      queuedBytes.addAndGet(-body.length);
      if (!delivery.isShutdown()) dropped(channel, body.length);
    }
  }

  private void dropped(String channel, int bytes) {
    failed(
        BackplaneException.DELIVER,
        "dropped a message on " + channel + ": the receiver is behind by "
            + delivery.getQueue().size() + " messages",
        channel,
        bytes);
  }

  /** Reports a message that was refused or dropped, with its channel and size. */
  private void failed(Keyword kind, String what, String channel, int bytes) {
    report.error(kind, what, null, BackplaneException.CHANNEL, channel, BackplaneException.BYTES, (long) bytes);
  }

  private void deliver(String channel, byte[] body) {
    queuedBytes.addAndGet(-body.length);
    Message m;
    try {
      m = Message.decode(body, maxBytes);
      boolean broadcast = channel.equals(broadcastChannel);
      // a key's relayed push (with a token) comes to a node's channel as a pattern
      if (m.isPattern != broadcast && !(m.isPattern && m.token != null)) {
        throw new Message.Refused(
            broadcast ? "holds a :key on the broadcast channel" : "holds a :pattern on a node's channel");
      }
    } catch (Message.Refused e) {
      failed(BackplaneException.RECEIVE, "refused a message on " + channel + ": it " + e.getMessage(), channel, body.length);
      return;
    }
    if (m.seq != null) heard.accept(m.seq);
    // this node's own broadcast, echoed by Redis; the events of a log it appended to come back
    if (m.entries == null && m.from.equals(self)) return;
    try {
      if (m.entries != null) receiver.logged(m.target, m.prev, m.entries);
      else if (m.token != null) receiver.rendered(m.target, m.payload, m.token);
      else receiver.deliver(m.target, m.isPattern, m.payload, m.from);
    } catch (RuntimeException | LinkageError | StackOverflowError | AssertionError e) {
      report.error(
          BackplaneException.DELIVER,
          "the receiver threw on a message from " + m.from + ": " + e,
          e,
          BackplaneException.TARGET,
          m.target,
          BackplaneException.FROM,
          m.from);
    }
  }

  /**
   * Runs {@code task} on the delivery thread, after the messages queued before it: work that must
   * not race with deliveries (a catch-up from the shared history). Dropped once closed, or when the
   * queue is full (reported).
   */
  void run(Runnable task) {
    try {
      delivery.execute(task);
    } catch (RejectedExecutionException e) {
      if (!delivery.isShutdown()) {
        var unused = report.error(BackplaneException.DELIVER, "dropped a catch-up from the shared history: the receiver is behind", null);
      }
    }
  }

  @Override
  public void close() {
    delivery.shutdownNow();
  }
}
