package io.ize.testkit.store;

import io.ize.spi.PendingWrites;
import io.ize.spi.ReadTransaction;
import io.ize.spi.StoreBackend;
import io.ize.spi.WriteTransaction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reference backend: every table a sorted map in memory, each commit publishing new immutable
 * maps, so a read transaction is a consistent snapshot for free. Written against the SPI alone, as
 * a third party would; it is what {@link MemoryProvider} opens.
 *
 * <p>Lock order: {@link #writer} is the only lock; it is held from {@link #write()} until the write
 * transaction is committed or closed, and nothing else is locked while it is held.
 */
final class MemoryBackend implements StoreBackend {
  private final Path directory;
  private final ReentrantLock writer = new ReentrantLock();
  private final Runnable onClose;
  private volatile Map<String, NavigableMap<byte[], byte[]>> committed;
  private volatile boolean closed;

  MemoryBackend(
      Path directory,
      List<String> tables,
      Map<String, NavigableMap<byte[], byte[]>> state,
      Runnable onClose) {
    this.directory = directory;
    this.onClose = onClose;
    Map<String, NavigableMap<byte[], byte[]>> initial = new HashMap<>(state);
    for (String table : tables) {
      initial.putIfAbsent(table, new TreeMap<>(Arrays::compareUnsigned));
    }
    this.committed = Map.copyOf(initial);
  }

  Map<String, NavigableMap<byte[], byte[]>> state() {
    return committed;
  }

  @Override
  public ReadTransaction read() {
    checkOpen();
    return new Read(committed);
  }

  @Override
  public WriteTransaction write() {
    checkOpen();
    writer.lock();
    return new Write(committed);
  }

  @Override
  public Path directory() {
    return directory;
  }

  @Override
  public long sizeOnDisk() {
    long size = 0;
    for (NavigableMap<byte[], byte[]> table : committed.values()) {
      for (Map.Entry<byte[], byte[]> e : table.entrySet()) {
        size += e.getKey().length + e.getValue().length;
      }
    }
    return size;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      onClose.run();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("memory store " + directory + " is closed");
    }
  }

  private static class Read implements ReadTransaction {
    final Map<String, NavigableMap<byte[], byte[]>> tables;
    boolean done;

    Read(Map<String, NavigableMap<byte[], byte[]>> tables) {
      this.tables = tables;
    }

    NavigableMap<byte[], byte[]> table(String name) {
      if (done) {
        throw new IllegalStateException("transaction is closed");
      }
      NavigableMap<byte[], byte[]> table = tables.get(name);
      if (table == null) {
        throw new IllegalArgumentException("unknown table " + name);
      }
      return table;
    }

    @Override
    public byte[] get(String table, byte[] key) {
      byte[] value = table(table).get(key);
      return value == null ? null : value.clone();
    }

    @Override
    public void scan(String table, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor)
        throws IOException {
      NavigableMap<byte[], byte[]> all = table(table);
      if (to != null && Arrays.compareUnsigned(from, to) >= 0) {
        return; // an empty range; subMap would throw for from > to
      }
      NavigableMap<byte[], byte[]> range =
          to == null ? all.tailMap(from, true) : all.subMap(from, true, to, false);
      if (reverse) {
        range = range.descendingMap();
      }
      for (Map.Entry<byte[], byte[]> e : range.entrySet()) {
        if (!visitor.visit(e.getKey().clone(), e.getValue().clone())) {
          return;
        }
      }
    }

    @Override
    public Map.Entry<byte[], byte[]> last(String table, byte[] from, byte[] to) {
      Map.Entry<byte[], byte[]> found = PendingWrites.lastIn(table(table), from, to);
      return found == null ? null : Map.entry(found.getKey().clone(), found.getValue().clone());
    }

    @Override
    public void close() {
      done = true;
    }
  }

  private final class Write extends Read implements WriteTransaction {
    private final Map<String, NavigableMap<byte[], byte[]>> working = new HashMap<>();

    Write(Map<String, NavigableMap<byte[], byte[]>> base) {
      super(new HashMap<>(base));
    }

    @Override
    NavigableMap<byte[], byte[]> table(String name) {
      NavigableMap<byte[], byte[]> table = super.table(name);
      return working.computeIfAbsent(name, n -> new TreeMap<>(table));
    }

    @Override
    public void put(String table, byte[] key, byte[] value) {
      Objects.requireNonNull(value, "value");
      table(table).put(key.clone(), value.clone());
    }

    @Override
    public void delete(String table, byte[] key) {
      table(table).remove(key);
    }

    @Override
    public void commit() {
      if (done) {
        throw new IllegalStateException("transaction is closed");
      }
      Map<String, NavigableMap<byte[], byte[]>> next = new HashMap<>(tables);
      next.putAll(working);
      committed = Map.copyOf(next);
      close();
    }

    @Override
    public void close() {
      if (!done) {
        done = true;
        writer.unlock();
      }
    }
  }
}
