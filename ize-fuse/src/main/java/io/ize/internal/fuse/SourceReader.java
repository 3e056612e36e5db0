package io.ize.internal.fuse;

import io.ize.api.NodeState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Reads what the recorder keeps from the source, through the core (so relative to the source's root
 * descriptor, never through the mount): a node's state and a file's bytes.
 */
final class SourceReader {
  private static final Runtime RUNTIME = Runtime.getRuntime(LibC.INSTANCE);
  private static final int BLOCK = 1 << 20;
  private static final String STAT_FAILED = "cannot read the state to record";

  /**
   * Each thread's read buffer, kept for the thread's life: allocating (and so zeroing and faulting
   * in) a megabyte for every capture cost more than the capture of a small file itself. A stream
   * takes the buffer of the thread reading it (which need not be the one that opened it), and each
   * read copies its bytes out before returning, so streams read by one thread may share it.
   */
  private static final ThreadLocal<Pointer> BUFFER =
      ThreadLocal.withInitial(() -> Memory.allocateDirect(RUNTIME, BLOCK));

  /** Each thread's stat buffer; every caller reads what it needs from it before returning. */
  private static final ThreadLocal<Pointer> STAT =
      ThreadLocal.withInitial(() -> Memory.allocateDirect(RUNTIME, LibC.STAT_SIZE));

  private final PassthroughFs fs;

  SourceReader(PassthroughFs fs) {
    this.fs = fs;
  }

  /** The inode number of a path, without the rest of its state. */
  long inode(byte[] path) throws IOException {
    return lstat(path).getLong(LibC.STAT_INO);
  }

  /**
   * The inode number of a path if it is a regular file, else -1 (absent included: no exception, as
   * a rename to a new name asks this every time); without the rest of its state.
   */
  long regularFileInode(byte[] path) throws IOException {
    Pointer buffer = lstatIfPresent(path);
    return buffer != null && (buffer.getInt(LibC.STAT_MODE) & LibC.S_IFMT) == LibC.S_IFREG
        ? buffer.getLong(LibC.STAT_INO)
        : -1;
  }

  private Pointer lstat(byte[] path) throws IOException {
    Pointer buffer = lstatIfPresent(path);
    if (buffer == null) {
      throw Errno.exception(Errno.ENOENT, STAT_FAILED, Names.display(path));
    }
    return buffer;
  }

  /** The thread's stat buffer filled for {@code path}; null if there is nothing at the path. */
  private Pointer lstatIfPresent(byte[] path) throws IOException {
    Pointer buffer = STAT.get();
    int rc = fs.getattr(path, buffer);
    if (rc == -Errno.ENOENT) {
      return null;
    }
    if (rc < 0) {
      throw Errno.exception(-rc, STAT_FAILED, Names.display(path));
    }
    return buffer;
  }

  /** What {@code stat} says of a path, with its link target and xattrs; content not included. */
  Stat stat(byte[] path) throws IOException {
    Pointer buffer = lstat(path);
    int mode = buffer.getInt(LibC.STAT_MODE);
    byte[] link = null;
    if ((mode & LibC.S_IFMT) == LibC.S_IFLNK) {
      Pointer target = Memory.allocateDirect(RUNTIME, 4097);
      if (fs.readlink(path, target, 4097) == 0) {
        link = Names.cString(target);
        link = java.util.Arrays.copyOf(link, link.length - 1);
      }
    }
    NodeState state =
        new NodeState(
            mode,
            buffer.getInt(28),
            buffer.getInt(LibC.STAT_GID),
            buffer.getLong(40),
            buffer.getLong(LibC.STAT_SIZE_FIELD),
            buffer.getLong(88),
            (int) buffer.getLong(96),
            link,
            xattrs(path),
            null);
    return new Stat(buffer.getLong(LibC.STAT_INO), state);
  }

  private Map<String, byte[]> xattrs(byte[] path) {
    Map<String, byte[]> xattrs = new TreeMap<>();
    int size = fs.listxattr(path, null, 0);
    if (size <= 0) {
      return xattrs;
    }
    Pointer list = Memory.allocateDirect(RUNTIME, size);
    size = fs.listxattr(path, list, size);
    int start = 0;
    for (int i = 0; i < size; i++) {
      if (list.getByte(i) == 0) {
        byte[] name = new byte[i - start + 1];
        list.get(start, name, 0, i - start);
        int length = fs.getxattr(path, name, null, 0);
        if (length >= 0) {
          Pointer value = Memory.allocateDirect(RUNTIME, Math.max(1, length));
          length = fs.getxattr(path, name, value, length);
          if (length >= 0) {
            byte[] bytes = new byte[length];
            value.get(0, bytes, 0, length);
            xattrs.put(new String(name, 0, name.length - 1, StandardCharsets.UTF_8), bytes);
          }
        }
        start = i + 1;
      }
    }
    return xattrs;
  }

  /** The file's bytes from {@code start} on, read from the source. */
  InputStream open(byte[] path, long start) throws IOException {
    int fd = fs.open(path, LibC.O_RDONLY);
    if (fd < 0) {
      throw Errno.exception(-fd, "cannot read content to record", Names.display(path));
    }
    return new InputStream() {
      private long offset = start;
      private boolean closed;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        Pointer buffer = BUFFER.get();
        int n = fs.read(fd, buffer, Math.min(len, BLOCK), offset);
        if (n < 0) {
          throw Errno.exception(-n, "cannot read content to record", Names.display(path));
        }
        if (n == 0) {
          return len == 0 ? 0 : -1;
        }
        buffer.get(0, b, off, n);
        offset += n;
        return n;
      }

      @Override
      public void close() {
        if (!closed) {
          closed = true;
          fs.release(null, fd);
        }
      }
    };
  }

  /** A node's inode number and state. */
  static final class Stat {
    final long inode;
    final NodeState state;

    Stat(long inode, NodeState state) {
      this.inode = inode;
      this.state = state;
    }
  }
}
