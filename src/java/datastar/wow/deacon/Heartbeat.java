package datastar.wow.deacon;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A store's liveness sweep: one daemon thread that, every interval, sends a probe down each stored
 * connection and purges the connections whose send fails (cause {@code :dead}). The thread holds
 * the store only weakly: a store that is dropped without being closed stops its sweep at the next
 * tick (unless the probe itself holds the store).
 */
final class Heartbeat implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ScheduledExecutorService executor;
  private final AtomicReference<Thread> thread;

  private Heartbeat(ScheduledExecutorService executor, AtomicReference<Thread> thread) {
    this.executor = executor;
    this.thread = thread;
  }

  static Heartbeat start(ConnectionStore store, Duration interval, ConnectionProbe probe) {
    AtomicReference<Thread> thread = new AtomicReference<>();
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread t = new Thread(task, "deacon-heartbeat-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              thread.set(t);
              return t;
            });
    long nanos = saturatedNanos(interval);
    // No need to keep the future: close() shuts the executor down, which cancels the sweep.
    ScheduledFuture<?> unused = executor.scheduleWithFixedDelay(
        new Sweep(new WeakReference<>(store), probe, executor), nanos, nanos, TimeUnit.NANOSECONDS);
    return new Heartbeat(executor, thread);
  }

  /**
   * Returns {@code interval} in nanoseconds, or {@link Long#MAX_VALUE} (about 292 years) when it is.
   *
   * @return {@code interval} in nanoseconds, or {@link Long#MAX_VALUE} (about 292 years) when it is
   *     longer: an interval of {@code Long.MAX_VALUE} milliseconds means "practically never"
   */
  static long saturatedNanos(Duration interval) {
    try {
      return interval.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Stops the sweep and, unless called from the sweep itself, waits (up to a second) for its thread to end. */
  @Override
  public void close() {
    executor.shutdownNow();
    if (Thread.currentThread() == thread.get()) return;
    try {
      executor.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One sweep: probes each distinct connection once and removes those found dead. */
  private static final class Sweep implements Runnable {
    private final WeakReference<ConnectionStore> store;
    private final ConnectionProbe probe;
    private final ScheduledExecutorService executor;

    Sweep(WeakReference<ConnectionStore> store, ConnectionProbe probe, ScheduledExecutorService executor) {
      this.store = store;
      this.probe = probe;
      this.executor = executor;
    }

    @Override
    public void run() {
      ConnectionStore s = store.get();
      if (s == null) {
        executor.shutdown();
        return;
      }
      Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Map.Entry<Object, Object> pair : s.connections()) {
        Object conn = pair.getValue();
        if (seen.add(conn) && !alive(conn)) s.purgeConnection(conn, RemovalCause.DEAD);
      }
    }

    private boolean alive(Object conn) {
      try {
        return probe.send(conn);
      } catch (Throwable t) {
        Log.rethrowIfFatal(t);
        return false;
      }
    }
  }
}
