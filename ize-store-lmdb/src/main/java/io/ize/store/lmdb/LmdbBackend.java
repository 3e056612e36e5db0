package io.ize.store.lmdb;

import io.ize.spi.PendingWrites;
import io.ize.spi.ReadTransaction;
import io.ize.spi.StoreBackend;
import io.ize.spi.WriteTransaction;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.lmdbjava.ByteBufferProxy;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;

/**
 * A {@link StoreBackend} over one LMDB environment: each table a named database, each read
 * transaction an LMDB read transaction (a true MVCC snapshot, so readers never block the writer nor
 * each other), each write transaction buffered in Java and applied in one LMDB write transaction at
 * commit.
 *
 * <p>Why buffer: LMDB has a fixed-size map, and a write transaction that fills it fails with
 * MDB_MAP_FULL and is lost. Replaying the buffer after growing the map makes a full map invisible
 * to the caller. Growing ({@code mdb_env_set_mapsize}) is legal only while no transaction is open
 * in the process, so every LMDB transaction holds a {@link Gate} permit and growth takes them all.
 *
 * <p>Lock order: {@link #writer} (held from {@link #write()} until that transaction ends), then
 * {@link #gate} (one permit per open LMDB transaction; all permits to resize the map or close the
 * environment). A write transaction gives back its own read snapshot's permit before it commits, so
 * growth, which runs on the committing thread, never waits for itself. A long-lived read
 * transaction on another thread delays growth (and so that commit) until it closes, and new
 * transactions queue behind the waiting growth (except on threads that already hold one, which
 * would otherwise deadlock with it); after {@link #WAIT_SECONDS} the commit fails with an
 * IOException rather than hang. A commit that needs to grow while its own thread holds a read
 * transaction open would wait for itself, so it fails at once with an IllegalStateException.
 *
 * <p>Write transactions are serialisable across processes too: {@link #write()} takes an exclusive
 * lock on {@link #WRITER_LOCK} in the store's directory (after {@link #writer}, before reading
 * anything) and keeps it until the transaction ends. LMDB's own writer lock is held only while the
 * buffer is applied, so without ours a write transaction of another process could commit between
 * this one's reads and its commit: two recorders would take the same sequence numbers, and a gc
 * could free a chunk that an append had just found present.
 *
 * <p>The environment uses MDB_NOTLS, so a reader slot belongs to a transaction rather than to a
 * thread (FUSE serves requests from many threads), and the default durable sync on commit.
 */
final class LmdbBackend implements StoreBackend {
  /** How long growing the map waits for open transactions before the commit gives up. */
  static final long WAIT_SECONDS = 60;

  /**
   * How long close waits for open transactions: they should all be closed already, and in-flight
   * requests end sooner than this.
   */
  static final long CLOSE_WAIT_SECONDS = 10;

  /** The file whose lock makes write transactions exclusive among processes. */
  static final String WRITER_LOCK = "ize-writer.lock";

  /** Databases beyond the tables asked for, for tables a later version adds. */
  private static final int SPARE_DATABASES = 8;

  /** The largest value buffer kept between commits; larger values get one for their commit. */
  private static final int KEPT_VALUE_BUFFER = 1 << 20;

  /** Map sizes are kept a multiple of the largest page size LMDB runs with. */
  private static final long GRANULE = 64 * 1024;

  /** Environments open in this JVM, by real path: LMDB forbids opening one twice in a process. */
  private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

  private final Path directory;
  private final Path registered;
  private final Env<ByteBuffer> env;
  private final Map<String, Dbi<ByteBuffer>> tables;
  private final int maxKeySize;
  private final Gate gate;
  private final Semaphore writer = new Semaphore(1, true);
  private final FileChannel lockFile;
  private volatile Write current;

  /**
   * The value buffer commits copy through, kept between them (guarded by {@link #writer}): a new 64
   * KiB direct buffer per commit cost a lone change more than its puts.
   */
  private ByteBuffer commitValues;

  private volatile boolean closing;
  private boolean closed; // guarded by this

