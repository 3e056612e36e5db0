package io.ize.spi;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Ordered, transactional key-value storage with named tables: all a version-store backend supplies.
 * Keys compare as unsigned bytes, lexicographically (a shorter key that is a prefix of a longer one
 * comes first). A committed write transaction is durable and atomic: after a crash the store holds
 * exactly the transactions committed before it.
 */
public interface StoreBackend extends AutoCloseable {
  /** A consistent snapshot for reading, isolated from later commits. */
  ReadTransaction read() throws IOException;

  /**
   * The one write transaction; the caller opens at most one at a time. A backend that lets several
   * processes open one store makes write transactions exclusive among them as well: a write
   * transaction's reads see every commit made before it began, and nothing else commits until it
   * ends (the version store's gc and sequence numbers depend on it).
   */
  WriteTransaction write() throws IOException;

  /** Where the store keeps its files. */
  Path directory();

  /** Bytes the store occupies on disk. */
  long sizeOnDisk() throws IOException;

  /** Closes the store; safe to call twice. Transactions must be closed first. */
  @Override
  void close() throws IOException;
}
