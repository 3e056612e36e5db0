package io.ize.testkit.store;

import io.ize.spi.VersionStoreProvider;

class MemoryBackendTest extends StoreBackendContract {
  @Override
  protected VersionStoreProvider provider() {
    return new MemoryProvider();
  }
}
