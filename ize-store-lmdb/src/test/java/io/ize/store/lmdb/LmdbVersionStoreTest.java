package io.ize.store.lmdb;

import io.ize.testkit.store.VersionStoreContract;

class LmdbVersionStoreTest extends VersionStoreContract {
  @Override
  protected String backendName() {
    return "lmdb";
  }
}
