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
 * it on a queue bounded in bytes: when it is full they wait, so nothing is ever dropped. One thread
 * takes everything queued and appends it to the store in one transaction (group commit). If the
 * store fails, listeners hear of it, the user's writes go on, and the next successful commit starts
 * with a {@link Operation#GAP} record.
 *
 * <p>Lock order: the core's order lock, then {@link #lock}. The store's own monitor is taken only
 * by the writer thread, never while {@link #lock} is held.
 */
public final class Recorder implements Capture, AutoCloseable {
  private static final Logger LOG = System.getLogger(Recorder.class.getName());
  private static final long CHUNK_BATCH_BYTES = 4 << 20;
  private static final int MAX_BATCH_EVENTS = 50_000;
  private static final int MAX_REMEMBERED_MANIFESTS = 10_000;
  private static final long RETRY_MILLIS = 1000;

  /** Pause after a failed commit, so a store that keeps failing is not hammered (nor the log). */
  private static final long FAILURE_PAUSE_MILLIS = 100;

  /**
   * How long the writer waits for more events before committing a small batch: a commit costs about
   * as much for one event as for a thousand, and a program making changes one after another
   * (create, write, close, next file) would otherwise pay one commit for every event. Nobody waits
   * for this: {@link #sync} and {@link #close} cut it short.
   */
  private static final long LINGER_NANOS = 10_000_000;

  /** A batch this large is committed without lingering. */
  private static final int LINGER_EVENTS = 1_000;

  /** Commits tried after close while the store fails, before the writer gives up. */
  private static final int CLOSING_ATTEMPTS = 20;

  private final VersionStore store;
  private final SourceReader source;
  private final long capacity;
  private final boolean strict;
  private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();

  /** Inodes whose current content the store holds (created or captured through the mount). */
  private final Set<Long> knownContent = ConcurrentHashMap.newKeySet();

  /** Directories whose state the store holds. */
  private final Set<Long> knownDirectories = ConcurrentHashMap.newKeySet();

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
  private final ArrayDeque<Event> queue = new ArrayDeque<>();
  private long queuedBytes;
  private long enqueued;
  private long committed;
  private boolean closing;

  /** Threads waiting in {@link #sync}: while there are any, the writer does not linger. */
  private int syncing;

  private boolean gapPending;
  private IOException lastFailure;
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
      SourceReader.Stat stat = source.stat(path);
      if (!stat.state.isRegularFile() || knownContent.contains(stat.inode)) {
        return;
      }
      captureContent(Operation.PREIMAGE, path, stat);
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
          enqueue(Event.change(operation, now, relative(path), null, 0, null, List.of()));
          return;
        case RENAME:
          {
            SourceReader.Stat stat = source.stat(target);
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
          captureContent(operation, path, source.stat(path));
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
   * Chunks and hashes a file's bytes, queueing the chunks ahead of the record naming them. After
   * writes, only the changed region is read again: chunks of the previous capture that end before
   * the first written byte are kept as they were (content-defined cut points depend only on the
   * bytes before them), except the last, whose end was the old end of file rather than a cut.
   */
  private void captureContent(Operation operation, byte[] path, SourceReader.Stat stat)
      throws IOException {
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
    List<Chunk> batch = new ArrayList<>();
    long[] batchBytes = {0};
    try (InputStream in = source.open(path, resume)) {
      contentBytesRead.addAndGet(
          Chunker.split(
              in,
              chunk -> {
                manifest.add(chunk);
                batch.add(chunk);
                batchBytes[0] += chunk.data().length;
                if (batchBytes[0] >= CHUNK_BATCH_BYTES) {
                  enqueue(Event.chunks(batch));
                  batch.clear();
                  batchBytes[0] = 0;
                }
              }));
    }
    if (!batch.isEmpty()) {
      enqueue(Event.chunks(batch));
    }
    NodeState state = stat.state.withContent(manifest.id(), manifest.size());
    enqueue(
        Event.content(operation, now(), relative(path), state, manifest, ancestors(parent(path))));
    knownContent.add(stat.inode);
    captured.put(stat.inode, manifest.bytes());
  }

  /** States of the directories on {@code dir}'s path that the store may not know yet. */
  private List<Event.Ancestor> ancestors(byte[] dir) throws IOException {
    if (dir == null) {
      return List.of();
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
    return unknown;
  }

  // ------------------------------------------------------------------ queue

  private void enqueue(Event event) {
    long weight = event.weight();
    lock.lock();
    try {
      while (queuedBytes + weight > capacity && !queue.isEmpty()) {
        progress.awaitUninterruptibly();
      }
      queue.add(event);
      queuedBytes += weight;
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

  private void drain() {
    while (true) {
      List<Event> batch = new ArrayList<>();
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
        while (!queue.isEmpty() && batch.size() < MAX_BATCH_EVENTS) {
          Event event = queue.poll();
          batch.add(event);
          bytes += event.weight();
        }
        gap = gapPending;
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
      } catch (IOException | RuntimeException e) {
        failure = e instanceof IOException ? (IOException) e : new IOException(e);
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
        committed += batch.size();
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
        while (committed < target) {
          progress.awaitUninterruptibly();
        }
      } finally {
        syncing--;
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
