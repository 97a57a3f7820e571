package datastar.wow.deacon;

/**
 * Lincheck: the per-key operations of {@link CaffeineStore} (store, look-up, purge, purgeOwned) and
 * purgeConnection are linearizable against {@link StoreModel}. Listing and counting are left out:
 * they walk the cache and are documented as weakly consistent snapshots, not atomic ones.
 */
public class CaffeineStoreLinearizabilityTest extends StoreLinearizability {
  private final CaffeineStore store = CaffeineStore.builder().executor(Runnable::run).build();

  @Override
  BaseStore subject() {
    return store;
  }
}
