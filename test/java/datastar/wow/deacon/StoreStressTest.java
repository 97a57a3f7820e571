package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.lang.Keyword;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Phaser;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many threads hammering one store on a small key space with every write and read the store
 * offers, then a check against what a correct store must show: each key holds a connection that
 * was stored under it and never reported removed; each stored connection is either still present
 * or was reported removed exactly once; listing, counting and look-ups agree; the reverse index
 * agrees with the entries. Threads start together on a barrier and meet on a phaser between rounds,
 * where the store is quiescent and checked; nothing waits by sleeping.
 */
class StoreStressTest {
  private static final int THREADS = Load.pick(8, 16);
  private static final int ROUNDS = Load.pick(5, 10);
  private static final int OPS_PER_ROUND = Load.pick(4_000, 20_000);
  private static final int KEYS = 6;

  /** A connection that knows the key it was made for, so a stray one is caught. */
  static final class Conn {
    final Object key;
    final long id;

    Conn(Object key, long id) {
      this.key = key;
      this.id = id;
    }

    @Override
    public String toString() {
      return "conn " + id + " for " + key;
    }
  }

  /** Removals as the store reported them, counted per connection. */
  final Map<Conn, AtomicInteger> reported = new ConcurrentHashMap<>();
  final Map<RemovalCause, AtomicLong> byCause = new ConcurrentHashMap<>();

  private BaseStore create(StoreKind kind) {
    // the listener runs on the removing thread, so every report has happened when the round ends
    return kind.build(
        (key, conn, cause) -> {
          Conn c = (Conn) conn;
          if (!c.key.equals(key)) throw new AssertionError(c + " reported under " + key);
          reported.computeIfAbsent(c, x -> new AtomicInteger()).incrementAndGet();
          byCause.computeIfAbsent(cause, x -> new AtomicLong()).incrementAndGet();
        });
  }

