package datastar.wow.deacon;

/**
 * Lincheck: the per-key operations of {@link CaffeineStore} (store, look-up, purge, purgeOwned)
 * are linearizable against {@link StoreModel}. purgeConnection is left out: on this store it
 * removes the connection from one key after the other, each removal atomic, not all in one step
 * (model checking shows a concurrent purge of one of those keys taking it first); the stress test
 * checks it. Listing and counting are left out:
 * they walk the cache and are documented as weakly consistent snapshots, not atomic ones.
 */
public class CaffeineStoreLinearizabilityTest extends StoreLinearizability {
  private final CaffeineStore store = CaffeineStore.builder().executor(Runnable::run).build();

  @Override
  BaseStore subject() {
    return store;
  }
}
