package datastar.wow.deacon;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck: the per-key operations of {@link CaffeineStore} (store, look-up, purge, purgeOwned) and
 * purgeConnection are linearizable against {@link StoreModel}. Listing and counting are left out:
 * they walk the cache and are documented as weakly consistent snapshots, not atomic ones.
 */
public class CaffeineStoreLinearizabilityTest {
  private final CaffeineStore store = CaffeineStore.builder().executor(Runnable::run).build();

  /** Stores connection {@code conn} under {@code key} for {@code owner}. */
  @Operation
  public void store(
      @Param(gen = IntGen.class, conf = "1:3") int key,
      @Param(gen = IntGen.class, conf = "1:3") int conn,
      @Param(gen = IntGen.class, conf = "1:2") int owner) {
    store.store(Lin.key(key), Lin.conn(conn), Lin.owner(owner));
  }

  /** @return the connection under {@code key}, as its number */
  @Operation
  public Integer connection(@Param(gen = IntGen.class, conf = "1:3") int key) {
    return Lin.id(store.connection(Lin.key(key)));
  }

  /** @return whether an entry was removed */
  @Operation
  public boolean purge(@Param(gen = IntGen.class, conf = "1:3") int key) {
    return store.purge(Lin.key(key));
  }

  /** @return whether the owner's entry was removed */
  @Operation
  public boolean purgeOwned(
      @Param(gen = IntGen.class, conf = "1:3") int key,
      @Param(gen = IntGen.class, conf = "1:2") int owner) {
    return store.purgeOwned(Lin.key(key), Lin.owner(owner));
  }

  /** @return how many keys were removed */
  @Operation
  public int purgeConnection(@Param(gen = IntGen.class, conf = "1:3") int conn) {
    return store.purgeConnection(Lin.conn(conn));
  }

  @Test
  void stress() {
    new StressOptions()
        .iterations(Load.pick(3, 20))
        .invocationsPerIteration(Load.pick(500, 2_000))
        .threads(3)
        .actorsPerThread(Load.pick(3, 4))
        .sequentialSpecification(StoreModel.class)
        .check(this.getClass());
  }

  /**
   * Model checking instruments Caffeine's classes, which costs about a minute on two cores even for
   * a small configuration, so it runs under {@code -Plong} only; the stress test runs always.
   */
  @Test
  void modelChecking() {
    Assumptions.assumeTrue(Load.LONG, "runs under -Plong");
    new ModelCheckingOptions()
        .iterations(10)
        .invocationsPerIteration(500)
        .threads(3)
        .actorsPerThread(3)
        .sequentialSpecification(StoreModel.class)
        .check(this.getClass());
  }
}
