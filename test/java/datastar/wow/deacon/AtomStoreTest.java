package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import clojure.lang.Atom;
import clojure.lang.IFn;
import clojure.lang.IPersistentMap;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentHashMap;
import clojure.lang.RT;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AtomStoreTest extends StoreContract {
  @Override
  ConnectionStore create(EvictionListener listener) {
    return AtomStore.builder().onEvict(listener).build();
  }

  @Override
  ConnectionStore createWithHeartbeat(
      EvictionListener listener, Duration interval, ConnectionProbe probe) {
    return AtomStore.builder().onEvict(listener).heartbeat(interval, probe).build();
  }

  @Override
  void settle(ConnectionStore store) {
    // the atom store reports on the removing thread, before the removal call returns
  }

  @Test
  void theCallersAtomSeesEveryWrite() {
    Atom atom = new Atom(PersistentArrayMap.EMPTY);
    AtomStore s = Deacon.atomStore(atom);
    Conn a = new Conn("a");
    s.store("k", a);
    assertSame(a, ((IPersistentMap) atom.deref()).valAt("k"));
    assertEquals(RT.map("k", a), atom.deref());
    s.purge("k");
    assertEquals(PersistentArrayMap.EMPTY, atom.deref());
  }

  @Test
  void entriesWrittenToTheAtomDirectlyAreSeenButNotIndexed() {
    Atom atom = new Atom(PersistentHashMap.EMPTY);
    AtomStore s = Deacon.atomStore(atom);
    Conn a = new Conn("a");
    atom.swap(
        new clojure.lang.AFn() {
          @Override
          public Object invoke(Object m) {
            return ((IPersistentMap) m).assoc("direct", a);
          }
        });
    assertSame(a, s.connection("direct"));
    assertEquals(0, s.purgeConnection(a), "not stored through the store: not in its index");
    assertEquals(1, s.count());
  }

  @Test
  void resettingTheAtomToSomethingElseIsReportedClearly() {
    Atom atom = new Atom(PersistentHashMap.EMPTY);
    AtomStore s = Deacon.atomStore(atom);
    atom.reset("not a map");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.connection("k"));
    assertEquals("not a map", e.value());
  }

  @Test
  void theAtomsValidatorStillRules() {
    Atom atom = new Atom(PersistentHashMap.EMPTY);
    IFn smallMaps =
        new clojure.lang.AFn() {
          @Override
          public Object invoke(Object m) {
            return ((IPersistentMap) m).count() <= 1;
          }
        };
    atom.setValidator(smallMaps);
    AtomStore s = Deacon.atomStore(atom);
    s.store("a", new Conn("a"));
    assertThrows(IllegalStateException.class, () -> s.store("b", new Conn("b")));
    assertNull(s.connection("b"));
    assertEquals(1, s.count());
  }

  @Test
  void anAtomNotHoldingAMapIsRefusedAtOnce() {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> Deacon.atomStore(new Atom("nope")));
    assertEquals("atom", ((clojure.lang.Keyword) e.input()).getName());
  }
}
