/**
 * The storage SPI: what a version-store backend implements.
 *
 * <p>A backend is ordered, transactional key-value storage with named tables; everything about
 * versions (records, file identity, trees, snapshots, queries, restore planning) is built once on
 * top of it by {@link io.ize.api.VersionStore}. A backend registers a {@link
 * io.ize.spi.VersionStoreProvider} in {@code META-INF/services/io.ize.spi.VersionStoreProvider} and
 * is then found by its name.
 *
 * <p>Threading: a backend must allow any number of concurrent read transactions, each on its own
 * thread, while one write transaction is open; write transactions are serialised by the caller (the
 * version store opens at most one at a time). A transaction is used by one thread only.
 *
 * <p>Nullness: parameters and results are non-null unless documented otherwise.
 *
 * <p>Exceptions: storage failures are {@link java.io.IOException}s naming the store's directory;
 * misuse (a closed transaction, an unknown table) is an {@link IllegalStateException} or {@link
 * IllegalArgumentException} naming the offending value.
 */
package io.ize.spi;
