package datastar.wow.deacon;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Lincheck: every operation of {@link AtomStore}, listing and counting included, is linearizable
 * against {@link StoreModel}. Each write is one compare-and-set of the whole map, so even {@code
 * purgeConnection} across several keys is atomic.
 */
public class AtomStoreLinearizabilityTest extends StoreLinearizability {
  private final AtomStore store = AtomStore.builder().build();

  @Override
  BaseStore subject() {
    return store;
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

  /** @return how many keys the connection was removed from, in one atomic step across keys */
  @Operation
  public int purgeConnection(@Param(gen = IntGen.class, conf = "1:3") int conn) {
    return store.purgeConnection(Lin.conn(conn));
  }
}