  private static Object key(int i) {
    return i % 2 == 0
        ? Deacon.scopedKey("user-" + (i / 2), Keyword.intern("counter"))
        : Deacon.scopedKey("user-" + (i / 2), Deacon.scopedKey(Keyword.intern("room"), (long) i));
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void randomOperationsFromManyThreadsAgreeWithTheModel(StoreKind kind) throws Exception {
    BaseStore store = create(kind);
    // KEYS shared keys, then one key per thread that only that thread writes
    Object[] keys = new Object[KEYS + THREADS];
    for (int i = 0; i < keys.length; i++) keys[i] = key(i);
    Object[] owners = {"request-a", "request-b", "request-c"};
    AtomicLong ids = new AtomicLong();
    Set<Conn> stored = ConcurrentHashMap.newKeySet();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicLong explicitRemovals = new AtomicLong();
    CyclicBarrier start = new CyclicBarrier(THREADS);
    Phaser rounds = new Phaser(THREADS);

    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      long seed = 1_000_003L * t + 17;
      Object privateKey = keys[KEYS + t];
      Thread thread =
          new Thread(
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                List<Conn> mine = new ArrayList<>();
                try {
                  start.await();
                  for (int round = 0; round < ROUNDS; round++) {
                    for (int op = 0; op < OPS_PER_ROUND; op++) {
                      Object key = keys[random.nextInt(KEYS)];
                      Object owner = owners[random.nextInt(owners.length)];
                      switch (random.nextInt(8)) {
                        case 0, 1 -> {
                          Conn c = new Conn(key, ids.incrementAndGet());
                          stored.add(c);
                          mine.add(c);
                          store.store(key, c, owner);
                        }
                        case 2 -> {
                          // on this thread's own key (no other thread writes it), re-storing
                          // what is there is a no-op that must report nothing
                          Object c = store.connection(privateKey);
                          if (c != null) {
                            store.store(privateKey, c, owner);
                          } else {
                            Conn fresh = new Conn(privateKey, ids.incrementAndGet());
                            stored.add(fresh);
                            mine.add(fresh);
                            store.store(privateKey, fresh, owner);
                          }
                        }
                        case 3, 4 -> {
                          Object c = store.connection(key);
                          if (c != null && !((Conn) c).key.equals(key)) {
                            throw new AssertionError(c + " found under " + key);
                          }
                        }
                        case 5 -> {
                          if (store.purge(key)) explicitRemovals.incrementAndGet();
                        }
                        case 6 -> {
                          if (!mine.isEmpty()) {
                            Conn c = mine.get(random.nextInt(mine.size()));
                            explicitRemovals.addAndGet(store.purgeConnection(c));
                          }
                        }
                        default -> {
                          if (store.purgeOwned(key, owner)) explicitRemovals.incrementAndGet();
                        }
                      }
                    }
                    rounds.arriveAndAwaitAdvance(); // all writes of this round are done
                    if (seed == 17) checkQuiescent(store, keys, stored);
                    rounds.arriveAndAwaitAdvance(); // the check is done
                  }
                } catch (Throwable e) {
                  failures.add(e);
                  rounds.forceTermination();
                  start.reset();
                }
              },
              "stress-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) thread.join();
    if (!failures.isEmpty()) throw new AssertionError("a thread failed", failures.peek());

    checkQuiescent(store, keys, stored);
    if (!kind.fanOut) {
      // with fan-out one purge may remove several streams: the per-connection check below covers it
      assertEquals(explicitRemovals.get(), count(RemovalCause.EXPLICIT), "every successful purge reported once");
    }
    assertEquals(0, count(RemovalCause.SIZE) + count(RemovalCause.EXPIRED), "nothing evicted by the cache");
    drainThroughTheIndex(store, stored);
    int storedCount = stored.size();
    List<WeakReference<Object>> all = Gc.refs(new ArrayList<>(stored));
    stored.clear();
    reported.clear();
    if (store instanceof CaffeineStore cs) cs.cleanUp();
    Gc.assertCollected(all, "nothing of the store (its reverse index included) holds a drained connection");
    System.out.printf(
        "StoreStressTest[%s]: %d threads x %d rounds x %d ops, %d connections stored, removals %s%n",
        kind, THREADS, ROUNDS, OPS_PER_ROUND, storedCount, byCause);
    store.close();
  }

  /**
   * Drains the store through the reverse index: exactly the present entries go, and every
   * connection ever stored was then reported removed once. (A method of its own, so that no loop
   * of it keeps a connection reachable from the test's frame.)
   */
  private void drainThroughTheIndex(BaseStore store, Set<Conn> stored) {
    int present = store.count();
    int drained = 0;
    for (Map.Entry<Object, Object> e : store.connections()) drained += store.purgeConnection(e.getValue());
    assertEquals(present, drained);
    assertEquals(0, store.count());
    for (Conn c : stored) assertEquals(1, reported.get(c).get(), "reported exactly once: " + c);
  }

  /** With no thread writing: the store must agree with itself and with the removal reports. */
  private void checkQuiescent(BaseStore store, Object[] keys, Set<Conn> stored) {
    Map<Object, List<Object>> seen = new HashMap<>();
    IdentityHashMap<Object, Boolean> present = new IdentityHashMap<>();
    for (Object key : keys) {
      List<Object> conns = store.connectionsOf(key);
      if (conns.isEmpty()) continue;
      seen.put(key, conns);
      assertSame(conns.get(conns.size() - 1), store.connection(key), "the look-up gives the latest");
      for (Object c : conns) {
        Conn conn = (Conn) c;
        assertEquals(key, conn.key, "a key holds only connections stored under it");
        assertTrue(stored.contains(conn));
        assertNull(reported.get(conn), "present but reported removed (resurrected): " + conn);
        present.put(c, true);
      }
    }
    assertEquals(present.size(), store.count(), "count agrees with look-ups");
    assertEquals(new HashSet<>(seen.keySet()), new HashSet<>(store.keys()), "keys agree with look-ups");
    IdentityHashMap<Object, Object> listed = new IdentityHashMap<>();
    for (Map.Entry<Object, Object> e : store.connections()) {
      assertTrue(seen.get(e.getKey()).contains(e.getValue()), "listing agrees: " + e);
      listed.put(e.getValue(), e.getKey());
    }
    assertEquals(present.size(), listed.size());
    assertEquals((long) present.size(), store.stats().valAt(Keyword.intern("size")), "stats :size agrees");
    // nothing lost: every connection ever stored is present or was reported removed, once
    for (Conn c : stored) {
      AtomicInteger n = reported.get(c);
      if (present.containsKey(c)) continue;
      assertTrue(n != null && n.get() == 1, "lost without a report, or reported twice: " + c + " " + n);
    }
    for (Object key : store.keys(Deacon.scopedKey(Deacon.WILDCARD, Deacon.WILDCARD))) {
      assertTrue(seen.containsKey(key), "pattern listing agrees: " + key);
    }
  }

  private long count(RemovalCause cause) {
    AtomicLong n = byCause.get(cause);
    return n == null ? 0 : n.get();
  }
}
