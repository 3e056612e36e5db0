package io.ize.store.mapdb;

import io.ize.spi.PendingWrites;
import io.ize.spi.ReadTransaction;
import io.ize.spi.StoreBackend;
import io.ize.spi.WriteTransaction;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.mapdb.BTreeMap;
import org.mapdb.CC;
import org.mapdb.DB;
import org.mapdb.DBException;
import org.mapdb.Serializer;
import org.mapdb.Store;
import org.mapdb.StoreWAL;

/**
 * A {@link StoreBackend} over one MapDB file: each table a {@link BTreeMap} of byte arrays, with
 * MapDB's transactional store and our {@link Journal} making each commit atomic and durable.
 *
 * <p>Isolation: MapDB has one global transaction and no snapshots, so a reader would see a commit
 * half applied. Here a write transaction buffers its changes in Java ({@link PendingWrites}) and
 * touches MapDB only in {@code commit()}, which applies the buffer and commits while holding every
 * permit of the {@link Gate}; each read transaction holds one permit from open to close. So a
 * reader sees exactly the state committed when it opened, for as long as it is open, and a commit
 * waits until the read transactions open before it have closed (new ones queue behind the commit,
 * so commits are not starved, except on threads that already hold one, which would otherwise
 * deadlock with it). Read transactions should therefore be short; the version store's are.
 *
 * <p>Lock order: {@link #writer} (held from {@link #write()} until that transaction ends), then
 * {@link #gate}. The write transaction itself reads the committed maps without a permit: only its
 * own commit changes them. A commit from a thread that holds a read transaction open would wait for
 * itself, so it fails at once with an IllegalStateException; a commit that waits more than {@link
 * #WAIT_SECONDS} for readers on other threads fails with an IOException rather than hang.
 *
 * <p>Keys are ordered by {@link Serializer#BYTE_ARRAY}, which compares unsigned bytes
 * lexicographically with a prefix first: the SPI's order. Serializers are always explicit, since
 * MapDB's default (Elsa) fails on JDK 16 and later.
 */
final class MapdbBackend implements StoreBackend {
  /** How long a commit waits for open read transactions before giving up. */
  static final long WAIT_SECONDS = 60;

  /**
   * How long close waits for open transactions: they should all be closed already, and in-flight
   * requests end sooner than this.
   */
  static final long CLOSE_WAIT_SECONDS = 10;

  /** The file in the store's directory; MapDB keeps its write-ahead log beside it. */
  static final String FILE = "ize.mapdb";

  /** Stores open in this JVM, by real path: a second open would fight over the file lock. */
  private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

  private final Path directory;
  private final Path registered;
  private final List<String> names;
  // Replaced only after a failed commit, holding the writer and every gate permit.
  private volatile DB db;
  private volatile Map<String, BTreeMap<byte[], byte[]>> tables;
  private volatile IOException broken; // why the store could not be reopened after a failed commit
  private final Gate gate = new Gate();
  private final Semaphore writer = new Semaphore(1, true);
  private volatile Write current;
  private volatile boolean closing;
  private boolean closed; // guarded by this

  private MapdbBackend(Path directory, Path registered, List<String> names, DB db) {
    this.directory = directory;
    this.registered = registered;
    this.names = List.copyOf(names);
    this.db = db;
    this.tables = tablesOf(db, names);
  }

