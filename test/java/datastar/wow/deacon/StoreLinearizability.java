package datastar.wow.deacon;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Lincheck test of a store's per-key operations against {@link StoreModel} (or {@link
 * FanOutStoreModel}): the stress test always, model checking under {@code -Plong} only (it instruments
 * the classes the store is built on, which takes minutes on two shared cores); elsewhere it is
 * skipped, saying so ({@link LongRunOnly}). A subclass gives
 * the store and may add operations.
 */
@ExtendWith(LincheckSupport.class)
public abstract class StoreLinearizability {
  static {
    // Start Clojure's runtime (thousands of classes) before Lincheck instruments class loading:
    // done inside the first scenario, on two busy cores, it can outlast Lincheck's hang detection.
    Lin.key(0);
  }

  /** @return the store under test, one per Lincheck scenario */
  abstract BaseStore subject();

  /** @return the sequential specification: {@link StoreModel}, or {@link FanOutStoreModel} */
  Class<?> model() {
    return subject().policy().fanOut() ? FanOutStoreModel.class : StoreModel.class;
  }

  /** Stores connection {@code conn} under {@code key} for {@code owner}. */
  @Operation
  public void store(
      @Param(gen = IntGen.class, conf = "1:3") int key,
      @Param(gen = IntGen.class, conf = "1:3") int conn,
      @Param(gen = IntGen.class, conf = "1:2") int owner) {
    subject().store(Lin.key(key), Lin.conn(conn), Lin.owner(owner));
  }

  /** @return the connection under {@code key}, as its number */
  @Operation
  public Integer connection(@Param(gen = IntGen.class, conf = "1:3") int key) {
    return Lin.id(subject().connection(Lin.key(key)));
  }

  /** @return whether an entry was removed */
  @Operation
  public boolean purge(@Param(gen = IntGen.class, conf = "1:3") int key) {
    return subject().purge(Lin.key(key));
  }

  /** @return whether the owner's entry was removed */
  @Operation
  public boolean purgeOwned(
      @Param(gen = IntGen.class, conf = "1:3") int key,
      @Param(gen = IntGen.class, conf = "1:2") int owner) {
    return subject().purgeOwned(Lin.key(key), Lin.owner(owner));
  }


  @Test
  void stress() {
    new StressOptions()
        .iterations(Load.pick(3, 20))
        .invocationsPerIteration(Load.pick(500, 2_000))
        .threads(3)
        .actorsPerThread(Load.pick(3, 4))
        .sequentialSpecification(model())
        .check(this.getClass());
  }

  @Test
  @ExtendWith(LongRunOnly.class)
  void modelChecking() {
    new ModelCheckingOptions()
        .iterations(10)
        .invocationsPerIteration(500)
        .threads(3)
        .actorsPerThread(3)
        .sequentialSpecification(model())
        .check(this.getClass());
  }
}
