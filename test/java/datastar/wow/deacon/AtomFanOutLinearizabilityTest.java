package datastar.wow.deacon;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Lincheck: with fan-out, the per-key operations of {@link AtomStore} and purgeConnection are
 * linearizable against {@link FanOutStoreModel}, including the list of a key's connections.
 */
public class AtomFanOutLinearizabilityTest extends StoreLinearizability {
  private final AtomStore store = AtomStore.builder().fanOut(true).build();

  @Override
  BaseStore subject() {
    return store;
  }

  /** @return the connections of {@code key}, oldest first, as text */
  @Operation
  public String connections(@Param(gen = IntGen.class, conf = "1:3") int key) {
    return Lin.ids(store.connectionsOf(Lin.key(key)));
  }

  /** @return how many keys the connection was removed from, in one atomic step across keys */
  @Operation
  public int purgeConnection(@Param(gen = IntGen.class, conf = "1:3") int conn) {
    return store.purgeConnection(Lin.conn(conn));
  }
}
