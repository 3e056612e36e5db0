/**
 * The {@code lmdb} version store backend, over LMDB through lmdbjava.
 *
 * <p>Threading: any number of read transactions may be open at once, each used by one thread,
 * beside the one write transaction; reads are LMDB snapshots and never block commits, except while
 * the map grows (see {@code LmdbBackend} for the lock order). The JVM needs {@code --add-opens
 * java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED} for lmdbjava.
 *
 * <p>Nullness: parameters and results are non-null unless documented otherwise.
 *
 * <p>Exceptions: storage failures (a full disk, a corrupt file) are {@link java.io.IOException}s
 * naming the store's directory; a full map is never one, it grows; misuse (a closed store or
 * transaction, an unknown table, a key LMDB cannot hold, a directory already open in this JVM) is
 * an {@link IllegalStateException} or {@link IllegalArgumentException} naming the value.
 */
package io.ize.store.lmdb;
