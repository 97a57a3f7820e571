package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Scheduler;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A Caffeine store under more keys than it may hold, and entries past their fixed deadline with no
 * one touching the store: the size stays bounded, every eviction is reported once with its cause,
 * and expired entries go on time.
 */
class EvictionPressureTest {
  private static final int THREADS = Load.pick(8, 16);
  private static final int KEYS_PER_THREAD = Load.pick(5_000, 50_000);
  private static final long MAXIMUM = 100;

  @Test
  void aSmallStoreHammeredByManyKeysStaysBoundedAndReportsSizeEvictions() throws Exception {
    Map<Object, AtomicInteger> reported = new ConcurrentHashMap<>();
    Map<RemovalCause, AtomicInteger> causes = new ConcurrentHashMap<>();
    CaffeineStore store =
        CaffeineStore.builder()
            .maximumSize(MAXIMUM)
            .executor(Runnable::run)
            .onRemoval(
                (key, conn, cause) -> {
                  reported.computeIfAbsent(conn, c -> new AtomicInteger()).incrementAndGet();
                  causes.computeIfAbsent(cause, c -> new AtomicInteger()).incrementAndGet();
                })
            .build();
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int id = t;
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                  for (int i = 0; i < KEYS_PER_THREAD; i++) {
                    Object key = Deacon.scopedKey("user-" + id, (long) i);
                    store.store(key, new Object(), "request-" + id);
                    store.connection(Deacon.scopedKey("user-" + id, (long) (i / 2)));
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) thread.join();
    assertTrue(failures.isEmpty(), () -> "a writer failed: " + failures);
    store.cleanUp();

    long stored = (long) THREADS * KEYS_PER_THREAD;
    assertTrue(store.count() <= MAXIMUM, "bounded after clean-up: " + store.count());
    assertEquals(stored - store.count(), causes.get(RemovalCause.SIZE).get(), "every other entry evicted for size");
    assertEquals(1, causes.size(), "no other cause: " + causes);
    assertTrue(reported.values().stream().allMatch(n -> n.get() == 1), "each eviction reported once");
    List<WeakReference<Object>> evicted = Gc.refs(new ArrayList<>(reported.keySet()));
    reported.clear();
    store.cleanUp();
    Gc.assertCollected(evicted, "the reverse index follows evictions: it holds no evicted connection");
    System.out.printf(
        "EvictionPressureTest: %d keys from %d threads into a store of %d: %d evicted (:size), %d left%n",
        stored, THREADS, MAXIMUM, causes.get(RemovalCause.SIZE).get(), store.count());
  }

  /** Stores {@code entries} fresh connections; returns them, forgotten by the test. */
  private static List<WeakReference<Object>> fill(CaffeineStore store, int entries) {
    List<WeakReference<Object>> conns = new ArrayList<>();
    for (int i = 0; i < entries; i++) {
      Object conn = new Object();
      conns.add(new WeakReference<>(conn));
      store.store(Deacon.scopedKey("u", (long) i), conn);
    }
    return conns;
  }

  @Test
  void fixedExpiryWithASchedulerRemovesEntriesWithoutAnyAccess() throws Exception {
    int entries = Load.pick(200, 2_000);
    Duration duration = Duration.ofMillis(300);
    Duration slack = Duration.ofSeconds(5);
    CountDownLatch expired = new CountDownLatch(entries);
    Map<Object, Long> when = new ConcurrentHashMap<>();
    AtomicInteger otherCauses = new AtomicInteger();
    CaffeineStore store =
        CaffeineStore.builder()
            .duration(duration)
            .scheduler(Scheduler.systemScheduler())
            .executor(Runnable::run)
            .onRemoval(
                (key, conn, cause) -> {
                  if (cause != RemovalCause.EXPIRED) otherCauses.incrementAndGet();
                  when.put(key, System.nanoTime());
                  expired.countDown();
                })
            .build();
    long storedAt = System.nanoTime();
    List<WeakReference<Object>> conns = fill(store, entries);
    long storedBy = System.nanoTime();
    // no access from here on: only the scheduler can remove them
    assertTrue(
        expired.await(duration.plus(slack).toMillis(), TimeUnit.MILLISECONDS),
        "expired within " + slack + " after the deadline; left: " + expired.getCount());
    long doneAt = System.nanoTime();
    assertEquals(0, otherCauses.get());
    for (long t : when.values()) {
      assertTrue(t - storedAt >= duration.toNanos(), "no entry expired before its deadline");
    }
    Gc.assertCollected(conns, "nothing of the store holds an expired connection");
    System.out.printf(
        "EvictionPressureTest: %d entries with fixed expiry %d ms all removed %d ms after the last"
            + " deadline, untouched%n",
        entries,
        duration.toMillis(),
        TimeUnit.NANOSECONDS.toMillis(doneAt - storedBy - duration.toNanos()));
  }
}
