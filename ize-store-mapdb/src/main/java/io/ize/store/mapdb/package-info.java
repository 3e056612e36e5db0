/**
 * The {@code mapdb} version store backend, over MapDB 3 with its write-ahead log.
 *
 * <p>Threading: any number of read transactions may be open at once, each used by one thread,
 * beside the one write transaction; a commit waits for the read transactions open before it to
 * close, and read transactions opened meanwhile wait for the commit (see {@code MapdbBackend} for
 * the lock order).
 *
 * <p>Nullness: parameters and results are non-null unless documented otherwise.
 *
 * <p>Exceptions: storage failures (a full disk, a corrupt file, the file locked by another process)
 * are {@link java.io.IOException}s naming the store's directory; misuse (a closed store or
 * transaction, an unknown table, a directory already open in this JVM, a commit while the same
 * thread holds a read transaction) is an {@link IllegalStateException} or {@link
 * IllegalArgumentException} naming the value.
 */
package io.ize.store.mapdb;
