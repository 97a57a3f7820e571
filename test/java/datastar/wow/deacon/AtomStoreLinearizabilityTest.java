package datastar.wow.deacon;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck: every operation of {@link AtomStore}, listing and counting included, is linearizable
 * against {@link StoreModel}. Each write is one compare-and-set of the whole map, so even {@code
 * purgeConnection} across several keys is atomic.
 */
public class AtomStoreLinearizabilityTest {
  private final AtomStore store = AtomStore.create();

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

  /** @return the number of entries */
  @Operation
  public int count() {
    return store.count();
  }

  /** @return the keys, sorted, as text */
  @Operation
  public String keys() {
    return Lin.keys(store.keys());
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
   * Model checking instruments the Clojure runtime the store is built on, which takes minutes on
   * two shared cores, so it runs under {@code -Plong} only; the stress test runs always.
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
