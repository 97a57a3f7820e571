package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The race Lincheck found in the Caffeine store: while one thread replaces connection {@code c3}
 * under a key, another thread's {@code purgeConnection(c3)} must not answer "not stored" and then
 * still see {@code c3} under that key. Many short rounds of three threads: one replaces, one stores
 * and moves a connection, and one, after the second is done, purges by connection and looks up.
 */
class CaffeineReplaceRaceTest {
  private static final int ROUNDS = Load.pick(40_000, 300_000);

  @Test
  void purgeConnectionAgreesWithLookUpsDuringAConcurrentReplace() throws Exception {
    Object c1 = new Object();
    Object c3 = new Object();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    int violations = 0;
    try {
      for (int i = 0; i < ROUNDS; i++) {
        CaffeineStore store = CaffeineStore.builder().executor(Runnable::run).build();
        Object k2 = Deacon.scopedKey("user", 2L);
        Object k3 = Deacon.scopedKey("user", 3L);
        CyclicBarrier start = new CyclicBarrier(3);
        CountDownLatch secondDone = new CountDownLatch(1);
        Future<?> first =
            pool.submit(
                () -> {
                  start.await();
                  store.store(k2, c1, "request-1");
                  return null;
                });
        Future<?> second =
            pool.submit(
                () -> {
                  start.await();
                  store.store(k2, c3, "request-2");
                  store.store(k3, c1, "request-2");
                  secondDone.countDown();
                  return null;
                });
        Future<Boolean> third =
            pool.submit(
                () -> {
                  start.await();
                  secondDone.await();
                  int purged = store.purgeConnection(c3);
                  return purged == 0 && store.connection(k2) == c3;
                });
        first.get();
        second.get();
        if (third.get()) violations++;
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(0, violations, "purgeConnection said c3 was not stored, then c3 was found stored");
  }
}
