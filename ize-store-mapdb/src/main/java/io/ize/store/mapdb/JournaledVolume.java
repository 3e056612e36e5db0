package io.ize.store.mapdb;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.mapdb.DataInput2;
import org.mapdb.volume.Volume;

/**
 * The store file as MapDB sees it: writes collect in memory as whole {@link Journal#PAGE pages} and
 * reach the file only at {@link #sync()}, MapDB's last step of a commit, through the {@link
 * Journal}. So the file always holds exactly one commit's state, and a process killed at any moment
 * loses at most the commit in progress.
 *
 * <p>MapDB writes to its store file only while committing (with every segment lock held) and when
 * it creates the file; between commits no page is pending and reads go straight to the file.
 *
 * <p>Lock order: MapDB's own locks, then this volume's monitor, which guards the pending pages and
 * is held by nothing else.
 */
final class JournaledVolume extends Volume {
  private final Volume file;
  // Open as long as the volume: closing any descriptor of the file would drop the process's
  // fcntl lock on it, which MapDB's file lock is.
  private final FileChannel growth;
  private final FileChannel journal;
  private final SortedMap<Long, byte[]> pending = new TreeMap<>(); // guarded by this
  private volatile boolean changed; // whether pending holds a page; written under this

  private JournaledVolume(Volume file, FileChannel growth, FileChannel journal) {
    this.file = file;
    this.growth = growth;
    this.journal = journal;
  }

  /**
   * Wraps {@code file}, an open (and locked) store file, first applying a complete journal left by
   * a process that stopped between forcing its journal and finishing the file.
   */
  static JournaledVolume recover(Volume file, Path journalPath) throws IOException {
    Journal.Contents left = Journal.read(journalPath);
    FileChannel growth = FileChannel.open(file.getFile().toPath(), StandardOpenOption.WRITE);
    FileChannel journal = null;
    try {
      journal = Journal.open(journalPath);
      if (left != null) {
        apply(file, left.length(), left.pages());
      }
      Journal.clear(journal);
      return new JournaledVolume(file, growth, journal);
    } catch (IOException | RuntimeException e) {
      growth.close();
      if (journal != null) {
        journal.close();
      }
      throw e;
    }
  }

  /**
   * Whether a store is at {@code path}: its header was committed, or a complete journal will commit
   * it. A file MapDB created but whose first commit never finished holds no store.
   */
  static boolean exists(Path path, Path journalPath) {
    try {
      if (Files.isRegularFile(path)) {
        try (InputStream in = Files.newInputStream(path)) {
          byte[] header = in.readNBytes(8);
          if (header.length == 8 && ByteBuffer.wrap(header).getLong() != 0) {
            return true;
          }
        }
      }
      return Journal.read(journalPath) != null; // read only where no header is committed
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the MapDB store file " + path, e);
    }
  }

  private static void apply(Volume file, long length, SortedMap<Long, byte[]> pages) {
    long end = length;
    if (!pages.isEmpty()) {
      end = Math.max(end, (pages.lastKey() + 1) * Journal.PAGE);
    }
    file.ensureAvailable(end);
    for (Map.Entry<Long, byte[]> page : pages.entrySet()) {
      file.putData(page.getKey() * Journal.PAGE, page.getValue(), 0, Journal.PAGE);
    }
    file.sync();
  }

  // ============================================================ writes: pages in memory

  private synchronized void write(long offset, byte[] source, int from, int length) {
    while (length > 0) {
      long index = offset / Journal.PAGE;
      int within = (int) (offset % Journal.PAGE);
      int n = Math.min(length, Journal.PAGE - within);
      System.arraycopy(source, from, page(index), within, n);
      offset += n;
      from += n;
      length -= n;
    }
  }

  /** The pending image of a page, starting as the file's. Called holding this. */
  private byte[] page(long index) {
    byte[] page = pending.get(index);
    if (page == null) {
      page = new byte[Journal.PAGE];
      long start = index * Journal.PAGE;
      long available = file.length() - start;
      if (available > 0) {
        file.getData(start, page, 0, (int) Math.min(available, Journal.PAGE));
      }
      pending.put(index, page);
      changed = true;
    }
    return page;
  }

  @Override
  public void putLong(long offset, long value) {
    write(offset, ByteBuffer.allocate(8).putLong(value).array(), 0, 8);
  }

  @Override
  public void putInt(long offset, int value) {
    write(offset, ByteBuffer.allocate(4).putInt(value).array(), 0, 4);
  }

