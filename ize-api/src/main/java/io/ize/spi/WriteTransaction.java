package io.ize.spi;

import java.io.IOException;

/** The store's one write transaction: reads see its own writes. */
public interface WriteTransaction extends ReadTransaction {
  /** Sets {@code key} to {@code value}, replacing any value. */
  void put(String table, byte[] key, byte[] value) throws IOException;

  /** Removes {@code key}; absent keys are ignored. */
  void delete(String table, byte[] key) throws IOException;

  /** Makes every change durable and visible at once; the transaction is closed afterwards. */
  void commit() throws IOException;
}
