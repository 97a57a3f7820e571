package datastar.wow.deacon;

import org.jetbrains.lincheck.datastructures.Operation;

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
}
