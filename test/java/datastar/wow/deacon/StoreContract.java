package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every built-in store promises, run against each (see the subclasses). */
abstract class StoreContract {
  /** A removal as the listener saw it. */
  record Removal(Object key, Object connection, EvictionCause cause) {}

  final List<Removal> removals = new CopyOnWriteArrayList<>();
  final List<ConnectionStore> opened = new ArrayList<>();

  /** @return a store reporting removals to {@code listener}, whose callbacks have all run when {@link #settle} returns */
  abstract ConnectionStore create(EvictionListener listener);

  /** @return a store with a heartbeat */
  abstract ConnectionStore createWithHeartbeat(
      EvictionListener listener, Duration interval, ConnectionProbe probe);

  /** Waits until asynchronous removal callbacks (if the store has any) have run. */
  abstract void settle(ConnectionStore store);

  ConnectionStore store() {
    ConnectionStore s = create((k, c, cause) -> removals.add(new Removal(k, c, cause)));
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeStores() {
    opened.forEach(ConnectionStore::close);
  }

  static Object key(Object... parts) {
    return Deacon.scopedKey(parts[0], parts.length == 2 ? parts[1] : Keyword.intern("k"));
  }

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

  @Test
  void storesLooksUpAndPurges() {
    ConnectionStore s = store();
    Conn a = new Conn("a");
    assertSame(a, s.store(key("u1"), a));
    assertSame(a, s.connection(key("u1")));
    assertNull(s.connection(key("u2")));
    assertEquals(List.of(key("u1")), s.keys());
    assertTrue(s.purge(key("u1")));
    assertFalse(s.purge(key("u1")));
    assertNull(s.connection(key("u1")));
    assertEquals(0, s.count());
  }

  @Test
  void everyRemovalIsReportedOnceWithItsCause() {
    ConnectionStore s = store();
    Conn a = new Conn("a");
    Conn b = new Conn("b");
    s.store(key("u1"), a);
    s.store(key("u1"), a); // the same connection again: not a removal
    s.store(key("u1"), b); // a is replaced
    s.purge(key("u1")); // b is purged
    s.purge(key("u1")); // nothing left
    settle(s);
    assertEquals(
        List.of(
            new Removal(key("u1"), b, EvictionCause.EXPLICIT),
            new Removal(key("u1"), a, EvictionCause.REPLACED)),
        sorted(removals));
    assertEquals(1L, evictions(s).valAt(Keyword.intern("replaced")));
    assertEquals(1L, evictions(s).valAt(Keyword.intern("explicit")));
  }

  static IPersistentMap evictions(ConnectionStore s) {
    return (IPersistentMap) s.stats().valAt(Keyword.intern("evictions"));
  }

  /** Removals reported on an executor may arrive in any order; sort by cause for comparison. */
  static List<Removal> sorted(List<Removal> removals) {
    List<Removal> copy = new ArrayList<>(removals);
    copy.sort((x, y) -> x.cause().compareTo(y.cause()));
    return copy;
  }

  @Test
  void onlyTheOwnerOrNobodyPurgesAnOwnedEntry() {
    ConnectionStore s = store();
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

  @Test
  void ownersAreComparedByValue() {
    ConnectionStore s = store();
    s.store(key("u"), new Conn("a"), Map.of("session", 1));
    assertTrue(s.purgeOwned(key("u"), Map.of("session", 1)));
  }

  @Test
  void reStoringTheSameConnectionKeepsTheFirstOwner() {
    ConnectionStore s = store();
    Object opener = new Object();
    Object reuser = new Object();
    Conn a = new Conn("a");
    s.store(key("u"), a, opener);
    s.store(key("u"), a, reuser); // a later request reusing the stream
    assertFalse(s.purgeOwned(key("u"), reuser));
    assertTrue(s.purgeOwned(key("u"), opener), "the opener's close still purges it");
  }

  @Test
  void purgeOwnedByRemovesOnlyThatOwnersEntries() {
    ConnectionStore s = store();
    Object r1 = new Object();
    Object r2 = new Object();
    s.store(key("u", "a"), new Conn("1a"), r1);
    s.store(key("u", "b"), new Conn("1b"), r1);
    s.store(key("u", "c"), new Conn("2c"), r2);
    assertEquals(Set.of(key("u", "a"), key("u", "b")), new HashSet<>(s.purgeOwnedBy(r1)));
    assertEquals(List.of(key("u", "c")), s.keys());
  }

  @Test
  void aConnectionUnderSeveralKeysKeepsEachKeysOwner() {
    ConnectionStore s = store();
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

  @Test
  void purgeConnectionRemovesEveryKeyHoldingIt() {
    ConnectionStore s = store();
    Conn shared = new Conn("shared");
    Conn other = new Conn("other");
    s.store(key("u", "a"), shared);
    s.store(key("u", "b"), shared);
    s.store(key("u", "c"), other);
    assertEquals(2, s.purgeConnection(shared));
    assertEquals(List.of(key("u", "c")), s.keys());
    assertEquals(0, s.purgeConnection(shared));
    settle(s);
    assertEquals(2, removals.stream().filter(r -> r.connection() == shared).count());
  }

  @Test
  void purgeConnectionUsesIdentityNotEquality() {
    ConnectionStore s = store();
    String one = new String("stream");
    String two = new String("stream");
    s.store(key("u", "a"), one);
    s.store(key("u", "b"), two);
    assertEquals(1, s.purgeConnection(two));
    assertSame(one, s.connection(key("u", "a")));
  }

  @Test
  void theReverseIndexFollowsReplaceAndPurge() {
    ConnectionStore s = store();
    Conn a = new Conn("a");
    Conn b = new Conn("b");
    s.store(key("u"), a);
    s.store(key("u"), b);
    assertEquals(0, s.purgeConnection(a), "a no longer held anywhere");
    s.purge(key("u"));
    assertEquals(0, s.purgeConnection(b));
    s.store(key("u"), a);
    assertEquals(1, s.purgeConnection(a));
  }

  @Test
  void patternsMatchAnyElementAtAnyDepth() {
    ConnectionStore s = store();
    Keyword counter = Keyword.intern("counter");
    Object room7 = clojure.lang.Tuple.create(Keyword.intern("room"), 7L);
    s.store(Deacon.scopedKey("alice", counter), new Conn("1"));
    s.store(Deacon.scopedKey("bob", counter), new Conn("2"));
    s.store(Deacon.scopedKey("alice", room7), new Conn("3"));
    s.store("plain", new Conn("4"));
    Object everyCounter = Deacon.scopedKey(Deacon.WILDCARD, counter);
    Object everyRoom =
        Deacon.scopedKey(Deacon.WILDCARD, clojure.lang.Tuple.create(Keyword.intern("room"), Deacon.WILDCARD));
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

  @Test
  void statsShowSizeAndEvictions() {
    ConnectionStore s = store();
    s.store("a", new Conn("a"));
    s.store("b", new Conn("b"));
    s.purge("a");
    settle(s);
    assertEquals(1L, s.stats().valAt(Keyword.intern("size")));
    assertEquals(1L, evictions(s).valAt(Keyword.intern("explicit")));
    assertEquals(0L, evictions(s).valAt(Keyword.intern("dead")));
  }

  @Test
  void nilKeysAndConnectionsAreRefusedOrMisses() {
    ConnectionStore s = store();
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.store(null, "c"));
    assertEquals("key", e.input());
    e = assertThrows(InvalidInputException.class, () -> s.store("k", null));
    assertEquals("connection", e.input());
    assertNull(s.connection(null));
    assertFalse(s.purge(null));
    assertEquals(0, s.count());
  }

  @Test
  void aThrowingListenerLosesNoRemoval() {
    ConnectionStore s =
        create(
            (k, c, cause) -> {
              throw new IllegalStateException("listener broke");
            });
    opened.add(s);
    s.store("a", new Conn("a"));
    assertTrue(s.purge("a"));
    settle(s);
    assertNull(s.connection("a"));
    assertEquals(1L, evictions(s).valAt(Keyword.intern("explicit")));
  }

  @Test
  void theHeartbeatPurgesConnectionsWhoseSendFails() throws InterruptedException {
    Conn alive = new Conn("alive");
    Conn dying = new Conn("dying");
    AtomicBoolean dead = new AtomicBoolean(false);
    List<Object> probed = Collections.synchronizedList(new ArrayList<>());
    List<Removal> removed = new CopyOnWriteArrayList<>();
    ConnectionStore s =
        createWithHeartbeat(
            (k, c, cause) -> removed.add(new Removal(k, c, cause)),
            Duration.ofMillis(20),
            conn -> {
              probed.add(conn);
              if (conn == dying && dead.get()) throw new java.io.IOException("broken pipe");
            });
    opened.add(s);
    s.store("a", alive);
    s.store("b", dying);
    s.store("c", dying);
    awaitTrue(() -> probed.contains(dying), "probed");
    assertEquals(3, s.count(), "all alive so far");
    dead.set(true);
    awaitTrue(() -> s.count() == 1, "the dead connection purged");
    assertSame(alive, s.connection("a"));
    settle(s);
    awaitTrue(() -> removed.size() == 2, "both keys of the dead connection reported");
    assertTrue(removed.stream().allMatch(r -> r.cause() == EvictionCause.DEAD && r.connection() == dying));
    assertEquals(2L, evictions(s).valAt(Keyword.intern("dead")));

    s.close();
    assertFalse(((BaseStore) s).heartbeatRunning());
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
