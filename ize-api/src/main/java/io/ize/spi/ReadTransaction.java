package io.ize.spi;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A read-only view of the store as of the transaction's start; used by one thread. */
public interface ReadTransaction extends AutoCloseable {
  /** The value under {@code key}, or null if absent. */
  byte[] get(String table, byte[] key) throws IOException;

  /**
   * Whether {@code key} has a value; a backend overrides this where it can answer without copying
   * the value out (a stored chunk is 16 to 256 KiB).
   */
  default boolean contains(String table, byte[] key) throws IOException {
    return get(table, key) != null;
  }

  /**
   * Visits the entries with {@code from <= key < to} in ascending order, or in descending order
   * when {@code reverse} is set, until the visitor returns false.
   *
   * @param from the lowest key to visit (inclusive)
   * @param to the bound (exclusive), or null for no upper bound
   */
  void scan(String table, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor)
      throws IOException;

  /**
   * The entry with the greatest key in {@code from <= key < to}, or null if there is none: what a
   * descending {@link #scan} visits first. The version store asks this for every "latest version at
   * or before" lookup, so backends should override the default, which runs such a scan, with one
   * seek.
   *
   * @param to the bound (exclusive), or null for no upper bound
   * @return the entry, whose arrays are the caller's to keep, or null
   */
  default Map.Entry<byte[], byte[]> last(String table, byte[] from, byte[] to) throws IOException {
    List<Map.Entry<byte[], byte[]>> found = new ArrayList<>(1);
    scan(
        table,
        from,
        to,
        true,
        (key, value) -> {
          found.add(Map.entry(key, value));
          return false;
        });
    return found.isEmpty() ? null : found.get(0);
  }

  /** Ends the transaction (a write transaction not committed is rolled back); safe twice. */
  @Override
  void close();

  /** Receives entries from {@link #scan}; the arrays are the visitor's to keep. */
  @FunctionalInterface
  interface EntryVisitor {
    /** Returns false to stop the scan. */
    boolean visit(byte[] key, byte[] value) throws IOException;
  }
}
