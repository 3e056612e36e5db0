package io.ize.store.mapdb;

import io.ize.testkit.store.VersionStoreContract;

class MapdbVersionStoreTest extends VersionStoreContract {
  @Override
  protected String backendName() {
    return "mapdb";
  }
}
