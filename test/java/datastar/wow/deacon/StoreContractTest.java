package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.lang.BigInt;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.Tuple;
import clojure.lang.Util;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What every built-in store promises, run over each {@link StoreKind}. */
class StoreContractTest {
  /** A removal as the listener saw it. */
  record Removal(Object key, Object connection, RemovalCause cause) {}

  final List<Removal> removals = new CopyOnWriteArrayList<>();
  final List<ConnectionStore> opened = new ArrayList<>();

  BaseStore store(StoreKind kind) {
    return opened(kind.build((k, c, cause) -> removals.add(new Removal(k, c, cause))));
  }

  <S extends ConnectionStore> S opened(S store) {
    opened.add(store);
    return store;
  }

  @AfterEach
  void closeStores() {
    opened.forEach(ConnectionStore::close);
  }

  static Object key(Object id) {
    return key(id, "k");
  }

  static Object key(Object id, Object k) {
    return Deacon.scopedKey(id, k instanceof String name ? Keyword.intern(name) : k);
  }

  /** A connection: compared by identity, printed by name. */
  static final class Conn {
    final String name;

    Conn(String name) {
      this.name = name;
    }

    @Override
    public String toString() {
      return "conn " + name;
    }
  }

  static IPersistentMap removalCounts(ConnectionStore s) {
    return (IPersistentMap) s.stats().valAt(Keyword.intern("removals"));
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void storesLooksUpAndPurges(StoreKind kind) {
    BaseStore s = store(kind);
    Conn a = new Conn("a");
    assertSame(a, s.store(key("u1"), a));
    assertSame(a, s.connection(key("u1")));
    assertNull(s.connection(key("u2")));
    assertEquals(List.of(key("u1")), s.keys());
    assertTrue(s.purge(key("u1")));
    assertFalse(s.purge(key("u1")));
    assertNull(s.connection(key("u1")));
    assertEquals(0, s.count());
    assertEquals(List.of(new Removal(key("u1"), a, RemovalCause.EXPLICIT)), removals);
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void keysAreComparedAsClojureComparesThem(StoreKind kind) {
    BaseStore s = store(kind);
    try {
      Gc.assertCollected(storeUnderEqualKeys(s), "nothing of the store (its reverse index included) holds the connection");
    } finally {
      Reference.reachabilityFence(s);
    }
  }

  /** Stores and purges one connection under keys Clojure finds equal; returns it, forgotten. */
  private List<WeakReference<Object>> storeUnderEqualKeys(BaseStore s) {
    Conn a = new Conn("a");
    Object intKey = Tuple.create(Integer.valueOf(42), Keyword.intern("counter"));
    Object longKey = Tuple.create(Long.valueOf(42), Keyword.intern("counter"));
    Object bigKey = Tuple.create(BigInt.fromLong(42), Keyword.intern("counter"));
    assertTrue(Util.equiv(intKey, longKey), "Clojure's = says these are one key");
    s.store(intKey, a, "opener");
    assertSame(a, s.connection(longKey));
    assertSame(a, s.connection(bigKey));
    assertEquals(1, s.keys(longKey).size());
    assertEquals(1, s.count(longKey));
    assertEquals(1, s.connections(longKey).size());
    assertEquals(1, s.keys(Tuple.create(Deacon.WILDCARD, Keyword.intern("counter"))).size());
    assertTrue(s.purgeOwned(longKey, "opener"), "a close with the Long id purges the Integer key");
    assertNull(s.connection(intKey));
    s.store(longKey, a);
    assertEquals(1, s.purgeConnection(a));
    s.store(intKey, a);
    assertTrue(s.purge(bigKey));
    assertEquals(0, s.count());
    removals.clear();
    if (s instanceof CaffeineStore cs) cs.cleanUp();
    return Gc.refs(List.of(a));
  }


  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void storingTheSameConnectionAgainChangesNothing(StoreKind kind) {
    BaseStore s = store(kind);
    Conn a = new Conn("a");
    s.store(key("u"), a, "first");
    s.store(key("u"), a, "second");
    s.store(key("u"), a);
    assertEquals(1, s.count());
    assertTrue(removals.isEmpty());
    assertFalse(s.purgeOwned(key("u"), "second"), "the first owner stays the owner");
    assertTrue(s.purgeOwned(key("u"), "first"));
  }

  @ParameterizedTest
  @EnumSource(value = StoreKind.class, names = {"ATOM", "CAFFEINE"})
  void aNewConnectionReplacesTheOldOneWithoutFanOut(StoreKind kind) {
    BaseStore s = store(kind);
    Conn a = new Conn("a");
    Conn b = new Conn("b");
    s.store(key("u"), a);
    s.store(key("u"), b);
    assertSame(b, s.connection(key("u")));
    assertEquals(1, s.count());
    s.purge(key("u"));
    assertEquals(
        List.of(
            new Removal(key("u"), a, RemovalCause.REPLACED),
            new Removal(key("u"), b, RemovalCause.EXPLICIT)),
        removals);
    assertEquals(1L, removalCounts(s).valAt(Keyword.intern("replaced")));
    assertEquals(1L, removalCounts(s).valAt(Keyword.intern("explicit")));
  }

  @ParameterizedTest
  @EnumSource(value = StoreKind.class, names = {"ATOM_FAN_OUT", "CAFFEINE_FAN_OUT"})
  void withFanOutAKeyKeepsEveryConnection(StoreKind kind) {
    BaseStore s = store(kind);
    Conn tab1 = new Conn("tab1");
    Conn tab2 = new Conn("tab2");
    Conn tab3 = new Conn("tab3");
    s.store(key("u"), tab1, "r1");
    s.store(key("u"), tab2, "r2");
    s.store(key("u"), tab3, "r3");
    s.store(key("v"), tab1);
    assertSame(tab3, s.connection(key("u")), "the most recently stored");
    assertEquals(List.of(tab1, tab2, tab3), conns(s.connections(key("u"))));
    assertEquals(List.of(key("u"), key("v")), sorted(s.keys()), "each key once");
    assertEquals(4, s.count(), "connections, not keys");
    assertEquals(3, s.count(key("u")));
    assertEquals(4, s.connections().size());
    assertTrue(removals.isEmpty(), "nothing replaced");

    assertTrue(s.purgeOwned(key("u"), "r2"), "a close removes only that request's stream");
    assertEquals(List.of(tab1, tab3), conns(s.connections(key("u"))));
    assertEquals(2, s.purgeConnection(tab1), "from u and from v");
    assertEquals(List.of(tab3), conns(s.connections(key("u"))));
    assertNull(s.connection(key("v")));
    s.store(key("u"), tab2);
    assertTrue(s.purge(key("u")), "purge removes every stream of the key");
    assertEquals(0, s.count());
    assertEquals(5, removals.size(), "each stream reported once");
    assertTrue(removals.stream().allMatch(r -> r.cause() == RemovalCause.EXPLICIT));
  }

  @ParameterizedTest
  @EnumSource(value = StoreKind.class, names = {"ATOM_FAN_OUT", "CAFFEINE_FAN_OUT"})
  void withFanOutACloseLeavesStreamsStoredByNobodyInParticular(StoreKind kind) {
    BaseStore s = store(kind);
    Conn mine = new Conn("mine");
    Conn stored = new Conn("stored directly");
    s.store(key("u"), stored);
    s.store(key("u"), mine, "r1");
    assertFalse(s.purgeOwned(key("u"), "r2"));
    assertTrue(s.purgeOwned(key("u"), "r1"));
    assertEquals(List.of(stored), conns(s.connections(key("u"))));
  }

  @ParameterizedTest
  @EnumSource(value = StoreKind.class, names = {"ATOM", "CAFFEINE"})
  void onlyTheOwnerOrNobodyPurgesAnOwnedEntry(StoreKind kind) {
    BaseStore s = store(kind);
    Object requestA = new Object();
    Object requestB = new Object();
    Conn a = new Conn("a");
    Conn b = new Conn("b");
    s.store(key("u"), a, requestA);
    s.store(key("u"), b, requestB); // a replaced by b, e.g. a second tab
    assertFalse(s.purgeOwned(key("u"), requestA), "the old stream's close leaves the new one");
    assertSame(b, s.connection(key("u")));
    assertTrue(s.purgeOwned(key("u"), requestB));
    assertNull(s.connection(key("u")));

    s.store(key("v"), a); // stored without an owner: anyone's close purges it
    assertTrue(s.purgeOwned(key("v"), requestA));
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void ownersAreComparedByValue(StoreKind kind) {
    BaseStore s = store(kind);
    s.store(key("u"), new Conn("a"), Map.of("session", 1));
    assertTrue(s.purgeOwned(key("u"), Map.of("session", 1)));
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void purgeOwnedByRemovesOnlyThatOwnersEntries(StoreKind kind) {
    BaseStore s = store(kind);
    Object r1 = new Object();
    Object r2 = new Object();
    s.store(key("u", "a"), new Conn("1a"), r1);
    s.store(key("u", "b"), new Conn("1b"), r1);
    s.store(key("u", "c"), new Conn("2c"), r2);
    assertEquals(Set.of(key("u", "a"), key("u", "b")), new HashSet<>(s.purgeOwnedBy(r1)));
    assertEquals(List.of(key("u", "c")), s.keys());
  }

  @ParameterizedTest
  @EnumSource(value = StoreKind.class, names = {"ATOM", "CAFFEINE"})
  void aConnectionUnderSeveralKeysKeepsEachKeysOwner(StoreKind kind) {
    BaseStore s = store(kind);
    Object r1 = new Object();
    Object r2 = new Object();
    Conn shared = new Conn("shared");
    s.store(key("u", "a"), shared, r1);
    s.store(key("u", "b"), shared, r2);
    s.store(key("u", "c"), shared);
    assertFalse(s.purgeOwned(key("u", "a"), r2));
    assertEquals(List.of(key("u", "b")), s.purgeOwnedBy(r2));
    assertTrue(s.purgeOwned(key("u", "a"), r1));
    assertTrue(s.purgeOwned(key("u", "c"), r2), "no owner: anyone's close purges it");
    assertEquals(0, s.purgeConnection(shared));
    assertEquals(0, s.count());
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void purgeConnectionRemovesItFromEveryKeyHoldingIt(StoreKind kind) {
    BaseStore s = store(kind);
    Conn shared = new Conn("shared");
    Conn other = new Conn("other");
    s.store(key("u", "a"), shared);
    s.store(key("u", "b"), shared);
    s.store(key("u", "c"), other);
    assertEquals(2, s.purgeConnection(shared));
    assertEquals(List.of(key("u", "c")), s.keys());
    assertEquals(0, s.purgeConnection(shared));
    assertEquals(2, removals.stream().filter(r -> r.connection() == shared).count());
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void purgeConnectionUsesIdentityNotEquality(StoreKind kind) {
    BaseStore s = store(kind);
    String one = new String("stream");
    String two = new String("stream");
    s.store(key("u", "a"), one);
    s.store(key("u", "b"), two);
    assertEquals(1, s.purgeConnection(two));
    assertSame(one, s.connection(key("u", "a")));
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void theReverseIndexFollowsReplaceAndPurge(StoreKind kind) {
    BaseStore s = store(kind);
    Conn a = new Conn("a");
    Conn b = new Conn("b");
    s.store(key("u"), a);
    s.store(key("u"), b);
    assertEquals(kind.fanOut ? 1 : 0, s.purgeConnection(a), "replaced unless fanned out");
    s.purge(key("u"));
    assertEquals(0, s.purgeConnection(b));
    s.store(key("u"), a);
    assertEquals(1, s.purgeConnection(a));
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void patternsMatchAnyElementAtAnyDepth(StoreKind kind) {
    BaseStore s = store(kind);
    Keyword counter = Keyword.intern("counter");
    Object room7 = Tuple.create(Keyword.intern("room"), 7L);
    s.store(Deacon.scopedKey("alice", counter), new Conn("1"));
    s.store(Deacon.scopedKey("bob", counter), new Conn("2"));
    s.store(Deacon.scopedKey("alice", room7), new Conn("3"));
    s.store("plain", new Conn("4"));
    Object everyCounter = Deacon.scopedKey(Deacon.WILDCARD, counter);
    Object everyRoom =
        Deacon.scopedKey(Deacon.WILDCARD, Tuple.create(Keyword.intern("room"), Deacon.WILDCARD));
    assertEquals(
        Set.of(Deacon.scopedKey("alice", counter), Deacon.scopedKey("bob", counter)),
        new HashSet<>(s.keys(everyCounter)));
    assertEquals(
        Set.of(Deacon.scopedKey("alice", counter), Deacon.scopedKey("alice", room7)),
        new HashSet<>(s.keys(Deacon.scopedKey("alice", Deacon.WILDCARD))));
    assertEquals(List.of(Deacon.scopedKey("alice", room7)), s.keys(everyRoom));
    assertEquals(4, s.count(Deacon.WILDCARD));
    assertEquals(2, s.count(everyCounter));
    assertEquals(1, s.count("plain"), "an exact key is a look-up");
    assertEquals(0, s.count("absent"));
    assertEquals(List.of("plain"), s.keys("plain"));
    assertEquals(2, s.connections(everyCounter).size());
    for (Map.Entry<Object, Object> pair : s.connections()) {
      assertSame(pair.getValue(), s.connection(pair.getKey()));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void statsShowSizeAndRemovals(StoreKind kind) {
    BaseStore s = store(kind);
    s.store("a", new Conn("a"));
    s.store("b", new Conn("b"));
    s.purge("a");
    assertEquals(1L, s.stats().valAt(Keyword.intern("size")));
    assertEquals(1L, removalCounts(s).valAt(Keyword.intern("explicit")));
    assertEquals(0L, removalCounts(s).valAt(Keyword.intern("dead")));
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void nilKeysAndConnectionsAreRefusedOrMisses(StoreKind kind) {
    BaseStore s = store(kind);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.store(null, "c"));
    assertEquals("key", e.input());
    e = assertThrows(InvalidInputException.class, () -> s.store("k", null));
    assertEquals("connection", e.input());
    assertNull(s.connection(null));
    assertFalse(s.purge(null));
    assertEquals(0, s.count());
  }

  /** Throws a checked exception without declaring it, as a Clojure function can. */
  @SuppressWarnings("unchecked")
  static <E extends Throwable> void sneakyThrow(Throwable e) throws E {
    throw (E) e;
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aThrowingListenerNeverFailsTheOperationThatRemoved(StoreKind kind) {
    List<Throwable> thrown =
        List.of(
            new IllegalStateException("listener broke"),
            new IOException("closing the stream failed"),
            new AssertionError("an Error that is not a VirtualMachineError"));
    for (Throwable t : thrown) {
      try (LogCapture logs = LogCapture.start()) {
        BaseStore s = opened(kind.build((k, c, cause) -> sneakyThrow(t)));
        Conn a = new Conn("a");
        Conn b = new Conn("b");
        assertDoesNotThrow(() -> s.store("k", a));
        assertDoesNotThrow(() -> s.store("k", b), "replacing reports a removal");
        assertDoesNotThrow(() -> s.purge("k"));
        s.store("k", a);
        assertDoesNotThrow(() -> s.purgeConnection(a));
        s.store("k", b, "owner");
        assertDoesNotThrow(() -> s.purgeOwned("k", "owner"));
        assertEquals(0, s.count(), t.toString());
        long explicit = (Long) removalCounts(s).valAt(Keyword.intern("explicit"));
        assertEquals(kind.fanOut ? 4L : 3L, explicit, t.toString());
        assertEquals(4, logs.records().size(), "each failure logged once: " + t);
        for (LogCapture.Entry e : logs.records()) {
          assertSame(t, e.thrown());
          assertTrue(e.message().contains("the removal listener threw for key"), e.message());
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void aClosedStoreRefusesNewConnectionsButStillReadsAndPurges(StoreKind kind) {
    BaseStore s = store(kind);
    Conn a = new Conn("a");
    s.store("k", a);
    s.close();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> s.store("other", new Conn("b")));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertSame(a, s.store("k", a), "storing what is already there is a read, allowed");
    assertSame(a, s.connection("k"));
    assertEquals(List.of("k"), s.keys());
    assertTrue(s.purge("k"), "streams closing after the store can still leave");
    s.close(); // idempotent
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void theHeartbeatRemovesConnectionsWhoseProbeAnswersFalseOrThrows(StoreKind kind)
      throws InterruptedException {
    Conn alive = new Conn("alive");
    Conn closed = new Conn("closed: the probe answers false");
    Conn broken = new Conn("broken: the probe throws");
    AtomicBoolean dead = new AtomicBoolean(false);
    List<Object> probed = Collections.synchronizedList(new ArrayList<>());
    AtomicReference<Thread> sweeper = new AtomicReference<>();
    BaseStore s =
        opened(
            kind.build(
                (k, c, cause) -> removals.add(new Removal(k, c, cause)),
                Duration.ofMillis(20),
                conn -> {
                  probed.add(conn);
                  sweeper.set(Thread.currentThread());
                  if (!dead.get() || conn == alive) return true;
                  if (conn == broken) throw new IOException("broken pipe");
                  return false;
                }));
    s.store("a", alive);
    s.store("b", closed);
    s.store("c", closed);
    s.store("d", broken);
    awaitTrue(() -> probed.contains(broken), "probed");
    assertEquals(4, s.count(), "all alive so far");
    dead.set(true);
    awaitTrue(() -> s.count() == 1, "the dead connections removed");
    assertSame(alive, s.connection("a"));
    awaitTrue(() -> removals.size() == 3, "each key of each dead connection reported");
    assertTrue(removals.stream().allMatch(r -> r.cause() == RemovalCause.DEAD && r.connection() != alive));
    assertEquals(3L, removalCounts(s).valAt(Keyword.intern("dead")));
    s.close();
    sweeper.get().join(2000);
    assertFalse(sweeper.get().isAlive(), "the heartbeat's thread ended with the store");
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void sendWritesToEveryMatchingConnectionOnceAndRemovesTheClosedOnes(StoreKind kind) {
    try (LogCapture logs = LogCapture.start()) {
      sendToEveryMatchingConnection(kind);
      assertEquals(1, logs.records().size(), "the throwing write, logged once");
      assertTrue(logs.records().stream().allMatch(e -> e.thrown().getMessage().equals("writer bug")));
    }
  }

  private void sendToEveryMatchingConnection(StoreKind kind) {
    List<String> written = new CopyOnWriteArrayList<>();
    Conn closed = new Conn("closed");
    Conn broken = new Conn("broken");
    BaseStore s =
        opened(
            kind.build(
                (k, c, cause) -> removals.add(new Removal(k, c, cause)),
                (conn, message) -> {
                  if (conn == closed) return false;
                  if (conn == broken) throw new IllegalStateException("writer bug");
                  written.add(conn + " <- " + message);
                  return true;
                }));
    Conn alice1 = new Conn("alice-1");
    Conn alice2 = new Conn("alice-2");
    Conn bob = new Conn("bob");
    s.store(key("alice", "feed"), alice1);
    s.store(key("alice", "feed"), alice2);
    s.store(key("alice", "room"), alice2); // the same stream under two matching keys
    s.store(key("bob", "feed"), bob);
    s.store(key("bob", "room"), closed);
    s.store(key("carol", "feed"), broken);

    int toAlice = s.send(key("alice", "feed"), "m1");
    assertEquals(kind.fanOut ? 2 : 1, toAlice, "an exact key: each of its connections");
    written.clear();
    int toAll = s.send(Deacon.scopedKey(Deacon.WILDCARD, Deacon.WILDCARD), "m2");
    List<String> expected = new ArrayList<>(List.of("conn alice-2 <- m2", "conn bob <- m2"));
    if (kind.fanOut) expected.add("conn alice-1 <- m2");
    assertEquals(new HashSet<>(expected), new HashSet<>(written), "each connection once");
    assertEquals(expected.size(), written.size());
    assertEquals(expected.size(), toAll);
    assertNull(s.connection(key("bob", "room")), "the closed one was removed");
    assertEquals(List.of(new Removal(key("bob", "room"), closed, RemovalCause.DEAD)),
        removals.stream().filter(r -> r.cause() == RemovalCause.DEAD).toList());
    assertSame(broken, s.connection(key("carol", "feed")), "a throwing write keeps the connection");
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void sendWorksFromTheStartAndSaysInJavaWordsWhenItCannotRender(StoreKind kind) {
    BaseStore s = store(kind);
    assertEquals(0, s.send("k", "m"), "no stream here, no writer, no registry yet: nothing to do");
    Conn c = new Conn("c");
    s.store("k", c);
    CannotRenderException e = assertThrows(CannotRenderException.class, () -> s.send("k", "m"));
    assertTrue(e.getMessage().contains("writer(...)"), e.getMessage());
    assertTrue(e.getMessage().contains("Deacon.registry(store)"), e.getMessage());
    assertSame(c, s.connection("k"), "nothing was sent, nothing removed");
    assertTrue(removals.isEmpty());
  }

  static List<Object> conns(List<Map.Entry<Object, Object>> pairs) {
    List<Object> conns = new ArrayList<>();
    for (Map.Entry<Object, Object> pair : pairs) conns.add(pair.getValue());
    return conns;
  }

  static List<Object> sorted(List<Object> keys) {
    List<Object> copy = new ArrayList<>(keys);
    copy.sort((x, y) -> String.valueOf(x).compareTo(String.valueOf(y)));
    return copy;
  }

  static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what);
      Thread.sleep(5);
    }
  }
}