  private LmdbBackend(
      Path directory,
      Path registered,
      Env<ByteBuffer> env,
      Map<String, Dbi<ByteBuffer>> tables,
      int maxReaders,
      FileChannel lockFile) {
    this.lockFile = lockFile;
    this.directory = directory;
    this.registered = registered;
    this.env = env;
    this.tables = tables;
    this.maxKeySize = env.getMaxKeySize();
    this.gate = new Gate(maxReaders);
  }

  /** Opens the environment in {@code directory}, creating it and every table if absent. */
  static LmdbBackend open(Path directory, List<String> tables, long mapSize, int maxReaders)
      throws IOException {
    Path absolute = directory.toAbsolutePath().normalize();
    requireBufferAccess(absolute);
    Files.createDirectories(absolute);
    Path real = absolute.toRealPath();
    if (!OPEN.add(real)) {
      throw new IllegalStateException(
          "the LMDB store "
              + absolute
              + " is already open in this JVM; LMDB forbids opening one environment twice in a"
              + " process, so close the other store first");
    }
    try {
      Env<ByteBuffer> env =
          Env.create(ByteBufferProxy.PROXY_OPTIMAL)
              .setMapSize(roundUp(mapSize))
              .setMaxDbs(tables.size() + SPARE_DATABASES)
              .setMaxReaders(maxReaders)
              .open(real.toFile(), EnvFlags.MDB_NOTLS);
      try {
        env.readerCheck(); // frees reader slots left by processes that died
        FileChannel lock =
            FileChannel.open(
                real.resolve(WRITER_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
          return new LmdbBackend(absolute, real, env, openTables(env, tables), maxReaders, lock);
        } catch (RuntimeException e) {
          lock.close();
          throw e;
        }
      } catch (RuntimeException | IOException e) {
        env.close();
        throw e;
      }
    } catch (LmdbException e) {
      OPEN.remove(real);
      throw new IOException("cannot open the LMDB store " + absolute + ": " + e.getMessage(), e);
    } catch (LinkageError e) {
      OPEN.remove(real);
      throw new IOException(
          "cannot open the LMDB store " + absolute + ": the LMDB native library did not load", e);
    } catch (RuntimeException | Error e) {
      OPEN.remove(real);
      throw e;
    }
  }

  /**
   * lmdbjava reads the address inside a direct buffer, which Java 17 allows only when the JVM opens
   * {@code java.nio} and exports {@code sun.nio.ch} to it; without them the first read of the store
   * would throw an {@link IllegalAccessError}, on whichever thread gets there first.
   */
  private static void requireBufferAccess(Path store) throws IOException {
    Module base = ByteBuffer.class.getModule();
    Module lmdb = ByteBufferProxy.class.getModule();
    if (!base.isOpen("java.nio", lmdb) || !base.isExported("sun.nio.ch", lmdb)) {
      throw new IOException(
          "cannot open the LMDB store "
              + store
              + ": lmdbjava needs the JVM flags --add-opens java.base/java.nio=ALL-UNNAMED"
              + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED");
    }
  }

  private static Map<String, Dbi<ByteBuffer>> openTables(Env<ByteBuffer> env, List<String> names) {
    Map<String, Dbi<ByteBuffer>> dbis = new HashMap<>();
    for (String name : names) {
      while (true) {
        try {
          // MDB_UNSIGNEDKEY only tells lmdbjava to compare in Java as LMDB's memcmp does.
          dbis.put(name, env.openDbi(name, DbiFlags.MDB_CREATE, DbiFlags.MDB_UNSIGNEDKEY));
          break;
        } catch (Env.MapFullException full) {
          // Creating a table in a full map: no transaction is open yet, so grow in place.
          env.setMapSize(roundUp(env.info().mapSize * 2));
        }
      }
    }
    return Map.copyOf(dbis);
  }

  private static long roundUp(long size) {
    if (size <= 0 || size > Long.MAX_VALUE - GRANULE) {
      throw new IllegalArgumentException("map size out of range: " + size);
    }
    return (size + GRANULE - 1) / GRANULE * GRANULE;
  }

  // ============================================================ StoreBackend

  @Override
  public ReadTransaction read() throws IOException {
    checkOpen();
    return new Read(beginRead());
  }

  @Override
  public WriteTransaction write() throws IOException {
    checkOpen();
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
    FileLock exclusive;
    try {
      exclusive = lockFile.lock();
    } catch (IOException | RuntimeException e) {
      writer.release();
      throw new IOException(
          "LMDB store " + directory + ": cannot lock " + WRITER_LOCK + ": " + e.getMessage(), e);
    }
    Write write = new Write(exclusive);
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
    // Same lock order as a write transaction: the writer, then every gate permit.
    boolean alone = false;
    try {
      if (!writer.tryAcquire(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw stillOpen("the write transaction is");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted closing " + this);
    }
    try {
      if (!gate.enterAlone(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw stillOpen(gate.taken() + " transactions are");
      }
      alone = true;
      env.close();
      lockFile.close();
      closed = true;
      OPEN.remove(registered);
    } finally {
      if (alone) {
        gate.exitAlone();
      }
      writer.release(); // anyone queued for it now finds the store closed
    }
  }

  private IllegalStateException stillOpen(String what) {
    return new IllegalStateException(
        "cannot close the LMDB store "
            + directory
            + ": "
            + what
            + " still open after "
            + CLOSE_WAIT_SECONDS
            + " s; close transactions before the store");
  }

  @Override
  public String toString() {
    return "LMDB store " + directory;
  }

  // ============================================================ internals

  private void checkOpen() {
    if (closing) {
      throw closedStore();
    }
  }

  private IllegalStateException closedStore() {
    return new IllegalStateException("the LMDB store " + directory + " is closed");
  }

  private IOException failure(String what, RuntimeException cause) {
    return new IOException(
        "LMDB store " + directory + ": " + what + " failed: " + cause.getMessage(), cause);
  }

  private Dbi<ByteBuffer> table(String name) {
    Dbi<ByteBuffer> dbi = tables.get(Objects.requireNonNull(name, "table"));
    if (dbi == null) {
      throw new IllegalArgumentException(
          "unknown table '" + name + "' in " + directory + "; the tables are " + tables.keySet());
    }
    return dbi;
  }

  /** Whether LMDB can hold {@code key}: it takes 1 to {@link #maxKeySize} bytes. */
  private boolean storable(byte[] key) {
    return key.length > 0 && key.length <= maxKeySize;
  }

  /** Begins an LMDB read transaction holding a gate permit, which the caller must return. */
  private Txn<ByteBuffer> beginRead() throws IOException {
    for (int attempt = 0; ; attempt++) {
      gate.enter();
      if (closing) {
        gate.exit(Thread.currentThread());
        throw closedStore();
      }
      try {
        return env.txnRead();
      } catch (Dbi.MapResizedException resized) {
        // Another process grew the map: adopt its size (needs no transaction open), then retry.
        gate.exit(Thread.currentThread());
        if (attempt > 0) {
          throw failure("beginning a read transaction", resized);
        }
        resize(0, "adopting the map size another process set");
      } catch (LmdbException e) {
        gate.exit(Thread.currentThread());
        throw failure("beginning a read transaction", e);
      }
    }
  }

  /**
   * Sets the map size with every permit held: {@code size} bytes, or 0 to adopt the size in the
   * file. Called only by the thread that holds {@link #writer} or by {@link #beginRead()}.
   */
  private void resize(long size, String why) throws IOException {
    if (gate.heldByCurrentThread()) {
      throw new IllegalStateException(
          "the LMDB store "
              + directory
              + " must resize its map ("
              + why
              + "), which needs every transaction closed, but this thread holds a read"
              + " transaction open; close it before writing");
    }
    if (!gate.enterAlone(WAIT_SECONDS, TimeUnit.SECONDS)) {
      throw new IOException(
          "LMDB store "
              + directory
              + ": "
              + why
              + " needs every transaction closed, but "
              + gate.taken()
              + " stayed open for "
              + WAIT_SECONDS
              + " s");
    }
    try {
      if (closing) {
        throw closedStore();
      }
      env.setMapSize(size);
    } catch (LmdbException e) {
      throw failure(why, e);
    } finally {
      gate.exitAlone();
    }
  }

  /** Grows the map to hold at least {@code pending} more bytes, at least doubling it. */
  private void grow(long pending) throws IOException {
    long now = env.info().mapSize;
    if (now > Long.MAX_VALUE / 4 || pending > Long.MAX_VALUE / 4) {
      throw new IOException("LMDB store " + directory + ": the map cannot grow past " + now);
    }
    long next = roundUp(Math.max(now * 2, now + pending * 2));
    resize(next, "growing the map from " + now + " to " + next + " bytes");
  }

  // ============================================================ transactions

  /** A read transaction: an LMDB read snapshot, used by one thread. */
  private class Read implements ReadTransaction {
    final Thread owner = Thread.currentThread();
    private Txn<ByteBuffer> txn;
    boolean done;

    /**
     * Where keys are copied for LMDB to read during one call: LMDB copies what it keeps, so one
     * buffer serves every call of the transaction (a direct buffer per call cost more than the
     * lookup, and its cleaner more again).
     */
    private ByteBuffer keys;

    /**
     * A cursor per table for {@link #last}, opened on first use and kept until the snapshot ends:
     * opening one costs more than the seek.
     */
    private final Map<String, Cursor<ByteBuffer>> cursors = new HashMap<>();

    /** {@code key} in this transaction's key buffer. */
    final ByteBuffer key(byte[] key) {
      if (keys == null || keys.capacity() < key.length) {
        keys = ByteBuffer.allocateDirect(Math.max(maxKeySize, key.length));
      }
      keys.clear();
      keys.put(key).flip();
      return keys;
    }

    Read(Txn<ByteBuffer> txn) {
      this.txn = txn;
    }

    Read() {}

    void checkLive() {
      if (done) {
        throw new IllegalStateException("the transaction on " + directory + " is closed");
      }
    }

    /** The LMDB snapshot reads go to; a write transaction opens its own on first read. */
    Txn<ByteBuffer> snapshot() throws IOException {
      return txn;
    }

    /** The pending changes to overlay on the snapshot; none for a read transaction. */
    PendingWrites pending() {
      return null;
    }

    @Override
    public byte[] get(String table, byte[] key) throws IOException {
      return bytes(find(table, key)); // copied: a view into the map lives only as long as txn
    }

    @Override
    public boolean contains(String table, byte[] key) throws IOException {
      return find(table, key) != null; // no copy: a stored chunk is 16 to 256 KiB
    }

    /** A view of {@code key}'s value, pending changes first; null if it has none. */
    private ByteBuffer find(String table, byte[] key) throws IOException {
      checkLive();
      Dbi<ByteBuffer> dbi = table(table);
      Objects.requireNonNull(key, "key");
      PendingWrites pending = pending();
      if (pending != null) {
        byte[] value = pending.lookup(table, key);
        if (value != null) {
          return value == PendingWrites.DELETED ? null : ByteBuffer.wrap(value);
        }
      }
      if (!storable(key)) {
        return null; // LMDB would reject it; no such key can have been stored
      }
      try {
        return dbi.get(snapshot(), key(key));
      } catch (LmdbException e) {
        throw failure("reading table " + table, e);
      }
    }

    @Override
    public void scan(String table, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor)
        throws IOException {
      checkLive();
      Dbi<ByteBuffer> dbi = table(table);
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(visitor, "visitor");
      if (to != null && Arrays.compareUnsigned(from, to) >= 0) {
        return;
      }
      PendingWrites pending = pending();
      Iterator<Map.Entry<byte[], byte[]>> changes =
          pending == null ? Collections.emptyIterator() : pending.range(table, from, to, reverse);
      try (Cursor<ByteBuffer> cursor = dbi.openCursor(snapshot())) {
        PendingWrites.merge(
            new CursorEntries(this, cursor, from, to, reverse), changes, reverse, visitor);
      } catch (LmdbException e) {
        throw failure("scanning table " + table, e);
      }
    }

    @Override
    public Map.Entry<byte[], byte[]> last(String table, byte[] from, byte[] to) throws IOException {
      checkLive();
      Dbi<ByteBuffer> dbi = table(table);
      Objects.requireNonNull(from, "from");
      if (to != null && Arrays.compareUnsigned(from, to) >= 0) {
        return null;
      }
      Map.Entry<byte[], byte[]> found;
      try {
        found = committedLast(table, dbi, from, to);
      } catch (LmdbException e) {
        throw failure("reading table " + table, e);
      }
      PendingWrites pending = pending();
      if (pending != null) {
        found = pending.last(table, from, to, found);
      }
      return found == PendingWrites.HIDDEN ? ReadTransaction.super.last(table, from, to) : found;
    }

    /** The last committed entry in the range, by one seek of the table's cursor. */
    private Map.Entry<byte[], byte[]> committedLast(
        String table, Dbi<ByteBuffer> dbi, byte[] from, byte[] to) throws IOException {
      Cursor<ByteBuffer> cursor = cursors.get(table);
      if (cursor == null) {
        cursor = dbi.openCursor(snapshot());
        cursors.put(table, cursor);
      }
      boolean at;
      if (to == null) {
        at = cursor.last();
      } else {
        // The first key >= to, then one step back; no such key means the table's last.
        boolean after = cursor.get(key(seekable(to)), GetOp.MDB_SET_RANGE);
        while (after && compare(cursor.key(), to) < 0) {
          after = cursor.next(); // a bound longer than any key was cut to seek
        }
        at = after ? cursor.prev() : cursor.last();
      }
      if (!at || compare(cursor.key(), from) < 0) {
        return null;
      }
      return Map.entry(bytes(cursor.key()), bytes(cursor.val()));
    }

    @Override
    public void close() {
      if (done) {
        return;
      }
      done = true;
      endSnapshot();
    }

    /** Ends the LMDB snapshot, if any, and returns its permit. */
    final void endSnapshot() {
      if (txn != null) {
        try {
          for (Cursor<ByteBuffer> cursor : cursors.values()) {
            cursor.close();
          }
          cursors.clear();
          txn.close();
        } finally {
          txn = null;
          gate.exit(owner);
        }
      }
    }

    final Txn<ByteBuffer> openedSnapshot() {
      return txn;
    }

    final void beginSnapshot() throws IOException {
      txn = beginRead();
    }
  }

  /** The write transaction: changes buffered in {@link PendingWrites}, applied at commit. */
  private final class Write extends Read implements WriteTransaction {
    private final PendingWrites pending = new PendingWrites();
    private final FileLock exclusive;

    Write(FileLock exclusive) {
      this.exclusive = exclusive;
    }

    @Override
    Txn<ByteBuffer> snapshot() throws IOException {
      if (openedSnapshot() == null) {
        beginSnapshot();
      }
      return openedSnapshot();
    }

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
      if (!storable(key)) {
        throw new IllegalArgumentException(
            "a key of "
                + key.length
                + " bytes for table '"
                + table
                + "': LMDB keys are 1 to "
                + maxKeySize
                + " bytes");
      }
      pending.put(table, key, value);
    }

    @Override
    public void delete(String table, byte[] key) {
      checkLive();
      table(table);
      Objects.requireNonNull(key, "key");
      if (storable(key)) {
        pending.delete(table, key); // other keys cannot exist, and absent keys are ignored
      }
    }

    @Override
    public void commit() throws IOException {
      checkLive();
      try {
        endSnapshot(); // so that growth below does not wait for this transaction's own reader
        if (!pending.isEmpty()) {
          apply();
        }
      } finally {
        close();
      }
    }

    /** Applies the buffer in one LMDB write transaction, growing the map until it fits. */
    private void apply() throws IOException {
      for (int resizes = 0; ; ) {
        boolean full = false;
        gate.enter();
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
          // Our own direct buffers, reused: LMDB copies keys and values during each call
          // (lmdbjava's byte[] proxy copies into memory it lets the GC free before the call
          // returns, so we do not use it).
          ByteBuffer values = commitValues;
          for (Map.Entry<String, NavigableMap<byte[], byte[]>> t : pending.tables().entrySet()) {
            Dbi<ByteBuffer> dbi = tables.get(t.getKey());
            for (Map.Entry<byte[], byte[]> e : t.getValue().entrySet()) {
              ByteBuffer key = key(e.getKey());
              byte[] bytes = e.getValue();
              if (bytes == PendingWrites.DELETED) {
                dbi.delete(txn, key);
              } else {
                if (values == null || values.capacity() < bytes.length) {
                  values = ByteBuffer.allocateDirect(Math.max(bytes.length, 64 * 1024));
                  commitValues = values.capacity() <= KEPT_VALUE_BUFFER ? values : null;
                }
                values.clear();
                values.put(bytes).flip();
                // No flags: lmdbjava masks an empty flag array with a stream on every put,
                // which cost a quarter of a commit, while a null array masks to 0 directly.
                dbi.put(txn, key, values, (PutFlags[]) null);
              }
            }
          }
          Reference.reachabilityFence(values);
          txn.commit();
          return;
        } catch (Env.MapFullException e) {
          full = true; // the LMDB transaction is lost (aborted by the try); replay after growing
        } catch (Dbi.MapResizedException e) {
          if (++resizes > 3) {
            throw failure("commit", e);
          }
        } catch (LmdbException e) {
          throw failure("commit", e);
        } finally {
          gate.exit(Thread.currentThread());
        }
        if (full) {
          grow(pending.bytes());
        } else {
          resize(0, "adopting the map size another process set");
        }
      }
    }

    @Override
    public void close() {
      if (done) {
        return;
      }
      super.close();
      current = null;
      try {
        exclusive.release();
      } catch (IOException e) {
        // Closing the channel (with the store) releases it in any case.
        System.getLogger(LmdbBackend.class.getName())
            .log(System.Logger.Level.WARNING, "releasing " + WRITER_LOCK + " failed", e);
      } finally {
        writer.release();
      }
    }
  }

  /** The entries a cursor visits within a scan's bounds, in the scan's direction. */
  private final class CursorEntries implements Iterator<Map.Entry<byte[], byte[]>> {
    private final Read transaction;
    private final Cursor<ByteBuffer> cursor;
    private final byte[] from;
    private final byte[] to;
    private final boolean reverse;
    private boolean positioned;

    CursorEntries(
        Read transaction, Cursor<ByteBuffer> cursor, byte[] from, byte[] to, boolean reverse) {
      this.transaction = transaction;
      this.cursor = cursor;
      this.from = from;
      this.to = to;
      this.reverse = reverse;
      boolean at;
      if (!reverse) {
        at = from.length == 0 ? cursor.first() : seek(seekable(from));
        // A bound longer than any key was cut to seek; step past keys still below it.
        while (at && Arrays.compareUnsigned(bytes(cursor.key()), from) < 0) {
          at = cursor.next();
        }
      } else if (to == null) {
        at = cursor.last();
      } else {
        // Find the first key >= to, then step back once; no such key means start at the last.
        boolean after = seek(seekable(to));
        while (after && Arrays.compareUnsigned(bytes(cursor.key()), to) < 0) {
          after = cursor.next();
        }
        at = after ? cursor.prev() : cursor.last();
      }
      positioned = at && inRange(bytes(cursor.key()));
    }

    private boolean inRange(byte[] key) {
      return reverse
          ? Arrays.compareUnsigned(key, from) >= 0
          : to == null || Arrays.compareUnsigned(key, to) < 0;
    }

    @Override
    public boolean hasNext() {
      return positioned;
    }

    @Override
    public Map.Entry<byte[], byte[]> next() {
      if (!positioned) {
        throw new NoSuchElementException();
      }
      // lmdbjava copies key and value into new arrays at every step, so they are ours to give.
      Map.Entry<byte[], byte[]> entry = Map.entry(bytes(cursor.key()), bytes(cursor.val()));
      positioned = (reverse ? cursor.prev() : cursor.next()) && inRange(bytes(cursor.key()));
      return entry;
    }

    private boolean seek(byte[] key) {
      return cursor.get(transaction.key(key), GetOp.MDB_SET_RANGE);
    }
  }

  /** MDB_SET_RANGE rejects keys longer than the maximum; a prefix of the bound seeks as well. */
  private byte[] seekable(byte[] bound) {
    return bound.length > maxKeySize ? Arrays.copyOf(bound, maxKeySize) : bound;
  }

  /** Compares a key in the map with {@code bound} as unsigned bytes, without copying it. */
  private static int compare(ByteBuffer key, byte[] bound) {
    int base = key.position();
    int length = Math.min(key.remaining(), bound.length);
    for (int i = 0; i < length; i++) {
      int order = Byte.compareUnsigned(key.get(base + i), bound[i]);
      if (order != 0) {
        return order;
      }
    }
    return Integer.compare(key.remaining(), bound.length);
  }

  /** Copies a value out of the map (valid only inside its transaction); null stays null. */
  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
