package io.ize.testkit.store;

import io.ize.spi.ReadTransaction;
import io.ize.spi.StoreBackend;
import io.ize.spi.WriteTransaction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backend that passes everything to another and counts what the version store asks of it: puts
 * and deletes by table, gets, scans and the entries scans visit (or last returns). It can also fail
 * the next write transaction after a number of puts, as a process stopping abruptly would leave it:
 * uncommitted.
 *
 * <p>Counters are thread-safe; reads on any thread are counted.
 */
final class CountingBackend implements StoreBackend {
  private final StoreBackend delegate;
  private final Map<String, AtomicLong> puts = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> deletes = new ConcurrentHashMap<>();
  private final AtomicLong gets = new AtomicLong();
  private final AtomicLong visited = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();
  private volatile int failAfterPuts = -1;

  CountingBackend(StoreBackend delegate) {
    this.delegate = delegate;
  }

  /** The backend counted. */
  StoreBackend delegate() {
    return delegate;
  }

  /** Sets every counter to zero. */
  void reset() {
    puts.clear();
    deletes.clear();
    gets.set(0);
    visited.set(0);
    commits.set(0);
  }

  /** Puts into every table since the last reset. */
  long puts() {
    return puts.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Puts into {@code table} since the last reset. */
  long puts(String table) {
    AtomicLong count = puts.get(table);
    return count == null ? 0 : count.get();
  }

  /** Puts by table since the last reset, for messages. */
  Map<String, Long> putsByTable() {
    Map<String, Long> copy = new TreeMap<>();
    puts.forEach((table, count) -> copy.put(table, count.get()));
    return copy;
  }

  /** Deletes from every table since the last reset. */
  long deletes() {
    return deletes.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Gets since the last reset. */
  long gets() {
    return gets.get();
  }

  /** Entries handed to scan visitors or returned by last since the last reset. */
  long visited() {
    return visited.get();
  }

  /** Write transactions committed since the last reset. */
  long commits() {
    return commits.get();
  }

  /**
   * Makes the next write transaction throw an {@link IOException} from its put number {@code n}
   * (counting from 1), before that put reaches the backend; the transaction is then never
   * committed.
   */
  void failAfterPuts(int n) {
    failAfterPuts = n;
  }

  @Override
  public ReadTransaction read() throws IOException {
    return new Read(delegate.read());
  }

  @Override
  public WriteTransaction write() throws IOException {
    int failAt = failAfterPuts;
    failAfterPuts = -1;
    return new Write(delegate.write(), failAt);
  }

  @Override
  public Path directory() {
    return delegate.directory();
  }

  @Override
  public long sizeOnDisk() throws IOException {
    return delegate.sizeOnDisk();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  private class Read implements ReadTransaction {
    private final ReadTransaction txn;

    Read(ReadTransaction txn) {
      this.txn = txn;
    }

    @Override
    public byte[] get(String table, byte[] key) throws IOException {
      gets.incrementAndGet();
      return txn.get(table, key);
    }

    @Override
    public void scan(String table, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor)
        throws IOException {
      txn.scan(
          table,
          from,
          to,
          reverse,
          (key, value) -> {
            visited.incrementAndGet();
            return visitor.visit(key, value);
          });
    }

    @Override
    public Map.Entry<byte[], byte[]> last(String table, byte[] from, byte[] to) throws IOException {
      Map.Entry<byte[], byte[]> found = txn.last(table, from, to);
      if (found != null) {
        visited.incrementAndGet(); // the entry a reverse scan would have visited
      }
      return found;
    }

    @Override
    public void close() {
      txn.close();
    }
  }

  private final class Write extends Read implements WriteTransaction {
    private final WriteTransaction txn;
    private final int failAt;
    private int putsHere;

    Write(WriteTransaction txn, int failAt) {
      super(txn);
      this.txn = txn;
      this.failAt = failAt;
    }

    @Override
    public void put(String table, byte[] key, byte[] value) throws IOException {
      if (++putsHere == failAt) {
        throw new IOException("simulated abrupt stop at put " + failAt + " (into " + table + ")");
      }
      puts.computeIfAbsent(table, t -> new AtomicLong()).incrementAndGet();
      txn.put(table, key, value);
    }

    @Override
    public void delete(String table, byte[] key) throws IOException {
      deletes.computeIfAbsent(table, t -> new AtomicLong()).incrementAndGet();
      txn.delete(table, key);
    }

    @Override
    public void commit() throws IOException {
      txn.commit();
      commits.incrementAndGet();
    }
  }
}