  /** Opens the store in {@code directory}, creating it and every table if absent. */
  static MapdbBackend open(Path directory, List<String> names) throws IOException {
    Path absolute = directory.toAbsolutePath().normalize();
    Files.createDirectories(absolute);
    Path real = absolute.toRealPath();
    if (!OPEN.add(real)) {
      throw new IllegalStateException(
          "the MapDB store " + absolute + " is already open in this JVM; close the other first");
    }
    DB db = null;
    try {
      db = openDb(real.resolve(FILE));
      MapdbBackend backend = new MapdbBackend(absolute, real, names, db);
      db.commit(); // records tables created just now
      return backend;
    } catch (DBException.FileLocked e) {
      OPEN.remove(real);
      throw new IOException(
          "cannot open the MapDB store "
              + absolute
              + ": another process (a mount recording into it?) holds the file lock on "
              + real.resolve(FILE)
              + ". MapDB allows one process per store, so its history cannot be read while"
              + " another process has it open; stop that process first, or record into an lmdb"
              + " store, which lets other processes read beside its writer",
          e);
    } catch (IOException | RuntimeException | Error e) {
      closeQuietly(db, e);
      OPEN.remove(real);
      if (e instanceof DBException || e instanceof UncheckedIOException) {
        throw new IOException("cannot open the MapDB store " + absolute + ": " + describe(e), e);
      }
      throw e;
    }
  }

