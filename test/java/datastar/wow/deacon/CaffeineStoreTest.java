package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.lang.Keyword;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import datastar.wow.deacon.StoreContractTest.Conn;
import datastar.wow.deacon.StoreContractTest.Removal;
import java.time.Duration;
import java.util.ArrayList;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What only the Caffeine store does: size and time eviction, its cache and executor. */
class CaffeineStoreTest {
  final List<Removal> removed = new CopyOnWriteArrayList<>();

  CaffeineStore.Builder builder() {
    return CaffeineStore.builder()
        .executor(Runnable::run)
        .onRemoval((k, c, cause) -> removed.add(new Removal(k, c, cause)));
  }

  @Test
  void sizeEvictionsAreReportedAndLeaveTheIndexTrue() {
    CaffeineStore s = builder().maximumSize(10).build();
    try {
      Gc.assertCollected(evictOverSize(s), "the index holds no evicted connection");
    } finally {
      Reference.reachabilityFence(s);
    }
  }

  /** Over-fills {@code s}; returns its evictions, once the test let go of them. */
  private List<WeakReference<Object>> evictOverSize(CaffeineStore s) {
    for (int i = 0; i < 100; i++) s.store("k" + i, new Conn("c" + i));
    s.cleanUp();
    assertTrue(s.count() <= 10);
    assertEquals(100 - s.count(), removed.size());
    assertTrue(removed.stream().allMatch(r -> r.cause() == RemovalCause.SIZE && r.cause().wasEvicted()));
    for (Removal r : removed) assertEquals(0, s.purgeConnection(r.connection()));
    return evicted();
  }

  /** Weak references to the connections removed so far, which the test forgets. */
  private List<WeakReference<Object>> evicted() {
    List<Object> conns = new ArrayList<>();
    for (Removal r : removed) conns.add(r.connection());
    removed.clear();
    return Gc.refs(conns);
  }

  @Test
  void withFanOutTheSizeBoundCountsConnections() {
    CaffeineStore s = builder().maximumSize(10).fanOut(true).build();
    try {
      Gc.assertCollected(evictWholeKeys(s), "the index holds no evicted connection");
    } finally {
      Reference.reachabilityFence(s);
    }
  }

  private List<WeakReference<Object>> evictWholeKeys(CaffeineStore s) {
    for (int i = 0; i < 20; i++) {
      for (int tab = 0; tab < 5; tab++) s.store("user" + i, new Conn(i + "/" + tab));
    }
    s.cleanUp();
    assertTrue(s.count() <= 10, "at most 10 connections: " + s.count());
    assertTrue(s.keys().size() <= 2, "whole keys of 5 tabs leave together");
    assertEquals(100 - s.count(), removed.size());
    return evicted();
  }

  @Test
  void idleExpiryIsSlidingAndReportedAsExpired() {
    FakeTicker ticker = new FakeTicker();
    CaffeineStore s = builder().duration(Duration.ofMinutes(1)).ticker(ticker).build();
    Conn c = new Conn("c");
    s.store("k", c);
    ticker.advance(Duration.ofSeconds(50));
    assertSame(c, s.connection("k"), "a look-up restarts the idle clock");
    ticker.advance(Duration.ofSeconds(50));
    assertSame(c, s.connection("k"));
    ticker.advance(Duration.ofSeconds(61));
    assertNull(s.connection("k"));
    s.cleanUp();
    assertEquals(List.of(new Removal("k", c, RemovalCause.EXPIRED)), removed);
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
    assertNotSame(a, s.connection("k"));
    Thread.sleep(200);
    assertNull(s.connection("k"));
  }

