package datastar.wow.deacon;

/**
 * What the benchmarks need of the library beyond its public API. It lives in the library's package
 * but in the bench module's sources, so the library itself exposes nothing for it.
 */
public final class BenchAccess {
  private BenchAccess() {}

  /**
   * Runs the Caffeine store's pending maintenance now, so that a filled store is settled before a
   * measurement starts.
   *
   * @param store a Caffeine store
   */
  public static void cleanUp(CaffeineStore store) {
    store.cleanUp();
  }
}