  /** Every table, creating those absent (a commit then records them). */
  private static Map<String, BTreeMap<byte[], byte[]>> tablesOf(DB db, List<String> names) {
    Map<String, BTreeMap<byte[], byte[]>> tables = new HashMap<>();
    for (String name : names) {
      tables.put(
          name,
          db.treeMap(name, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
              // Large values (content chunks) live in records of their own, not in nodes.
              .valuesOutsideNodesEnable()
              .createOrOpen());
    }
    return Map.copyOf(tables);
  }

  /**
   * Opens the store again from its file after a failed commit. MapDB cannot undo a commit that
   * failed part-way (its caches have moved into the volume's pending pages by then), but the file,
   * through the journal, holds exactly the last commit. Called holding the writer and every gate
   * permit.
   */
  private void reopen(RuntimeException failure) {
    try {
      db.close(); // drops the failed commit's pages
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
    try {
      DB again = openDb(registered.resolve(FILE));
      tables = tablesOf(again, names);
      db = again;
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
      broken =
          new IOException(
              "the MapDB store "
                  + directory
                  + " could not be opened again after a failed commit: "
                  + describe(e)
                  + "; close it and open it again",
              e);
    }
  }

  /**
   * MapDB's transactional store over {@link StoreFiles}: what {@code
   * DBMaker.fileDB(file).transactionEnable().fileMmapEnable().make()} builds, with our volumes.
   */
  private static DB openDb(Path file) throws IOException {
    StoreFiles files = new StoreFiles(file);
    boolean existed = files.exists(file.toString());
    // MapDB 3.1.0 never reads its write-ahead log files back (see StoreFiles); earlier versions
    // of this backend left them beside the store.
    try (DirectoryStream<Path> logs =
        Files.newDirectoryStream(file.getParent(), file.getFileName() + ".wal.*")) {
      for (Path log : logs) {
        Files.deleteIfExists(log);
      }
    }
    Store store =
        StoreWAL.make(
            file.toString(),
            files,
            0L, // fail at once if another process holds the file lock
            true,
            CC.STORE_DIRECT_CONC_SHIFT,
            CC.PAGE_SIZE,
            0L,
            false,
            false,
            false,
            true,
            false);
    return new DB(store, existed, true, DB.class.getClassLoader(), 0);
  }

  private static void closeQuietly(DB db, Throwable failure) {
    if (db != null) {
      try {
        db.close();
      } catch (RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }

  // ============================================================ StoreBackend

  @Override
  public ReadTransaction read() throws IOException {
    checkOpen();
    checkUsable();
    gate.enter();
    if (closing) {
      gate.exit(Thread.currentThread());
      throw closedStore();
    }
    return new Read();
  }

  @Override
  public WriteTransaction write() throws IOException {
    checkOpen();
    checkUsable();
    Write open = current;
    if (open != null && open.owner == Thread.currentThread()) {
      throw new IllegalStateException(
          "a write transaction on " + directory + " is already open on this thread");
    }
    try {
      writer.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the write transaction");
    }
    if (closing) {
      writer.release();
      throw closedStore();
    }
    Write write = new Write();
    current = write;
    return write;
  }

  @Override
  public Path directory() {
    return directory;
  }

  @Override
  public long sizeOnDisk() throws IOException {
    long size = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(registered)) {
      for (Path file : files) {
        if (Files.isRegularFile(file)) {
          size += Files.size(file);
        }
      }
    }
    return size;
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closing = true; // refuses new transactions from here on
    // Same lock order as a commit: the writer, then every gate permit.
    try {
      if (!writer.tryAcquire(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw stillOpen("the write transaction is");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted closing " + this);
    }
    boolean alone = false;
    try {
      if (!gate.enterAlone(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw stillOpen(gate.taken() + " read transactions are");
      }
      alone = true;
      if (broken == null) { // else closed when the failed commit reopened it
        db.close();
      }
      closed = true;
      OPEN.remove(registered);
    } catch (DBException e) {
      throw new IOException("closing the MapDB store " + directory + " failed: " + describe(e), e);
    } finally {
      if (alone) {
        gate.exitAlone();
      }
      writer.release(); // anyone queued for it now finds the store closed
    }
  }

  @Override
  public String toString() {
    return "MapDB store " + directory;
  }

  // ============================================================ internals

  private void checkUsable() throws IOException {
    IOException why = broken;
    if (why != null) {
      throw new IOException(why.getMessage(), why);
    }
  }

  private void checkOpen() {
    if (closing) {
      throw closedStore();
    }
  }

  private IllegalStateException closedStore() {
    return new IllegalStateException("the MapDB store " + directory + " is closed");
  }

  private IllegalStateException stillOpen(String what) {
    return new IllegalStateException(
        "cannot close the MapDB store "
            + directory
            + ": "
            + what
            + " still open after "
            + CLOSE_WAIT_SECONDS
            + " s; close transactions before the store");
  }

  private IOException failure(String what, RuntimeException cause) {
    return new IOException(
        "MapDB store " + directory + ": " + what + " failed: " + describe(cause), cause);
  }

  /** The exception and its causes, since MapDB's own often say only their class. */
  private static String describe(Throwable failure) {
    StringBuilder text = new StringBuilder(String.valueOf(failure));
    for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
      text.append(", caused by ").append(cause);
    }
    return text.toString();
  }

  private BTreeMap<byte[], byte[]> table(String name) {
    BTreeMap<byte[], byte[]> map = tables.get(Objects.requireNonNull(name, "table"));
    if (map == null) {
      throw new IllegalArgumentException(
          "unknown table '" + name + "' in " + directory + "; the tables are " + tables.keySet());
    }
    return map;
  }

  // ============================================================ transactions

  /** A read transaction: the committed maps, held still by a gate permit. */
  private class Read implements ReadTransaction {
    final Thread owner = Thread.currentThread();
    boolean done;

    void checkLive() {
      if (done) {
        throw new IllegalStateException("the transaction on " + directory + " is closed");
      }
    }

    /** The pending changes to overlay on the committed maps; none for a read transaction. */
    PendingWrites pending() {
      return null;
    }

    @Override
    public byte[] get(String table, byte[] key) throws IOException {
      checkLive();
      BTreeMap<byte[], byte[]> map = table(table);
      Objects.requireNonNull(key, "key");
      PendingWrites pending = pending();
      if (pending != null) {
        byte[] value = pending.lookup(table, key);
        if (value != null) {
          return value == PendingWrites.DELETED ? null : value.clone();
        }
      }
      try {
        return map.get(key); // deserialized afresh on every read, so the caller may keep it
      } catch (DBException e) {
        throw failure("reading table " + table, e);
      }
    }

    @Override
    public void scan(String table, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor)
        throws IOException {
      checkLive();
      BTreeMap<byte[], byte[]> map = table(table);
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(visitor, "visitor");
      if (to != null && Arrays.compareUnsigned(from, to) >= 0) {
        return;
      }
      PendingWrites pending = pending();
      Iterator<Map.Entry<byte[], byte[]>> changes =
          pending == null ? Collections.emptyIterator() : pending.range(table, from, to, reverse);
      NavigableMap<byte[], byte[]> range =
          to == null ? map.tailMap(from, true) : map.subMap(from, true, to, false);
      if (reverse) {
        range = range.descendingMap();
      }
      Iterator<Map.Entry<byte[], byte[]>> entries = range.entrySet().iterator();
      Iterator<Map.Entry<byte[], byte[]>> committed =
          new Iterator<>() {
            @Override
            public boolean hasNext() {
              return entries.hasNext();
            }

            @Override
            public Map.Entry<byte[], byte[]> next() {
              Map.Entry<byte[], byte[]> e = entries.next();
              // The key array may be the one in the iterator's node, so hand out a copy.
              return Map.entry(e.getKey().clone(), e.getValue());
            }
          };
      try {
        PendingWrites.merge(committed, changes, reverse, visitor);
      } catch (DBException e) {
        throw failure("scanning table " + table, e);
      }
    }

    @Override
    public Map.Entry<byte[], byte[]> last(String table, byte[] from, byte[] to) throws IOException {
      checkLive();
      BTreeMap<byte[], byte[]> map = table(table);
      Objects.requireNonNull(from, "from");
      Map.Entry<byte[], byte[]> found;
      try {
        found = PendingWrites.lastIn(map, from, to);
      } catch (DBException e) {
        throw failure("reading table " + table, e);
      }
      if (found != null) {
        // As in scan: the key array may be the node's, the value is deserialized afresh.
        found = Map.entry(found.getKey().clone(), found.getValue());
      }
      PendingWrites pending = pending();
      if (pending != null) {
        found = pending.last(table, from, to, found);
      }
      return found == PendingWrites.HIDDEN ? ReadTransaction.super.last(table, from, to) : found;
    }

    @Override
    public void close() {
      if (!done) {
        done = true;
        gate.exit(owner);
      }
    }
  }

  /** The write transaction: changes buffered in {@link PendingWrites}, applied at commit. */
  private final class Write extends Read implements WriteTransaction {
    private final PendingWrites pending = new PendingWrites();

    @Override
    PendingWrites pending() {
      return pending;
    }

    @Override
    public void put(String table, byte[] key, byte[] value) {
      checkLive();
      table(table);
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      pending.put(table, key, value);
    }

    @Override
    public void delete(String table, byte[] key) {
      checkLive();
      table(table);
      Objects.requireNonNull(key, "key");
      pending.delete(table, key);
    }

    @Override
    public void commit() throws IOException {
      checkLive();
      try {
        if (!pending.isEmpty()) {
          apply();
        }
      } finally {
        close();
      }
    }

    /** Applies the buffer and commits with no reader open, so none sees a partial commit. */
    private void apply() throws IOException {
      if (gate.heldByCurrentThread()) {
        throw new IllegalStateException(
            "cannot commit to the MapDB store "
                + directory
                + " while this thread holds a read transaction open: the commit waits for"
                + " every reader to close; close it first");
      }
      if (!gate.enterAlone(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IOException(
            "MapDB store "
                + directory
                + ": the commit waited "
                + WAIT_SECONDS
                + " s for "
                + gate.taken()
                + " read transactions to close");
      }
      try {
        for (Map.Entry<String, NavigableMap<byte[], byte[]>> t : pending.tables().entrySet()) {
          BTreeMap<byte[], byte[]> map = tables.get(t.getKey());
          for (Map.Entry<byte[], byte[]> e : t.getValue().entrySet()) {
            if (e.getValue() == PendingWrites.DELETED) {
              map.remove(e.getKey());
            } else {
              map.put(e.getKey(), e.getValue());
            }
          }
        }
        db.commit();
      } catch (RuntimeException e) {
        reopen(e);
        throw failure("commit", e);
      } finally {
        gate.exitAlone();
      }
    }

    @Override
    public void close() {
      if (done) {
        return;
      }
      done = true;
      current = null;
      writer.release();
    }
  }
}
