package datastar.wow.deacon.cluster;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The broadcasts a node missed while cut off from Redis, with a shared history. Every broadcast
 * is kept in {@code P:bc} for the window (at most {@value #KEPT}); the node remembers the last one
 * it heard, and once it is back reads those after it and delivers them as if they had just
 * arrived: the receiver renders each for its own keys and appends the result with the push's
 * token, which the other nodes appended with too, so nothing is kept twice.
 *
 * <p>Runs on the delivery thread, in order with the messages that arrive.
 */
final class MissedBroadcasts {
  /** The most broadcasts kept for the nodes cut off, within the window. */
  static final int KEPT = 1000;

  private final Context context;
  private final Receiver receiver;
  /** The place in {@code P:bc} of the last push heard, or null before the node first connected. */
  private volatile @Nullable String last;

  MissedBroadcasts(Context context, Receiver receiver) {
    this.context = context;
    this.receiver = receiver;
  }

  /** A relayed push at {@code seq} in {@code P:bc} was heard (this node's own included). */
  void heard(String seq) {
    String l = last;
    if (l == null || RedisLog.order(seq, l) > 0) last = seq;
  }

  /**
   * The node is connected (again): delivers the broadcasts kept since the last one it heard; the
   * first time, only notes where the kept ones end. Waits for Redis at most the send timeout.
   */
  void catchUp() {
    String from = last;
    List<?> reply;
    try {
      reply =
          (List<?>)
              context
                  .link
                  .eval(
                      Scripts.AFTER,
                      new String[] {context.names.broadcasts},
                      Directory.bytes(from == null ? "0-0" : from),
                      context.history.windowArg(),
                      Directory.bytes(from == null ? "holds" : "since"))
                  .get(context.timeoutMs(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      var unused =
          context.report.error(
              BackplaneException.RECEIVE,
              "reading the broadcasts sent while this node was away failed (" + RedisLink.message(e) + ")",
              RedisLink.unwrap(e));
      return;
    }
    if (from == null) {
      String top = RedisLog.text(reply.get(1));
      heard(top.isEmpty() ? "0-0" : top);
      return;
    }
    for (int i = 2; i + 1 < reply.size(); i += 2) deliver(RedisLog.text(reply.get(i)), RedisLog.text(reply.get(i + 1)));
  }

  private void deliver(String seq, String body) {
    heard(seq);
    Message m;
    try {
      m = Message.decode(body.getBytes(StandardCharsets.UTF_8), context.settings.maxMessageBytes);
    } catch (Message.Refused e) {
      var unused = context.report.error(BackplaneException.RECEIVE, "skipped a kept broadcast that " + e.getMessage(), null);
      return;
    }
    if (m.from.equals(context.names.self) || m.payload == null || m.token == null) return;
    receiver.rendered(m.target, m.payload, m.token);
  }
}
