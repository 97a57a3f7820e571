package datastar.wow.deacon;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Lincheck: with fan-out, the per-key operations of {@link CaffeineStore} are linearizable against
 * {@link FanOutStoreModel}, including the list of a key's connections. purgeConnection is left out
 * for the reason {@link CaffeineStoreLinearizabilityTest} gives.
 */
public class CaffeineFanOutLinearizabilityTest extends StoreLinearizability {
  private final CaffeineStore store = CaffeineStore.builder().fanOut(true).executor(Runnable::run).build();

  @Override
  BaseStore subject() {
    return store;
  }

  /** @return the connections of {@code key}, oldest first, as text */
  @Operation
  public String connections(@Param(gen = IntGen.class, conf = "1:3") int key) {
    return Lin.ids(store.connectionsOf(Lin.key(key)));
  }
}
