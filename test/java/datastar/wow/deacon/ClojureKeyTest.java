package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import clojure.lang.RT;
import clojure.lang.Util;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Caffeine store's key wrapper hashes as Clojure does ({@code hasheq}), whichever path it
 * takes, so that keys Clojure holds equal (a vector and a list, an Integer and a Long) meet in the
 * cache; and it compares with Clojure's equality.
 */
class ClojureKeyTest {
  static List<Object> keys() {
    return List.of(
        RT.vector("user-1", RT.keyword("app", "feed")),
        RT.vector(42L, RT.keyword(null, "k")),
        RT.vector(42, RT.keyword(null, "k")),
        RT.vector(RT.keyword("app", "id"), RT.vector(RT.keyword(null, "room"), 7L)),
        RT.vector(RT.keyword("app", "id"), RT.list(RT.keyword(null, "room"), 7)),
        RT.vector("u", null, 1.5, 'c', RT.map(RT.keyword(null, "a"), 1L), RT.set("s")),
        RT.vector(RT.vector(RT.vector("deep"))),
        RT.vector(),
        RT.list("user-1", RT.keyword("app", "feed")),
        RT.map(RT.keyword(null, "user"), "u1"),
        42L);
  }

  @ParameterizedTest
  @MethodSource("keys")
  void hashesAsClojureDoes(Object key) {
    assertEquals(Util.hasheq(key), ClojureKey.of(key).hashCode(), String.valueOf(key));
  }

  @ParameterizedTest
  @MethodSource("keys")
  void equalsWhatClojureHoldsEqual(Object key) {
    for (Object other : keys()) {
      Object a = ClojureKey.of(key);
      Object b = ClojureKey.of(other);
      if (Util.equiv(key, other)) {
        assertEquals(a, b, key + " and " + other);
        assertEquals(a.hashCode(), b.hashCode(), key + " and " + other);
      } else {
        assertNotEquals(a, b, key + " and " + other);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("keys")
  void unwrapsToTheKeyItWasGiven(Object key) {
    assertSame(key, ClojureKey.unwrap(ClojureKey.of(key)));
  }
}
