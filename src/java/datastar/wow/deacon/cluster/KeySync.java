package datastar.wow.deacon.cluster;

import datastar.wow.deacon.LocalNode;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps the directory in step with one store: the store tells it of every key whose streams
 * changed; the backplane's thread then registers the key if the store still holds a stream under
 * it, or unregisters it, so the directory ends up as the store is, whatever order the changes
 * raced in. A key waits here at most once: a change to a key already waiting is seen by that key's
 * update, so churn on a key faster than Redis answers queues nothing more.
 *
 * <p>The updates run on the backplane's thread, which also publishes this node's messages, and
 * every publish first writes the updates waiting then ({@link #flush}): Redis applies a key's
 * registration before any message this node publishes after storing the stream, so a node that
 * answers that message reaches the new stream.
 */
final class KeySync {
  private final LocalNode local;
  private final Directory directory;
  /** Keys whose update has not yet read the store. */
  private final Set<Object> waiting = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  KeySync(LocalNode local, Directory directory) {
    this.local = local;
    this.directory = directory;
  }

  /** The streams under {@code key} changed here: bring the directory in step, off this thread. */
  void changed(Object key) {
    if (!waiting.add(key)) return; // its update has not read the store yet: it will see this
    if (scheduled.compareAndSet(false, true)) directory.inOrder(this::flush);
  }

  /** Writes every waiting key's update; on the backplane's thread. */
  void flush() {
    scheduled.set(false);
    for (Iterator<Object> keys = waiting.iterator(); keys.hasNext(); ) {
      Object key = keys.next();
      keys.remove(); // before the read: a change from now on waits again
      directory.writeNow(key, local.holds(key));
    }
  }
}
