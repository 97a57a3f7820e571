package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Leak checks through the garbage collector: an object that a store removed must be collectable
 * once the test lets go of it, so nothing of the store (its entries, its reverse index, its owner
 * records) still holds it.
 */
final class Gc {
  private Gc() {}

  /** Weak references to {@code objects}. */
  static List<WeakReference<Object>> refs(List<?> objects) {
    List<WeakReference<Object>> refs = new ArrayList<>();
    for (Object o : objects) refs.add(new WeakReference<>(o));
    return refs;
  }

  /** Asserts that every referent is garbage, collecting up to a few hundred times to make sure. */
  static void assertCollected(List<WeakReference<Object>> refs, String what) {
    for (int i = 0; i < 200 && alive(refs) > 0; i++) {
      System.gc();
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    assertEquals(0, alive(refs), what);
  }

  private static long alive(List<WeakReference<Object>> refs) {
    return refs.stream().filter(r -> r.get() != null).count();
  }
}
