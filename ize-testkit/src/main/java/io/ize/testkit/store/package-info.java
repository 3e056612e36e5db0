/**
 * Store backends for tests and the contract every backend passes.
 *
 * <p>{@link io.ize.testkit.store.MemoryProvider} is the {@code memory} backend, the SPI's reference
 * implementation. {@link io.ize.testkit.store.StoreBackendContract} is an abstract JUnit 5 test of
 * the {@link io.ize.spi.StoreBackend} contract that each backend's test extends; {@link
 * io.ize.testkit.store.VersionStoreContract} is the compatibility kit: every query, snapshot,
 * rename and identity rule of {@link io.ize.api.VersionStore} over a backend, in one class a
 * backend extends in a few lines.
 *
 * <p>Threading, nullness and exceptions follow {@link io.ize.spi}: backends allow concurrent
 * readers beside one writer; parameters and results are non-null unless documented; misuse is an
 * {@link IllegalStateException} or {@link IllegalArgumentException} naming the offending value. The
 * contract class itself is not thread-safe: JUnit runs each test method on one thread.
 */
package io.ize.testkit.store;
