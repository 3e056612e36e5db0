package io.ize.internal.fuse;

import io.ize.StoreListener;
import io.ize.api.Chunk;
import io.ize.api.Chunker;
import io.ize.api.Event;
import io.ize.api.Manifest;
import io.ize.api.NodeState;
import io.ize.api.Operation;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns captured changes into events and writes them to the store off the FUSE threads.
 *
 * <p>FUSE threads build each event (stat, link target, xattrs; content chunked and hashed) and put
 * it on a queue bounded in bytes: when it is full they wait, so nothing is ever dropped. The
 * content of a small file closed by a writer is the exception: its place in the queue is taken at
 * the close, with the file held open, and the writer thread reads, chunks and hashes it ({@link
 * #closed}), so that close(2) does not wait for it. One thread takes everything queued and appends
 * it to the store in one transaction (group commit). If the store fails, listeners hear of it, the
 * user's writes go on, and the next successful commit starts with a {@link Operation#GAP} record.
 *
 * <p>Lock order: the core's order lock, then {@link #lock}. The store's own monitor is taken only
 * by the writer thread, never while {@link #lock} is held; the writer reads files holding neither.
 * A FUSE thread may wait for the writer (a full queue, a capture not read yet) holding the order
 * lock, which the writer never takes.
 */
public final class Recorder implements Capture, AutoCloseable {
  private static final Logger LOG = System.getLogger(Recorder.class.getName());
  private static final long CHUNK_BATCH_BYTES = 4 << 20;
  private static final int MAX_BATCH_EVENTS = 50_000;
  private static final int MAX_REMEMBERED_MANIFESTS = 10_000;
  private static final int MAX_REMEMBERED_PATHS = 10_000;
  private static final long RETRY_MILLIS = 1000;

  /** Pause after a failed commit, so a store that keeps failing is not hammered (nor the log). */
  private static final long FAILURE_PAUSE_MILLIS = 100;

  /**
   * How long the writer waits for more events before committing a small batch: a commit costs about
   * as much for one event as for a thousand, and a program making changes one after another
   * (create, write, close, next file) would otherwise pay one commit for every event. Nobody waits
   * for this: {@link #sync}, {@link #awaitRead} and {@link #close} cut it short. 50 ms rather than
   * 10: while 20,000 files were created the writer's CPU time went from about 50 to 35 us a file
   * (fewer commits, each rewriting fewer of the same B-tree pages), time the FUSE threads get back
   * on a machine of two cores.
   */
  private static final long LINGER_NANOS = 50_000_000;

  /** A batch this large is committed without lingering. */
  private static final int LINGER_EVENTS = 1_000;

  /** Commits tried after close while the store fails, before the writer gives up. */
  private static final int CLOSING_ATTEMPTS = 20;

  /** The largest file whose capture at a close the writer thread reads (see {@link #closed}). */
  private static final long DEFERRED_MAX_BYTES = 1 << 20;

  /** Captures whose bytes the writer has yet to read, at most: each holds a descriptor open. */
  private static final int DEFERRED_MAX = 1_000;

  private final VersionStore store;
  private final SourceReader source;
  private final long capacity;
  private final boolean strict;
  private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();

  /** Inodes whose current content the store holds (created or captured through the mount). */
  private final Set<Long> knownContent = ConcurrentHashMap.newKeySet();

  /** Directories whose state the store holds. */
  private final Set<Long> knownDirectories = ConcurrentHashMap.newKeySet();

  /**
   * Directory paths whose every directory the store holds, with the {@link #namespace} generation
   * they were checked in: an entry of an earlier generation says nothing.
   */
  private final ConcurrentHashMap<java.nio.ByteBuffer, Long> knownPaths = new ConcurrentHashMap<>();

  /** Counts the renames and removals of directories, which change what a path names. */
  private final java.util.concurrent.atomic.AtomicLong namespace =
      new java.util.concurrent.atomic.AtomicLong();

  /** Where each path was first written since its last capture. */
  private final ConcurrentHashMap<java.nio.ByteBuffer, Long> dirty = new ConcurrentHashMap<>();

  /** The chunk lists of recent captures by inode, so that a capture re-reads only what changed. */
  private final java.util.Map<Long, byte[]> captured =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<Long, byte[]> eldest) {
              return size() > MAX_REMEMBERED_MANIFESTS;
            }
          });

  /** Bytes read from the source to capture content: the cost the dirty-region reuse saves. */
  private final java.util.concurrent.atomic.AtomicLong contentBytesRead =
      new java.util.concurrent.atomic.AtomicLong();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition progress = lock.newCondition();
  private final Condition closed = lock.newCondition();
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();

  /**
   * Inodes with a capture queued whose bytes the writer has not read yet, with how many; guarded by
   * {@link #lock}. A change of such a file's bytes waits for them ({@link #awaitRead}).
   */
  private final java.util.Map<Long, Integer> unread = new java.util.HashMap<>();

  private int unreadTotal;
  private long queuedBytes;
  private long enqueued;
  private long committed;
  private boolean closing;

  /**
   * Threads waiting in {@link #sync} or {@link #awaitRead}: while there are any, the writer does
   * not linger.
   */
  private int syncing;

  private boolean gapPending;
  private IOException lastFailure;

  /**
   * What stopped the writer thread before its time (an error no commit can survive, such as running
   * out of memory); guarded by {@link #lock}. From then on nothing waits for the writer: changes go
   * on unrecorded, as after any failure of the store, and {@link #sync} says so.
   */
  private Throwable stopped;

  private final Thread writer;

  /** Commits that failed since the last one that worked; touched only by the writer thread. */
  private int failuresInARow;

  Recorder(VersionStore store, PassthroughFs fs, long capacityBytes, boolean strict) {
    this.strict = strict;
    this.store = store;
    this.source = new SourceReader(fs);
    this.capacity = capacityBytes;
    this.writer = new Thread(this::drain, "ize-recorder");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  void addListener(StoreListener listener) {
    listeners.add(listener);
  }

  // ------------------------------------------------------------------ capture

  /** Under the strict policy, refuses changes with EIO while the store is failing. */
  @Override
  public int admit() {
    if (!strict) {
      return 0;
    }
    lock.lock();
    try {
      return gapPending ? -Errno.EIO : 0;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void beforeChange(byte[] path) {
    try {
      long inode = source.regularFileInode(path);
      if (inode < 0) {
        return;
      }
      awaitRead(inode);
      if (!knownContent.contains(inode)) {
        read(Operation.PREIMAGE, path, source.stat(path)).run(this::enqueue);
      }
    } catch (java.nio.file.NoSuchFileException absent) {
      // Nothing there yet: nothing to preserve.
    } catch (IOException e) {
      failed(e);
    }
  }

  @Override
  public void written(byte[] path, long offset, long length) {
    dirty.merge(java.nio.ByteBuffer.wrap(path), offset, Math::min);
  }

  private Long firstWritten(byte[] path) {
    return dirty.remove(java.nio.ByteBuffer.wrap(path));
  }

  @Override
  public void changed(Operation operation, byte[] path, byte[] target, int flags) {
    long now = now();
    try {
      switch (operation) {
        case UNLINK:
        case RMDIR:
          if (operation == Operation.RMDIR) {
            forgetPaths();
          }
          enqueue(Event.change(operation, now, relative(path), null, 0, null, List.of()));
          return;
        case RENAME:
          {
            SourceReader.Stat stat = source.stat(target);
            if (stat.state.isDirectory() || (flags & KernelAbi.RENAME_EXCHANGE) != 0) {
              forgetPaths(); // what names the directory's descendants changed
            }
            List<Event.Ancestor> ancestors = new ArrayList<>(ancestors(parent(path)));
            ancestors.addAll(ancestors(parent(target)));
            enqueue(
                Event.change(
                    operation,
                    now,
                    relative(path),
                    relative(target),
                    flags,
                    stat.state,
                    ancestors));
            return;
          }
        case LINK:
          {
            SourceReader.Stat stat = source.stat(path);
            List<Event.Ancestor> ancestors = new ArrayList<>(ancestors(parent(path)));
            ancestors.addAll(ancestors(parent(target)));
            enqueue(
                Event.change(
                    operation, now, relative(path), relative(target), 0, stat.state, ancestors));
            return;
          }
        case WRITE:
        case TRUNCATE:
        case FALLOCATE:
          read(operation, path, source.stat(path)).run(this::enqueue);
          return;
        default:
          {
            SourceReader.Stat stat = source.stat(path);
            if (operation == Operation.CREATE) {
              knownContent.add(stat.inode);
              // The inode number may be a deleted file's: its chunks are not this file's.
              captured.remove(stat.inode);
            } else if (operation == Operation.MKDIR) {
              knownDirectories.add(stat.inode);
            }
            enqueue(
                Event.change(
                    operation, now, relative(path), null, 0, stat.state, ancestors(parent(path))));
          }
      }
    } catch (IOException e) {
      failed(e);
    }
  }

  /**
   * A writer closed a descriptor of the file: records its content as at this close. The bytes of a
   * small file are read by the writer thread, after this returns; until then the capture holds the
   * file open (so a rename or unlink does not matter) and any change of its bytes through the mount
   * waits for it in {@link #beforeChange}. Writes through descriptors already open, which race with
   * the close in any case, are not waited for.
   */
  @Override
  public void closed(byte[] path) {
    try {
      SourceReader.Stat stat = source.stat(path);
      ContentRead read = read(Operation.WRITE, path, stat);
      if (stat.state.size() <= DEFERRED_MAX_BYTES && reserve(stat.inode)) {
        enqueue(new Queued(read, stat.state.size()));
      } else {
        read.run(this::enqueue);
      }
    } catch (IOException e) {
      failed(e);
    }
  }

  /**
   * Opens a file's bytes for a capture of {@code operation}, once any earlier capture of the same
   * file has read its own (their chunk lists build on each other). After writes, only the changed
   * region is read again: chunks of the previous capture that end before the first written byte are
   * kept as they were (content-defined cut points depend only on the bytes before them), except the
   * last, whose end was the old end of file rather than a cut.
   */
  private ContentRead read(Operation operation, byte[] path, SourceReader.Stat stat)
      throws IOException {
    awaitRead(stat.inode);
    Long firstWritten = firstWritten(path);
    byte[] previous = operation == Operation.WRITE ? captured.get(stat.inode) : null;
    Manifest manifest = new Manifest();
    long resume = 0;
    if (previous != null && firstWritten != null) {
      long end = 0;
      for (int i = 0; i + Manifest.ENTRY_BYTES < previous.length; i += Manifest.ENTRY_BYTES) {
        long chunkEnd = end + Manifest.length(previous, i);
        if (chunkEnd > firstWritten) {
          break;
        }
        manifest.add(previous, i);
        end = chunkEnd;
      }
      resume = end;
    }
    InputStream in = source.open(path, resume);
    try {
      return new ContentRead(
          operation, relative(path), stat, manifest, in, now(), ancestors(parent(path)));
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /**
   * A capture of a file's bytes, opened at the moment it records: {@link #run} chunks and hashes
   * them, handing the chunks on ahead of the record naming them.
   */
  private final class ContentRead {
    private final Operation operation;
    private final byte[] path;
    private final SourceReader.Stat stat;
    private final Manifest manifest;
    private final InputStream in;
    private final long time;
    private final List<Event.Ancestor> ancestors;

    ContentRead(
        Operation operation,
        byte[] path,
        SourceReader.Stat stat,
        Manifest manifest,
        InputStream in,
        long time,
        List<Event.Ancestor> ancestors) {
      this.operation = operation;
      this.path = path;
      this.stat = stat;
      this.manifest = manifest;
      this.in = in;
      this.time = time;
      this.ancestors = ancestors;
    }

    void run(java.util.function.Consumer<Event> sink) throws IOException {
      List<Chunk> batch = new ArrayList<>();
      long[] batchBytes = {0};
      try (in) {
        contentBytesRead.addAndGet(
            Chunker.split(
                in,
                chunk -> {
                  manifest.add(chunk);
                  batch.add(chunk);
                  batchBytes[0] += chunk.data().length;
                  if (batchBytes[0] >= CHUNK_BATCH_BYTES) {
                    sink.accept(Event.chunks(batch));
                    batch.clear();
                    batchBytes[0] = 0;
                  }
                }));
      }
      if (!batch.isEmpty()) {
        sink.accept(Event.chunks(batch));
      }
      NodeState state = stat.state.withContent(manifest.id(), manifest.size());
      sink.accept(Event.content(operation, time, path, state, manifest, ancestors));
      knownContent.add(stat.inode);
      captured.put(stat.inode, manifest.bytes());
    }

    /** Closes the file without reading it: the writer will never get to it. */
    void abandon() {
      try {
        in.close();
      } catch (IOException ignored) {
        // a source descriptor open for reading: closing it cannot lose anything
      }
    }
  }

  /** States of the directories on {@code dir}'s path that the store may not know yet. */
  private List<Event.Ancestor> ancestors(byte[] dir) throws IOException {
    if (dir == null) {
      return List.of();
    }
    long generation = namespace.get();
    java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(dir);
    Long checked = knownPaths.get(key);
    if (checked != null && checked == generation) {
      return List.of(); // the common case: no system call at all
    }
    List<Event.Ancestor> unknown = new ArrayList<>();
    int end = dir.length - 1;
    for (int i = 0; i <= end; i++) {
      if (i == end || dir[i] == '/') {
        byte[] prefix = Arrays.copyOf(dir, i + 1);
        prefix[i] = 0;
        if (knownDirectories.contains(source.inode(prefix))) {
          continue; // the common case, answered without reading the directory's xattrs
        }
        SourceReader.Stat stat = source.stat(prefix);
        if (knownDirectories.add(stat.inode)) {
          unknown.add(new Event.Ancestor(relative(prefix), stat.state));
        }
      }
    }
    if (knownPaths.size() >= MAX_REMEMBERED_PATHS) {
      knownPaths.clear();
    }
    knownPaths.put(key, generation);
    return unknown;
  }

  /** Called for every rename or directory removal, before it is recorded. */
  private void forgetPaths() {
    namespace.incrementAndGet();
    knownPaths.clear();
  }

  // ------------------------------------------------------------------ queue

  /** What the writer commits: an event, or a capture whose bytes it reads first. */
  private static final class Queued {
    final Event event;
    final ContentRead read;
    final long weight;

    Queued(Event event) {
      this.event = event;
      this.read = null;
      this.weight = event.weight();
    }

    Queued(ContentRead read, long size) {
      this.event = null;
      this.read = read;
      this.weight = 1024 + size;
    }
  }

  private void enqueue(Event event) {
    enqueue(new Queued(event));
  }

  private void enqueue(Queued entry) {
    lock.lock();
    try {
      while (queuedBytes + entry.weight > capacity && !queue.isEmpty() && stopped == null) {
        progress.awaitUninterruptibly();
      }
      if (stopped != null) {
        if (entry.read != null) {
          abandon(entry.read);
        }
        return; // the loss was told when the writer stopped
      }
      queue.add(entry);
      queuedBytes += entry.weight;
      enqueued++;
      // The writer waits for a first event, then lingers until a batch is large enough (see
      // drain): waking it for every event in between would only cost a context switch each.
      if (queue.size() == 1 || queue.size() >= LINGER_EVENTS || queuedBytes >= capacity / 2) {
        notEmpty.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Counts a capture of {@code inode} the writer will read; false if too many are waiting. */
  private boolean reserve(long inode) {
    lock.lock();
    try {
      if (unreadTotal >= DEFERRED_MAX || stopped != null) {
        return false;
      }
      unread.merge(inode, 1, Integer::sum);
      unreadTotal++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Returns once the writer has read every capture of {@code inode} queued so far. */
  private void awaitRead(long inode) {
    lock.lock();
    try {
      if (!unread.containsKey(inode)) {
        return;
      }
      syncing++;
      notEmpty.signalAll();
      try {
        while (unread.containsKey(inode)) {
          progress.awaitUninterruptibly();
        }
      } finally {
        syncing--;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Reads the captures among {@code taken}; returns the events to commit, in order. */
  private List<Event> resolve(List<Queued> taken) {
    List<Event> events = new ArrayList<>(taken.size());
    List<Long> read = new ArrayList<>();
    for (Queued entry : taken) {
      if (entry.read == null) {
        events.add(entry.event);
        continue;
      }
      try {
        entry.read.run(events::add);
      } catch (IOException e) {
        failed(e);
      } catch (RuntimeException e) { // the writer thread must outlive any one capture
        failed(new IOException("capturing " + Names.display(entry.read.path) + ": " + e, e));
      }
      read.add(entry.read.stat.inode);
    }
    if (!read.isEmpty()) {
      lock.lock();
      try {
        read.forEach(this::readOne);
        progress.signalAll();
      } finally {
        lock.unlock();
      }
    }
    return events;
  }

  /** Closes a capture the writer will never read and counts it as read; under {@link #lock}. */
  private void abandon(ContentRead read) {
    read.abandon();
    readOne(read.stat.inode);
  }

  /** One capture of {@code inode} was read (or given up); called under {@link #lock}. */
  private void readOne(long inode) {
    unread.computeIfPresent(inode, (key, count) -> count == 1 ? null : count - 1);
    unreadTotal--;
  }

  /**
   * Empties the queue when the writer stops: closes the files of captures it will never read and
   * frees everyone waiting for it.
   */
  private void abandonQueued() {
    lock.lock();
    try {
      for (Queued entry : queue) {
        if (entry.read != null) {
          abandon(entry.read);
        }
      }
      queue.clear();
      queuedBytes = 0;
      progress.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void drain() {
    try {
      commitUntilClosed();
    } catch (Throwable fatal) { // an Error the commit loop does not survive: see #stopped
      IOException told =
          new IOException(
              "the recorder stopped (" + fatal + "); nothing more is recorded until remount",
              fatal);
      LOG.log(Level.ERROR, told.getMessage(), fatal);
      lock.lock();
      try {
        stopped = fatal;
      } finally {
        lock.unlock();
      }
      heard(told);
      throw fatal;
    } finally {
      abandonQueued();
    }
  }

  private void commitUntilClosed() {
    while (true) {
      List<Queued> taken = new ArrayList<>();
      long bytes = 0;
      boolean gap;
      lock.lock();
      try {
        while (queue.isEmpty() && !closing && !gapPending) {
          notEmpty.awaitUninterruptibly();
        }
        if (queue.isEmpty() && gapPending && !closing) {
          // After a failure, try the store again now and then: the gap record alone.
          try {
            notEmpty.await(RETRY_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        if (queue.isEmpty() && !gapPending) {
          return;
        }
        long lingerUntil = System.nanoTime() + LINGER_NANOS;
        while (!closing
            && syncing == 0
            && queue.size() < LINGER_EVENTS
            && queuedBytes < capacity / 2) {
          long left = lingerUntil - System.nanoTime();
          if (left <= 0) {
            break;
          }
          try {
            notEmpty.awaitNanos(left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
        while (!queue.isEmpty() && taken.size() < MAX_BATCH_EVENTS) {
          Queued entry = queue.poll();
          taken.add(entry);
          bytes += entry.weight;
        }
      } finally {
        lock.unlock();
      }
      List<Event> batch = resolve(taken);
      lock.lock();
      try {
        gap = gapPending; // read after resolving: a capture that failed to read leaves a gap
      } finally {
        lock.unlock();
      }
      IOException failure = null;
      try {
        if (gap) {
          List<Event> withGap = new ArrayList<>(batch.size() + 1);
          withGap.add(Event.gap(now(), "the version store failed; changes were not recorded"));
          withGap.addAll(batch);
          store.append(withGap);
        } else {
          store.append(batch);
        }
      } catch (IOException | RuntimeException | LinkageError e) {
        // A LinkageError is a store that cannot run here (a native library, a module not opened
        // to it): a failure like any other, so the mount goes on and the history shows the gap.
        failure = e instanceof IOException ? (IOException) e : new IOException(e.toString(), e);
      }
      if (failure != null) {
        if (++failuresInARow == 1) {
          LOG.log(Level.ERROR, "recording failed; the history will show a gap", failure);
        } else {
          LOG.log(
              Level.DEBUG,
              "recording still fails ({0} commits in a row): {1}",
              failuresInARow,
              failure);
        }
        heard(failure);
      } else if (failuresInARow > 0) {
        LOG.log(Level.INFO, "recording recovered after {0} failed commits", failuresInARow);
        failuresInARow = 0;
      }
      boolean givingUp;
      lock.lock();
      try {
        if (failure == null) {
          gapPending = false;
        }
        queuedBytes -= bytes;
        committed += taken.size();
        progress.signalAll();
        givingUp = closing && failuresInARow >= CLOSING_ATTEMPTS;
        if (failure != null && !givingUp) {
          try {
            closed.await(FAILURE_PAUSE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      } finally {
        lock.unlock();
      }
      if (givingUp) {
        LOG.log(
            Level.ERROR,
            "closing while the store still fails after {0} attempts: the changes since its"
                + " failure are in the files but not in the history, and no gap record could be"
                + " written",
            failuresInARow);
        return;
      }
    }
  }

  /** A capture that failed on a FUSE thread: logged, then as {@link #heard}. */
  private void failed(IOException e) {
    LOG.log(Level.ERROR, "recording failed; the history will show a gap", e);
    heard(e);
  }

  /** Marks a gap and tells the listeners. */
  private void heard(IOException e) {
    lock.lock();
    try {
      gapPending = true;
      lastFailure = e;
    } finally {
      lock.unlock();
    }
    for (StoreListener listener : listeners) {
      try {
        listener.failed(e);
      } catch (RuntimeException thrown) {
        LOG.log(Level.WARNING, "a store listener threw", thrown);
      }
    }
  }

  /**
   * Returns once everything captured so far is committed and durable.
   *
   * @throws IOException the store's last failure, if recording failed since the previous sync
   */
  void sync() throws IOException {
    lock.lock();
    try {
      long target = enqueued;
      syncing++;
      notEmpty.signalAll();
      try {
        while (committed < target && stopped == null) {
          progress.awaitUninterruptibly();
        }
      } finally {
        syncing--;
      }
      if (stopped != null) {
        throw new IOException("recording stopped: " + stopped, stopped);
      }
      IOException failure = lastFailure;
      lastFailure = null;
      if (failure != null) {
        throw new IOException("recording failed: " + failure.getMessage(), failure);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Bytes read from the source so far to capture content. */
  long contentBytesRead() {
    return contentBytesRead.get();
  }

  /** Events captured but not yet committed. */
  long lagEvents() {
    lock.lock();
    try {
      return enqueued - committed;
    } finally {
      lock.unlock();
    }
  }

  /** Bytes held by the queue. */
  long lagBytes() {
    lock.lock();
    try {
      return queuedBytes;
    } finally {
      lock.unlock();
    }
  }

  /** Drains the queue into the store and stops the writer thread. */
  @Override
  public void close() {
    lock.lock();
    try {
      closing = true;
      notEmpty.signalAll();
      closed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------ paths

  /** A core path (NUL-terminated, {@code "."} for the root) as the store's relative bytes. */
  private static byte[] relative(byte[] path) {
    int length = path.length;
    while (length > 0 && path[length - 1] == 0) {
      length--;
    }
    if (length == 1 && path[0] == '.') {
      return new byte[0];
    }
    return Arrays.copyOf(path, length);
  }

  /** The parent directory of a core path, as a core path; null for entries of the root. */
  private static byte[] parent(byte[] path) {
    int slash = path.length - 2;
    while (slash >= 0 && path[slash] != '/') {
      slash--;
    }
    if (slash <= 0) {
      return null;
    }
    byte[] parent = Arrays.copyOf(path, slash + 1);
    parent[slash] = 0;
    return parent;
  }

  private static long now() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
