package io.ize.testkit.store;

class MemoryVersionStoreTest extends VersionStoreContract {
  @Override
  protected String backendName() {
    return "memory";
  }
}