  @Test
  void aCacheFromElsewhereCannotBeCombinedWithOtherSettings() {
    List<Function<CaffeineStore.Builder, CaffeineStore.Builder>> settings =
        List.of(
            b -> b.maximumSize(5),
            b -> b.duration(Duration.ofSeconds(1)),
            b -> b.scheduler(Scheduler.systemScheduler()),
            b -> b.executor(Runnable::run),
            b -> b.recordStats(true),
            b -> b.onRemoval((k, c, cause) -> {}));
    List<String> names =
        List.of("maximumSize", "duration", "scheduler", "executor", "recordStats", "onRemoval");
    for (int i = 0; i < settings.size(); i++) {
      CaffeineStore.Builder b = settings.get(i).apply(CaffeineStore.builder().cache(Caffeine.newBuilder().build()));
      InvalidInputException e = assertThrows(InvalidInputException.class, b::build);
      assertEquals(names.get(i), e.input());
      assertTrue(e.getMessage().contains("cannot be combined with cache(...)"), e.getMessage());
    }
    CaffeineStore s = CaffeineStore.builder().cache(Caffeine.newBuilder().build()).build();
    Conn c = new Conn("c");
    s.store("k", c);
    assertEquals(1, s.purgeConnection(c), "without an index, purgeConnection scans");
  }

  @Test
  void recordStatsCountsHitsAndMisses() {
    CaffeineStore s = CaffeineStore.builder().recordStats(true).build();
    s.store("k", new Conn("c"));
    s.connection("k");
    s.connection("absent");
    assertEquals(1L, s.stats().valAt(Keyword.intern("hits")));
    assertEquals(1L, s.stats().valAt(Keyword.intern("misses")));
    assertNull(CaffeineStore.builder().build().stats().valAt(Keyword.intern("hits")), "off by default");
  }

  @Test
  void anExecutorThatThrowsLosesNoCallbackAndFailsNoOperation() {
    CaffeineStore s =
        CaffeineStore.builder()
            .executor(
                task -> {
                  throw new RejectedExecutionException("pool shut down");
                })
            .onRemoval((k, c, cause) -> removed.add(new Removal(k, c, cause)))
            .build();
    Conn c = new Conn("c");
    try (LogCapture logs = LogCapture.start()) {
      s.store("k", c);
      assertDoesNotThrow(() -> s.purge("k"));
      assertEquals(List.of(new Removal("k", c, RemovalCause.EXPLICIT)), removed, "told on the calling thread");
      assertTrue(logs.messages().stream().anyMatch(m -> m.contains("the store's executor threw")), logs.messages().toString());
    }
  }

  @Test
  void builderSettersRefuseBadValuesInJavaVocabulary() {
    CaffeineStore.Builder b = CaffeineStore.builder();
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> b.maximumSize(0));
    assertEquals("maximumSize", e.input());
    assertEquals("datastar.wow.deacon: maximumSize(0) refused: must be at least 1", e.getMessage());
    assertEquals("maximumSize", assertThrows(InvalidInputException.class, () -> b.maximumSize(-1)).input());
    assertEquals("duration", assertThrows(InvalidInputException.class, () -> b.duration(Duration.ZERO)).input());
    assertEquals(
        "duration", assertThrows(InvalidInputException.class, () -> b.duration(Duration.ofSeconds(-1))).input());
    assertEquals(
        "duration", assertThrows(InvalidInputException.class, () -> b.duration(Duration.ofNanos(999_999))).input());
    assertEquals("heartbeat", assertThrows(InvalidInputException.class, () -> b.heartbeat(Duration.ZERO, c -> true)).input());
    assertEquals(
        "heartbeat", assertThrows(InvalidInputException.class, () -> b.heartbeat(Duration.ofSeconds(1), null)).input());
    assertEquals("scheduler", assertThrows(InvalidInputException.class, () -> b.scheduler(null)).input());
    assertEquals("onRemoval", assertThrows(InvalidInputException.class, () -> b.onRemoval(null)).input());
    assertDoesNotThrow(() -> b.duration(Duration.ofSeconds(Long.MAX_VALUE)).build().close(), "absurdly long means never");
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
