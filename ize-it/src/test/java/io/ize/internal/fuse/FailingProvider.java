package io.ize.internal.fuse;

import io.ize.spi.ReadTransaction;
import io.ize.spi.StoreBackend;
import io.ize.spi.VersionStoreProvider;
import io.ize.spi.WriteTransaction;
import io.ize.testkit.store.MemoryProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code failing} backend, for fault tests: the memory backend, whose commits fail with "No
 * space left on device" while {@link #failing} is set, and throw {@link #error} while it is set.
 */
public final class FailingProvider implements VersionStoreProvider {
  static volatile boolean failing;
  static volatile Error error;

  @Override
  public String name() {
    return "failing";
  }

  @Override
  public String artifact() {
    return "io.ize:ize-fuse (tests)";
  }

  @Override
  public StoreBackend open(Path directory, List<String> tables, Map<String, String> options)
      throws IOException {
    StoreBackend inner = new MemoryProvider().open(directory, tables, options);
    return new StoreBackend() {
      @Override
      public ReadTransaction read() throws IOException {
        return inner.read();
      }

      @Override
      public WriteTransaction write() throws IOException {
        WriteTransaction txn = inner.write();
        return new WriteTransaction() {
          @Override
          public void put(String table, byte[] key, byte[] value) throws IOException {
            txn.put(table, key, value);
          }

          @Override
          public void delete(String table, byte[] key) throws IOException {
            txn.delete(table, key);
          }

          @Override
          public void commit() throws IOException {
            Error thrown = error;
            if (thrown != null) {
              throw thrown;
            }
            if (failing) {
              throw new IOException(directory + ": No space left on device");
            }
            txn.commit();
          }

          @Override
          public byte[] get(String table, byte[] key) throws IOException {
            return txn.get(table, key);
          }

          @Override
          public void scan(
              String table, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor)
              throws IOException {
            txn.scan(table, from, to, reverse, visitor);
          }

          @Override
          public void close() {
            txn.close();
          }
        };
      }

      @Override
      public Path directory() {
        return inner.directory();
      }

      @Override
      public long sizeOnDisk() throws IOException {
        return inner.sizeOnDisk();
      }

      @Override
      public void close() throws IOException {
        inner.close();
      }
    };
  }
}