  @Override
  public void putByte(long offset, byte value) {
    write(offset, new byte[] {value}, 0, 1);
  }

  @Override
  public void putData(long offset, byte[] source, int from, int length) {
    write(offset, source, from, length);
  }

  @Override
  public void putData(long offset, ByteBuffer source) {
    byte[] bytes = new byte[source.remaining()];
    source.get(bytes);
    write(offset, bytes, 0, bytes.length);
  }

  @Override
  public void clear(long start, long end) {
    byte[] zeros = new byte[Journal.PAGE];
    for (long at = start; at < end; at += Journal.PAGE) {
      write(at, zeros, 0, (int) Math.min(Journal.PAGE, end - at));
    }
  }

  /**
   * Ends a commit: journals the pending pages, forces the journal, writes them into the file,
   * forces it, and empties the journal.
   */
  @Override
  public synchronized void sync() {
    if (pending.isEmpty()) {
      file.sync();
      return;
    }
    try {
      Journal.write(journal, file.length(), pending);
      apply(file, file.length(), pending);
      Journal.clear(journal);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the MapDB store's journal for " + file, e);
    }
    pending.clear();
    changed = false;
  }

  // ============================================================ reads: pending pages first

  private synchronized byte[] read(long offset, int length) {
    byte[] bytes = new byte[length];
    int done = 0;
    while (done < length) {
      long at = offset + done;
      long index = at / Journal.PAGE;
      int within = (int) (at % Journal.PAGE);
      int n = Math.min(length - done, Journal.PAGE - within);
      byte[] page = pending.get(index);
      if (page != null) {
        System.arraycopy(page, within, bytes, done, n);
      } else {
        file.getData(at, bytes, done, n);
      }
      done += n;
    }
    return bytes;
  }

  @Override
  public long getLong(long offset) {
    return changed ? ByteBuffer.wrap(read(offset, 8)).getLong() : file.getLong(offset);
  }

  @Override
  public int getInt(long offset) {
    return changed ? ByteBuffer.wrap(read(offset, 4)).getInt() : file.getInt(offset);
  }

  @Override
  public byte getByte(long offset) {
    return changed ? read(offset, 1)[0] : file.getByte(offset);
  }

  @Override
  public void getData(long offset, byte[] target, int from, int length) {
    if (changed) {
      System.arraycopy(read(offset, length), 0, target, from, length);
    } else {
      file.getData(offset, target, from, length);
    }
  }

  @Override
  public DataInput2 getDataInput(long offset, int size) {
    return changed ? new DataInput2.ByteArray(read(offset, size)) : file.getDataInput(offset, size);
  }

  // ============================================================ the rest: the file's

  /**
   * Grows the file, writing the zeros rather than leaving a hole: a full disk is then an
   * IOException here, not a SIGBUS later when a mapped page finds no room. Growing appends zeros
   * that no committed record refers to, so it needs no journal.
   */
  @Override
  public synchronized void ensureAvailable(long offset) {
    long slice = file.sliceSize() > 0 ? file.sliceSize() : Journal.PAGE;
    long end = (offset + slice - 1) / slice * slice;
    long size = file.length();
    if (end > size) {
      try {
        ByteBuffer zeros = ByteBuffer.allocate(1 << 16);
        try {
          for (long at = size; at < end; ) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), end - at));
            at += growth.write(zeros, at);
          }
        } catch (IOException e) {
          growth.truncate(size);
          throw e;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot grow the MapDB store file " + file.getFile() + " to " + end + " bytes", e);
      }
    }
    file.ensureAvailable(offset);
  }

  @Override
  public synchronized void truncate(long size) {
    if (changed) {
      throw new IllegalStateException("cannot truncate " + file + " in the middle of a commit");
    }
    file.truncate(size);
  }

  @Override
  public long length() {
    return file.length();
  }

  @Override
  public int sliceSize() {
    return file.sliceSize();
  }

  @Override
  public boolean isSliced() {
    return file.isSliced();
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  @Override
  public File getFile() {
    return file.getFile();
  }

  @Override
  public boolean getFileLocked() {
    return file.getFileLocked();
  }

  @Override
  public boolean fileLoad() {
    return file.fileLoad();
  }

  /** Closes the file; pages of a commit that never reached {@link #sync()} are dropped. */
  @Override
  public synchronized void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    pending.clear();
    changed = false;
    try {
      journal.close();
      growth.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the MapDB store's journal for " + file, e);
    } finally {
      file.close();
    }
  }

  @Override
  public String toString() {
    return "journaled " + file.getFile();
  }
}
