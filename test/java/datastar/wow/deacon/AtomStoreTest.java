package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.lang.AFn;
import clojure.lang.Atom;
import clojure.lang.IFn;
import clojure.lang.IPersistentMap;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentHashMap;
import clojure.lang.RT;
import datastar.wow.deacon.StoreContractTest.Conn;
import org.junit.jupiter.api.Test;

/** What only the atom store does: write through the caller's atom. */
class AtomStoreTest {
  static AtomStore over(Atom atom) {
    return AtomStore.builder().atom(atom).build();
  }

  static IFn assoc(Object k, Object v) {
    return new AFn() {
      @Override
      public Object invoke(Object m) {
        return ((IPersistentMap) m).assoc(k, v);
      }
    };
  }

  @Test
  void theCallersAtomSeesEveryWrite() {
    Atom atom = new Atom(PersistentArrayMap.EMPTY);
    AtomStore s = over(atom);
    Conn a = new Conn("a");
    s.store("k", a);
    assertEquals(RT.map("k", a), atom.deref());
    s.purge("k");
    assertEquals(PersistentArrayMap.EMPTY, atom.deref());
  }

  @Test
  void withFanOutTheAtomShowsEachKeysConnectionsOldestFirst() {
    Atom atom = new Atom(PersistentArrayMap.EMPTY);
    AtomStore s = AtomStore.builder().atom(atom).fanOut(true).build();
    Conn a = new Conn("a");
    Conn b = new Conn("b");
    s.store("k", a);
    s.store("k", b);
    assertEquals(RT.map("k", RT.vector(a, b)), atom.deref());
    s.purgeConnection(a);
    assertEquals(RT.map("k", RT.vector(b)), atom.deref());
    s.purgeConnection(b);
    assertEquals(PersistentArrayMap.EMPTY, atom.deref());
  }

  @Test
  void entriesWrittenToTheAtomDirectlyAreSeenButNotIndexed() {
    Atom atom = new Atom(PersistentHashMap.EMPTY);
    AtomStore s = over(atom);
    Conn a = new Conn("a");
    atom.swap(assoc("direct", a));
    assertSame(a, s.connection("direct"));
    assertEquals(0, s.purgeConnection(a), "not stored through the store: not in its index");
    assertEquals(1, s.count());
    assertTrue(s.purge("direct"));
  }

  @Test
  void anAtomResetToSomethingElseIsAStateError() {
    Atom atom = new Atom(PersistentHashMap.EMPTY);
    AtomStore s = over(atom);
    atom.reset("not a map");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.store("k", "c"));
    assertTrue(e.getMessage().contains("\"not a map\""), e.getMessage());
  }

  @Test
  void theAtomsValidatorStillRules() {
    Atom atom = new Atom(PersistentHashMap.EMPTY);
    IFn smallMaps =
        new AFn() {
          @Override
          public Object invoke(Object m) {
            return ((IPersistentMap) m).count() <= 1;
          }
        };
    atom.setValidator(smallMaps);
    AtomStore s = over(atom);
    s.store("a", new Conn("a"));
    assertThrows(IllegalStateException.class, () -> s.store("b", new Conn("b")));
    assertNull(s.connection("b"));
    assertEquals(1, s.count());
  }

  @Test
  void anAtomNotHoldingAMapIsRefusedAtOnce() {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> over(new Atom("nope")));
    assertEquals("atom", e.input());
    assertTrue(e.getMessage().contains("must hold a Clojure map"), e.getMessage());
  }
}
