package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.lang.Keyword;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CaffeineStoreTest extends StoreContract {
  /** Runs callbacks on a known executor, so that tests can wait for them. */
  private final ExecutorService executor = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopExecutor() {
    executor.shutdownNow();
  }

  @Override
  ConnectionStore create(EvictionListener listener) {
    return CaffeineStore.builder().onEvict(listener).executor(executor).build();
  }

  @Override
  ConnectionStore createWithHeartbeat(
      EvictionListener listener, Duration interval, ConnectionProbe probe) {
    return CaffeineStore.builder()
        .onEvict(listener)
        .executor(executor)
        .heartbeat(interval, probe)
        .build();
  }

  @Override
  void settle(ConnectionStore store) {
    ((CaffeineStore) store).cache().cleanUp();
    try {
      executor.submit(() -> {}).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void sizeEvictionsAreReportedAndLeaveTheIndexTrue() {
    List<Removal> removed = new CopyOnWriteArrayList<>();
    CaffeineStore s =
        CaffeineStore.builder()
            .maximumSize(10)
            .executor(Runnable::run)
            .onEvict((k, c, cause) -> removed.add(new Removal(k, c, cause)))
            .build();
    for (int i = 0; i < 100; i++) s.store("k" + i, new Conn("c" + i));
    s.cache().cleanUp();
    assertTrue(s.count() <= 10);
    assertEquals(100 - s.count(), removed.size());
    assertTrue(removed.stream().allMatch(r -> r.cause() == EvictionCause.SIZE));
    assertEquals(s.count(), s.indexedConnections(), "the index holds exactly the live connections");
    for (Removal r : removed) assertEquals(0, s.purgeConnection(r.connection()));
  }

  @Test
  void idleExpiryIsSlidingAndReportedAsExpired() {
    FakeTicker ticker = new FakeTicker();
    List<Removal> removed = new CopyOnWriteArrayList<>();
    CaffeineStore s =
        CaffeineStore.builder()
            .duration(Duration.ofMinutes(1))
            .ticker(ticker)
            .executor(Runnable::run)
            .onEvict((k, c, cause) -> removed.add(new Removal(k, c, cause)))
            .build();
    Conn c = new Conn("c");
    s.store("k", c);
    ticker.advance(Duration.ofSeconds(50));
    assertSame(c, s.connection("k"), "a look-up restarts the idle clock");
    ticker.advance(Duration.ofSeconds(50));
    assertSame(c, s.connection("k"));
    ticker.advance(Duration.ofSeconds(61));
    assertNull(s.connection("k"));
    s.cache().cleanUp();
    assertEquals(List.of(new Removal("k", c, EvictionCause.EXPIRED)), removed);
    assertEquals(0, s.purgeConnection(c), "the index forgot it with the eviction");
  }

  @Test
  void fixedExpiryCountsFromTheFirstStore() throws InterruptedException {
    CaffeineStore s =
        CaffeineStore.builder()
            .duration(Duration.ofMillis(300))
            .scheduler(Scheduler.systemScheduler())
            .build();
    Conn a = new Conn("a");
    s.store("k", a);
    Thread.sleep(200);
    s.store("k", new Conn("b")); // a replacement keeps the first deadline
    assertTrue(s.connection("k") != a);
    Thread.sleep(200);
    assertNull(s.connection("k"));
  }

  @Test
  void aCacheFromElsewhereRefusesOnEvict() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                CaffeineStore.builder()
                    .cache(Caffeine.newBuilder().build())
                    .onEvict((k, c, cause) -> {})
                    .build());
    assertEquals(Keyword.intern("on-evict"), e.input());
  }

  @Test
  void recordStatsCountsHitsAndMisses() {
    CaffeineStore s = CaffeineStore.builder().recordStats(true).build();
    s.store("k", new Conn("c"));
    s.connection("k");
    s.connection("absent");
    assertEquals(1L, s.stats().valAt(Keyword.intern("hits")));
    assertEquals(1L, s.stats().valAt(Keyword.intern("misses")));
    assertNull(CaffeineStore.create().stats().valAt(Keyword.intern("hits")), "off by default");
  }

  @Test
  void builderSettersCheckAtOnce() {
    CaffeineStore.Builder b = CaffeineStore.builder();
    assertEquals(
        Keyword.intern("maximum-size"),
        assertThrows(InvalidInputException.class, () -> b.maximumSize(-1)).input());
    assertEquals(
        Keyword.intern("duration-ms"),
        assertThrows(InvalidInputException.class, () -> b.duration(Duration.ofSeconds(-1))).input());
    assertEquals(
        Keyword.intern("interval-ms"),
        assertThrows(InvalidInputException.class, () -> b.heartbeat(Duration.ZERO, c -> {})).input());
    assertEquals(
        Keyword.intern("send"),
        assertThrows(InvalidInputException.class, () -> b.heartbeat(Duration.ofSeconds(1), null))
            .input());
  }

  /** A clock moved by hand. */
  static final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long read() {
      return nanos.get();
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }
}
