package datastar.wow.deacon.cluster;

import datastar.wow.deacon.LocalNode;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the directory in step with one store: the store tells it of every key whose streams
 * changed; one thread of its own then registers the key if the store still holds a stream under
 * it, or unregisters it, so the directory ends up as the store is, whatever order the changes
 * raced in. A key waits here at most once: a change to a key already waiting is seen by that key's
 * update, so churn on a key faster than Redis answers queues nothing more.
 */
final class KeySync implements AutoCloseable {
  private final LocalNode local;
  private final Backplane backplane;
  private final Duration timeout;
  private final ThreadPoolExecutor thread;
  /** Keys whose update is queued and has not yet read the store. */
  private final Set<Object> waiting = ConcurrentHashMap.newKeySet();

  KeySync(LocalNode local, Backplane backplane, String node, Duration timeout) {
    this.local = local;
    this.backplane = backplane;
    this.timeout = timeout;
    this.thread =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread t = new Thread(task, "deacon-directory-" + node);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The streams under {@code key} changed here: bring the directory in step, off this thread.
   * Once closed there is nothing to bring in step (the node left the cluster, taking its keys out
   * of the directory).
   */
  void changed(Object key) {
    if (!waiting.add(key)) return; // its queued update has not read the store yet: it will see this
    try {
      thread.execute(
          () -> {
            waiting.remove(key); // before the read: a change from now on queues another update
            if (local.holds(key)) backplane.register(key);
            else backplane.unregister(key);
          });
    } catch (RejectedExecutionException closed) {
      waiting.remove(key);
    }
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
