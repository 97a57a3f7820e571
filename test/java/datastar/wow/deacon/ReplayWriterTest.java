package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.lang.Keyword;
import com.github.benmanes.caffeine.cache.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Replay for a store with a {@link ConnectionWriter}, from Java alone (no Clojure dispatch): {@code
 * send} gives each event an id, ordered per key, and hands it to the writer's three-argument
 * {@code write}; {@link Replay#resume} writes a reconnecting stream what it missed, in order, then
 * runs {@code openAndJoin}, and holds live events of the key until it has; an unknown id replays
 * nothing, answers false and still opens the stream; a stream found closed during the replay is
 * not opened; a writer that throws during the replay makes {@code resume} throw, and the key
 * carries on. Over each {@link StoreKind}.
 */
class ReplayWriterTest {
  private static final Keyword FEED = Keyword.intern("feed");
  private static final Object KEY = Deacon.scopedKey("u1", FEED);
  private static final Duration WINDOW = Duration.ofMinutes(10);

  /** One event as a tab received it: the message, and the id the writer was given (null: none). */
  record Got(Object message, @Nullable String id) {}

  /** A tab's stream: what it received; writes answer false once it is closed. */
  static final class Tab {
    final String name;
    final List<Got> got = new CopyOnWriteArrayList<>();
    volatile boolean open = true;
    volatile @Nullable Exception failure;

    Tab(String name) {
      this.name = name;
    }

    List<Object> messages() {
      List<Object> out = new ArrayList<>();
      for (Got g : got) out.add(g.message());
      return out;
    }

    @Nullable String lastId() {
      return got.isEmpty() ? null : got.get(got.size() - 1).id();
    }

    @Override
    public String toString() {
      return "tab " + name;
    }
  }

  /** Writes to {@link Tab}s, with the id when it is given one; counts the writes without an id. */
  static final class Writer implements ConnectionWriter {
    final AtomicInteger withoutId = new AtomicInteger();

    @Override
    public boolean write(Object connection, Object message) throws Exception {
      withoutId.incrementAndGet();
      return write(connection, message, null);
    }

    @Override
    public boolean write(Object connection, Object message, @Nullable String id) throws Exception {
      Tab tab = (Tab) connection;
      Exception failure = tab.failure;
      if (failure != null) throw failure;
      if (!tab.open) return false;
      tab.got.add(new Got(message, id));
      return true;
    }
  }

  record Removal(Object key, Object connection, RemovalCause cause) {}

  final List<Removal> removals = new CopyOnWriteArrayList<>();
  final Writer writer = new Writer();
  final List<ConnectionStore> opened = new ArrayList<>();

  BaseStore store(StoreKind kind, int events) {
    BaseStore s = kind.buildWithReplay((k, c, cause) -> removals.add(new Removal(k, c, cause)), writer, events, WINDOW);
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeStores() {
    opened.forEach(ConnectionStore::close);
  }

  static Replay replay(ConnectionStore s) {
    return s.policy().replay().orElseThrow();
  }

  /** Opens {@code tab} under {@code KEY} resuming after {@code lastEventId}: its opening event, then it joins. */
  static boolean resume(ConnectionStore s, Tab tab, @Nullable String lastEventId) throws Exception {
    return replay(s).resume(KEY, tab, lastEventId, () -> {
      tab.got.add(new Got("opening", null));
      s.store(KEY, tab);
    });
  }

  /** A tab of {@code KEY} that got "a", then went away (its stream closed); "b" was sent after. */
  static Tab awayAfterA(ConnectionStore s) {
    Tab first = new Tab("first");
    s.store(KEY, first);
    s.send(KEY, "a");
    first.open = false;
    s.purgeConnection(first);
    s.send(KEY, "b");
    return first;
  }

  static List<String> ids(Tab tab) {
    List<String> out = new ArrayList<>();
    for (Got g : tab.got) if (g.id() != null) out.add(g.id());
    return out;
  }

  static void assertOrdered(List<String> ids) {
    List<String> sorted = new ArrayList<>(ids);
    sorted.sort(null);
    assertEquals(sorted, ids, "ids ordered as strings, in the order they were given");
    assertEquals(ids.size(), ids.stream().distinct().count(), "each id given once");
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void sendGivesEachEventAnIdAndWritesItWithIt(StoreKind kind) {
    BaseStore s = store(kind, 50);
    Tab tab = new Tab("a");
    s.store(KEY, tab);
    assertEquals(1, s.send(KEY, "m1"));
    assertEquals(1, s.send(KEY, "m2"));
    assertEquals(1, s.send(Deacon.scopedKey(Deacon.WILDCARD, FEED), "m3"), "a pattern's send too");
    assertEquals(List.of("m1", "m2", "m3"), tab.messages());
    List<String> ids = ids(tab);
    assertEquals(3, ids.size(), "every event came with an id");
    assertOrdered(ids);
    assertEquals(0, writer.withoutId.get(), "with replay, the store always calls the three-argument write");
    assertTrue(replay(s).recoverable(KEY, ids.get(0)));
    assertFalse(replay(s).recoverable(Deacon.scopedKey("u2", FEED), ids.get(0)), "another key's id");
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void resumeWritesWhatWasMissedThenRunsOpenAndJoinThenLive(StoreKind kind) throws Exception {
    BaseStore s = store(kind, 50);
    Tab first = new Tab("first");
    s.store(KEY, first);
    s.send(KEY, "a");
    s.send(KEY, "b");
    String seen = first.lastId();
    first.open = false;
    assertEquals(1, s.purgeConnection(first), "the tab's stream closed");
    assertEquals(0, s.send(KEY, "c"), "sent while no stream is open: written nowhere");
    assertEquals(0, s.send(KEY, "d"));
    assertTrue(replay(s).recoverable(KEY, seen), "the app can tell before it answers");

    Tab back = new Tab("back");
    assertTrue(resume(s, back, seen), "true: the missed events were replayed");
    assertEquals(1, s.send(KEY, "e"));
    assertEquals(List.of("c", "d", "opening", "e"), back.messages(), "missed, in order, once; opening; live");
    assertNull(back.got.get(2).id(), "the opening event is the caller's, without an id");
    List<String> all = new ArrayList<>(ids(first));
    all.addAll(ids(back));
    assertOrdered(all);
    assertSame(back, s.connection(KEY), "openAndJoin stored it");

    Tab again = new Tab("again");
    assertTrue(resume(s, again, back.lastId()), "an id that is the key's last: nothing to replay, still true");
    assertEquals(List.of("opening"), again.messages());
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void theReplayedEventCarriesTheIdItWasFirstWrittenWith(StoreKind kind) throws Exception {
    BaseStore s = store(kind, 50);
    Tab hidden = new Tab("hidden");
    s.store(KEY, hidden);
    s.send(KEY, "a");
    Tab other = kind.fanOut ? new Tab("other") : null;
    if (other != null) s.store(KEY, other); // a second tab, connected throughout
    hidden.open = false;
    s.purgeConnection(hidden);
    s.send(KEY, "b");
    s.send(KEY, "c");
    Tab back = new Tab("back");
    assertTrue(resume(s, back, hidden.lastId()));
    if (other != null) {
      assertEquals(other.got, back.got.subList(0, 2), "the same messages with the same ids as live");
    }
    assertNotEquals(hidden.lastId(), back.got.get(0).id());
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void anIdTheKeyDoesNotHoldReplaysNothingAnswersFalseAndStillOpens(StoreKind kind) throws Exception {
    BaseStore s = store(kind, 50);
    Tab first = new Tab("first");
    s.store(KEY, first);
    s.send(KEY, "a");
    Tab elsewhere = new Tab("elsewhere");
    s.store(Deacon.scopedKey("u2", FEED), elsewhere);
    s.send(Deacon.scopedKey("u2", FEED), "x");
    BaseStore another = store(kind, 50);
    Tab foreign = new Tab("foreign");
    another.store(KEY, foreign);
    another.send(KEY, "y");
    first.open = false;
    s.purgeConnection(first);
    s.send(KEY, "b");

    List<@Nullable String> unknown = new ArrayList<>();
    unknown.add("nonsense-1");
    unknown.add("");
    unknown.add(null);
    unknown.add(elsewhere.lastId());
    unknown.add(foreign.lastId());
    for (String id : unknown) {
      assertFalse(replay(s).recoverable(KEY, id), "recoverable says no first: " + id);
      Tab back = new Tab("back");
      assertFalse(resume(s, back, id), "false: nothing replayed for " + id);
      assertEquals(List.of("opening"), back.messages(), "openAndJoin ran, alone: " + id);
      assertTrue(s.connections(KEY).stream().anyMatch(e -> e.getValue() == back), "and it joined the key");
      assertEquals(1, s.send(KEY, "live"));
      assertEquals("live", back.got.get(1).message(), "live events reach it");
      back.open = false;
      s.purgeConnection(back);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aStreamFoundClosedDuringTheReplayIsNotOpened(StoreKind kind) throws Exception {
    BaseStore s = store(kind, 50);
    Tab first = awayAfterA(s);

    Tab gone = new Tab("gone");
    gone.open = false; // its client left before the replay could write to it
    AtomicBoolean ran = new AtomicBoolean();
    assertFalse(replay(s).resume(KEY, gone, first.lastId(), () -> ran.set(true)));
    assertFalse(ran.get(), "openAndJoin did not run");
    assertEquals(0, s.count(KEY));

    Tab back = new Tab("back");
    assertTrue(resume(s, back, first.lastId()), "the history is intact for the next try");
    assertEquals(List.of("b", "opening"), back.messages());
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aWriterThatThrowsDuringTheReplayMakesResumeThrowAndTheKeyCarriesOn(StoreKind kind) throws Exception {
    BaseStore s = store(kind, 50);
    Tab first = awayAfterA(s);

    Tab broken = new Tab("broken");
    IOException boom = new IOException("the socket broke");
    broken.failure = boom;
    AtomicBoolean ran = new AtomicBoolean();
    Exception thrown =
        assertThrows(Exception.class, () -> replay(s).resume(KEY, broken, first.lastId(), () -> ran.set(true)));
    assertSame(boom, thrown, "the writer's own exception");
    assertFalse(ran.get(), "openAndJoin did not run");

    // the key's lock was let go: a send from another thread goes through
    Tab back = new Tab("back");
    s.store(KEY, back);
    assertEquals(1, CompletableFuture.supplyAsync(() -> s.send(KEY, "c")).get(30, TimeUnit.SECONDS));
    assertEquals(List.of("c"), back.messages());
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aStreamWhoseWriteAnswersFalseIsRemovedAndTheEventIsStillKept(StoreKind kind) throws Exception {
    BaseStore s = store(kind, 50);
    Tab tab = new Tab("tab");
    s.store(KEY, tab);
    s.send(KEY, "a");
    String seen = tab.lastId();
    tab.open = false; // the client left; nobody told the store
    assertEquals(0, s.send(KEY, "b"));
    assertTrue(removals.contains(new Removal(KEY, tab, RemovalCause.DEAD)), "removed as dead: " + removals);
    Tab back = new Tab("back");
    assertTrue(resume(s, back, seen));
    assertEquals(List.of("b", "opening"), back.messages(), "the event the dead stream missed is replayed");
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void liveEventsOfTheKeyWaitUntilTheResumeHasJoined(StoreKind kind) throws Exception {
    BaseStore s = store(kind, 50);
    Tab first = awayAfterA(s);

    Tab back = new Tab("back");
    CountDownLatch opening = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Boolean> resumed =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return replay(s).resume(KEY, back, first.lastId(), () -> {
                  back.got.add(new Got("opening", null));
                  opening.countDown();
                  await(release);
                  s.store(KEY, back);
                });
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertTrue(opening.await(30, TimeUnit.SECONDS));
    AtomicInteger reached = new AtomicInteger(-1);
    Thread sender = new Thread(() -> reached.set(s.send(KEY, "live")), "sender");
    sender.start();
    // the send either waits for the key (as it must) or, wrongly, finishes at once
    while (sender.getState() != Thread.State.WAITING
        && sender.getState() != Thread.State.BLOCKED
        && sender.getState() != Thread.State.TERMINATED) {
      Thread.onSpinWait();
    }
    assertNotEquals(Thread.State.TERMINATED, sender.getState(), "the live send waits while the stream resumes");
    assertEquals(List.of("b", "opening"), back.messages());
    release.countDown();
    assertTrue(resumed.get(30, TimeUnit.SECONDS));
    sender.join(30_000);
    assertEquals(1, reached.get(), "then it reaches the stream that joined");
    assertEquals(List.of("b", "opening", "live"), back.messages());
    assertNotNull(back.got.get(2).id());
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(30, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void theHistoryKeepsTheLastEventsOnly(StoreKind kind) throws Exception {
    BaseStore s = store(kind, 3);
    Tab tab = new Tab("tab");
    s.store(KEY, tab);
    for (int i = 1; i <= 5; i++) s.send(KEY, "m" + i);
    List<String> ids = ids(tab);
    assertFalse(replay(s).recoverable(KEY, ids.get(0)));
    assertFalse(replay(s).recoverable(KEY, ids.get(1)), "pushed out by the three after it");
    assertTrue(replay(s).recoverable(KEY, ids.get(2)));
    tab.open = false;
    s.purgeConnection(tab);
    Tab back = new Tab("back");
    assertTrue(resume(s, back, ids.get(2)));
    assertEquals(List.of("m4", "m5", "opening"), back.messages());
  }

  @Test
  void theWindowBoundsWhatIsKeptAndHowLongAKeyWithoutAStreamRecords() throws Exception {
    AtomicLong now = new AtomicLong();
    Ticker ticker = now::get;
    CaffeineStore s =
        CaffeineStore.builder()
            .executor(Runnable::run)
            .ticker(ticker)
            .writer(writer)
            .replay(50, Duration.ofSeconds(1))
            .build();
    opened.add(s);
    Tab tab = new Tab("tab");
    s.store(KEY, tab);
    s.send(KEY, "a");
    String seen = tab.lastId();
    tab.open = false;
    s.purgeConnection(tab);
    now.addAndGet(Duration.ofMillis(600).toNanos());
    s.send(KEY, "b"); // within the window of the key's last stream: kept
    assertTrue(replay(s).recoverable(KEY, seen));
    now.addAndGet(Duration.ofMillis(500).toNanos());
    assertFalse(replay(s).recoverable(KEY, seen), "1.1 s old: older than the window");
    s.send(KEY, "c"); // the key had no stream for 1.1 s: not recorded

    Tab back = new Tab("back");
    assertFalse(resume(s, back, seen));
    assertEquals(List.of("opening"), back.messages(), "nothing replayed: the app sends its full state");
  }
}
