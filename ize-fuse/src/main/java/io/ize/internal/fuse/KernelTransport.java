package io.ize.internal.fuse;

import static io.ize.internal.fuse.KernelAbi.*;

import io.ize.internal.fuse.NodeTable.Alias;
import io.ize.internal.fuse.NodeTable.Node;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The kernel transport's request layer: decodes each FUSE request read from {@code /dev/fuse},
 * calls {@link PassthroughFs} with the path {@link NodeTable} derives for its node, and encodes the
 * reply. Every request goes through {@link #serve}, the one place that turns an exception into EIO
 * (logged with its stack), so no exception ever stops a worker.
 *
 * <p>Data: a file opened while passthrough is on is registered once per inode with the kernel
 * ({@code FUSE_DEV_IOC_BACKING_OPEN}, shared by the inode's concurrent opens, closed at its last
 * release), and the kernel then reads and writes the source file itself. Its history stays whole
 * because the core preserves the pre-image when a writable handle is handed out and captures the
 * content at flush, release and fsync ({@link PassthroughFs#writesBypass}). Where passthrough is
 * refused, READ and WRITE are served here with requests of up to 1 MiB.
 *
 * <p>Lock order: {@link #namespace} (read for every request that derives a path, write for a
 * rename, which moves the paths of a whole subtree) comes before the core's order lock; the node
 * table's monitor and each node's monitor are leaves.
 */
final class KernelTransport {
  private static final Logger LOG = System.getLogger(KernelTransport.class.getName());
  static final int NO_REPLY = Integer.MIN_VALUE;
  private static final int PATH_MAX = 4096;
  static final int MAX_WRITE = 1 << 20;
  static final int IN_BUFFER = MAX_WRITE + 64 * 1024;
  private static final int OUT_BUFFER = MAX_WRITE + 4096;

  /**
   * How long the kernel may keep the source's names: they change only through the mount, whose
   * every change the kernel sees itself (as libfuse's passthrough_hp assumes too, for a day).
   */
  private static final long ENTRY_SECONDS = 3600;

  /**
   * How long the kernel may keep a source file's attributes. Every change through the mount updates
   * or invalidates them in the kernel (hard links share one kernel inode, so a change through one
   * name shows through every other at once), except the mtime that writes through a shared mapping
   * give the backing file: the release of a writable passthrough handle invalidates them (see
   * {@link #release}), and a mapping written after its descriptor's close shows its mtime within
   * this time.
   */
  private static final long ATTR_SECONDS = 60;

  /** Names and attributes under {@code /.ize}, which change as history is recorded. */
  private static final long HISTORY_SECONDS = 1;

  private static final Runtime RUNTIME = Runtime.getSystemRuntime();
  private static final LibC C = LibC.INSTANCE;

  private final PassthroughFs fs;
  private final NodeTable nodes;
  private final ReentrantReadWriteLock namespace = new ReentrantReadWriteLock();
  private final ConcurrentHashMap<Long, Handle> files = new ConcurrentHashMap<>();
  private final LongAdder readRequests = new LongAdder();
  private final LongAdder writeRequests = new LongAdder();
  private final LongAdder flushRequests = new LongAdder();
  private final int deviceFd;
  private volatile boolean passthrough;

  /** Whether the kernel leaves clearing set-user-ID and set-group-ID to us (see killSuidGid). */
  private volatile boolean killsSuidGid;

  /** An open file: its node and whether it holds a share of the node's backing file. */
  private static final class Handle {
    final Node node;
    final boolean backed;
    final boolean writable;

    Handle(Node node, boolean backed, boolean writable) {
      this.node = node;
      this.backed = backed;
      this.writable = writable;
    }
  }

  KernelTransport(PassthroughFs fs, NodeTable nodes, int deviceFd) {
    this.fs = fs;
    this.nodes = nodes;
    this.deviceFd = deviceFd;
  }

  void passthrough(boolean on) {
    this.passthrough = on;
  }

  void killsSuidGid(boolean on) {
    this.killsSuidGid = on;
  }

  boolean passthrough() {
    return passthrough;
  }

  /** READ requests served so far (none reach us while passthrough serves data). */
  long readRequests() {
    return readRequests.sum();
  }

  long writeRequests() {
    return writeRequests.sum();
  }

  /** FLUSH requests served so far (the kernel sends none for the close of a reader). */
  long flushRequests() {
    return flushRequests.sum();
  }

  /** One worker's buffers, reused for every request it serves: nothing allocated per read. */
  static final class Buffers {
    final Pointer in = Memory.allocateDirect(RUNTIME, IN_BUFFER);
    final Pointer out = Memory.allocateDirect(RUNTIME, OUT_BUFFER);
    final Pointer payload = out.slice(OUT_HEADER);
    final Pointer stat = Memory.allocateDirect(RUNTIME, LibC.STAT_SIZE);
    final Pointer scratch = Memory.allocateDirect(RUNTIME, 256);
    final byte[] name = new byte[PATH_MAX + 1];
  }

  // ------------------------------------------------------------------ serving

  /** Serves the request in {@code b.in} ({@code length} bytes) read from {@code fd}. */
  void serve(int fd, Buffers b, long length) {
    int reply = answer(b, length);
    if (reply == NO_REPLY) {
      return;
    }
    long n = DEVICE.write(fd, b.out, reply);
    if (n < 0) {
      int errno = LibC.errno();
      if (errno != Errno.ENOENT && errno != ENODEV) {
        LOG.log(
            Level.WARNING,
            "FUSE reply to opcode {0}: {1}",
            b.in.getInt(IN_OPCODE),
            Errno.describe(errno));
      }
    }
  }

  /**
   * Answers the request in {@code b.in} ({@code length} bytes, as a {@code /dev/fuse} read gives
   * it): returns the length of the reply written to {@code b.out}, or {@link #NO_REPLY}.
   */
  int answer(Buffers b, long length) {
    int opcode = b.in.getInt(IN_OPCODE);
    long unique = b.in.getLong(IN_UNIQUE);
    int result;
    Lock lock = null;
    if (opcode == RENAME || opcode == RENAME2) {
      lock = namespace.writeLock();
    } else if (opcode != READ && opcode != FORGET && opcode != BATCH_FORGET) {
      lock = namespace.readLock();
    }
    try {
      if (lock != null) {
        lock.lock();
      }
      try {
        result = dispatch(opcode, b, length);
      } finally {
        if (lock != null) {
          lock.unlock();
        }
      }
    } catch (Throwable e) {
      LOG.log(Level.ERROR, "FUSE opcode " + opcode + " failed; answering EIO", e);
      result =
          opcode == FORGET || opcode == BATCH_FORGET || opcode == INTERRUPT ? NO_REPLY : -Errno.EIO;
    }
    if (result == NO_REPLY) {
      return NO_REPLY;
    }
    int payload = Math.max(result, 0);
    b.out.putInt(0, OUT_HEADER + payload);
    b.out.putInt(4, Math.min(result, 0));
    b.out.putLong(8, unique);
    return OUT_HEADER + payload;
  }

  private int dispatch(int opcode, Buffers b, long length) {
    long node = b.in.getLong(IN_NODEID);
    switch (opcode) {
      case LOOKUP:
        return lookup(b, node);
      case FORGET:
        nodes.forget(node, b.in.getLong(IN_HEADER));
        return NO_REPLY;
      case BATCH_FORGET:
        {
          int count = b.in.getInt(IN_HEADER);
          for (int i = 0; i < count; i++) {
            int at = IN_HEADER + 8 + 16 * i;
            nodes.forget(b.in.getLong(at), b.in.getLong(at + 8));
          }
          return NO_REPLY;
        }
      case GETATTR:
        return getattr(b, node);
      case SETATTR:
        return setattr(b, node);
      case READLINK:
        return readlink(b, node);
      case SYMLINK:
        return symlink(b, node);
      case MKNOD:
        return mknod(b, node);
      case MKDIR:
        return mkdir(b, node);
      case UNLINK:
      case RMDIR:
        return remove(b, node, opcode == RMDIR);
      case RENAME:
        return rename(b, node, IN_HEADER + 8, b.in.getLong(IN_HEADER), 0);
      case RENAME2:
        return rename(b, node, IN_HEADER + 16, b.in.getLong(IN_HEADER), b.in.getInt(IN_HEADER + 8));
      case LINK:
        return link(b, node);
      case OPEN:
        return open(b, node);
      case CREATE:
        return create(b, node);
      case READ:
        return read(b);
      case WRITE:
        return write(b, node);
      case STATFS:
        return statfs(b);
      case FLUSH:
        flushRequests.increment();
        return fs.flush(pathOf(node), b.in.getLong(IN_HEADER));
      case RELEASE:
        return release(b);
      case FSYNC:
        return fs.fsync(
            pathOf(node),
            b.in.getLong(IN_HEADER),
            (b.in.getInt(IN_HEADER + 8) & FSYNC_FDATASYNC) != 0);
      case SETXATTR:
        return setxattr(b, node);
      case GETXATTR:
      case LISTXATTR:
        return getxattr(b, node, opcode == LISTXATTR);
      case REMOVEXATTR:
        {
          byte[] path = pathOf(node);
          return path == null
              ? -Errno.ENOENT
              : fs.removexattr(path, cString(b, IN_HEADER, nameLength(b, IN_HEADER)));
        }
      case OPENDIR:
        return opendir(b, node);
      case READDIR:
      case READDIRPLUS:
        return readdir(b, node, opcode == READDIRPLUS);
      case RELEASEDIR:
        {
          return Math.min(fs.releasedir(b.in.getLong(IN_HEADER)), 0);
        }
      case FSYNCDIR:
        return fs.fsyncdir(
            b.in.getLong(IN_HEADER), (b.in.getInt(IN_HEADER + 8) & FSYNC_FDATASYNC) != 0);
      case ACCESS:
        {
          byte[] path = pathOf(node);
          return path == null ? -Errno.ENOENT : fs.access(path, b.in.getInt(IN_HEADER));
        }
      case INTERRUPT:
        return NO_REPLY;
      case DESTROY:
        return 0;
      case FALLOCATE:
        return fs.fallocate(
            pathOf(node),
            b.in.getLong(IN_HEADER),
            b.in.getInt(IN_HEADER + 24),
            b.in.getLong(IN_HEADER + 8),
            b.in.getLong(IN_HEADER + 16));
      case LSEEK:
        {
          long offset =
              fs.lseek(
                  b.in.getLong(IN_HEADER),
                  b.in.getLong(IN_HEADER + 8),
                  b.in.getInt(IN_HEADER + 16));
          if (offset < 0) {
            return (int) offset;
          }
          b.payload.putLong(0, offset);
          return 8;
        }
      case COPY_FILE_RANGE:
        return copyFileRange(b);
      case GETLK:
      case SETLK:
      case SETLKW:
        // Not negotiated: the kernel keeps POSIX and flock locks itself, as for the jnr transport.
      default:
        return -Errno.ENOSYS;
    }
  }

  // ------------------------------------------------------------------ names and attributes

  private byte[] pathOf(long node) {
    return nodes.path(node);
  }

  private int nameLength(Buffers b, int at) {
    return b.in.indexOf(at, (byte) 0, IN_BUFFER - at);
  }

  private String name(Buffers b, int at, int length) {
    b.in.get(at, b.name, 0, length);
    return NodeTable.name(b.name, 0, length);
  }

  /** The NUL-terminated bytes at {@code at} in the request. */
  private static byte[] cString(Buffers b, int at, int length) {
    byte[] bytes = new byte[length + 1];
    b.in.get(at, bytes, 0, length);
    return bytes;
  }

  /**
   * Replies a {@code fuse_entry_out} for the file at {@code path}, counting one lookup; {@code
   * fresh} for a file just created, which always gets a node of its own.
   */
  private int entry(Buffers b, long parent, String name, byte[] path, boolean fresh) {
    int rc = fs.getattr(path, b.stat);
    if (rc < 0) {
      return rc;
    }
    long dev = b.stat.getLong(LibC.STAT_DEV);
    long ino = b.stat.getLong(8);
    Node node =
        fresh ? nodes.created(dev, ino, parent, name) : nodes.lookup(dev, ino, parent, name);
    putEntry(b.payload, 0, node.id, b.stat, path);
    return ENTRY_OUT;
  }

  /** Writes a {@code fuse_entry_out} for the node at {@code path}. */
  private void putEntry(Pointer out, int at, long nodeId, Pointer stat, byte[] path) {
    boolean history = fs.isVirtual(path);
    putEntryTimes(
        out,
        at,
        nodeId,
        history ? HISTORY_SECONDS : ENTRY_SECONDS,
        history ? HISTORY_SECONDS : ATTR_SECONDS);
    putAttr(out, at + 40, stat);
  }

  /** The head of a {@code fuse_entry_out}: node, generation and how long each may be cached. */
  private static void putEntryTimes(
      Pointer out, int at, long nodeId, long entrySeconds, long attrSeconds) {
    out.putLong(at, nodeId);
    out.putLong(at + 8, 0);
    out.putLong(at + 16, entrySeconds);
    out.putLong(at + 24, attrSeconds);
    out.putInt(at + 32, 0);
    out.putInt(at + 36, 0);
  }

  private int lookup(Buffers b, long parent) {
    int length = nameLength(b, IN_HEADER);
    String name = name(b, IN_HEADER, length);
    byte[] path = nodes.child(parent, name);
    if (path == null) {
      return -Errno.ENOENT;
    }
    int rc = entry(b, parent, name, path, false);
    if (rc != -Errno.ENOENT) {
      return rc;
    }
    // A name that is not there: the kernel keeps it as a negative entry (node 0) for as long as
    // it keeps the names that are, since every create of a name goes through the mount.
    putEntryTimes(b.payload, 0, 0, fs.isVirtual(path) ? HISTORY_SECONDS : ENTRY_SECONDS, 0);
    return ENTRY_OUT;
  }

  /** Stats a node by its path, or through an open handle once it has no name left. */
  private int stat(Buffers b, long node, byte[] path, long fh, boolean byHandle) {
    if (byHandle) {
      return fs.fgetattr(fh, b.stat);
    }
    int rc = path == null ? -Errno.ENOENT : fs.getattr(path, b.stat);
    if (rc == -Errno.ENOENT) {
      int fd = openFd(node);
      if (fd >= 0) {
        return fs.fgetattr(fd, b.stat);
      }
    }
    return rc;
  }

  private int openFd(long id) {
    Node node = nodes.get(id);
    return node == null ? -1 : node.anyOpenFd();
  }

  /** Replies a {@code fuse_attr_out} for the node at {@code path} from {@code b.stat}. */
  private int attrReply(Buffers b, byte[] path) {
    b.payload.putLong(0, fs.isVirtual(path) ? HISTORY_SECONDS : ATTR_SECONDS);
    b.payload.putInt(8, 0);
    b.payload.putInt(12, 0);
    putAttr(b.payload, 16, b.stat);
    return ATTR_OUT;
  }

  private int getattr(Buffers b, long node) {
    boolean byHandle = (b.in.getInt(IN_HEADER) & GETATTR_FH) != 0;
    byte[] path = pathOf(node);
    int rc = stat(b, node, path, b.in.getLong(IN_HEADER + 8), byHandle);
    return rc < 0 ? rc : attrReply(b, path);
  }

  private int setattr(Buffers b, long node) {
    Pointer in = b.in;
    int valid = in.getInt(IN_HEADER);
    long fh = in.getLong(IN_HEADER + 8);
    boolean withHandle = (valid & FATTR_FH) != 0;
    byte[] path = pathOf(node);
    int fd = path == null ? openFd(node) : -1;
    if (path == null && fd < 0) {
      return -Errno.ENOENT;
    }
    int rc = 0;
    if ((valid & FATTR_MODE) != 0) {
      int mode = in.getInt(IN_HEADER + 68) & 07777;
      rc = path != null ? fs.chmod(path, mode) : checked(C.fchmod(fd, mode));
    }
    if (rc >= 0 && (valid & (FATTR_UID | FATTR_GID)) != 0) {
      int uid = (valid & FATTR_UID) != 0 ? in.getInt(IN_HEADER + 76) : -1;
      int gid = (valid & FATTR_GID) != 0 ? in.getInt(IN_HEADER + 80) : -1;
      rc = path != null ? fs.chown(path, uid, gid) : checked(C.fchown(fd, uid, gid));
    }
    if (rc >= 0 && (valid & FATTR_SIZE) != 0) {
      long size = in.getLong(IN_HEADER + 16);
      if (withHandle) {
        rc = fs.ftruncate(path, fh, size);
      } else {
        rc = path != null ? fs.truncate(path, size) : checked(C.ftruncate(fd, size));
      }
      if (rc >= 0 && (valid & FATTR_KILL_SUIDGID) != 0) {
        rc = killSuidGid(b, 0, path, withHandle ? (int) fh : fd); // the reply has the new mode
      }
    }
    if (rc >= 0 && (valid & (FATTR_ATIME | FATTR_MTIME)) != 0) {
      Pointer times = b.scratch;
      putTime(times, 0, valid, FATTR_ATIME, FATTR_ATIME_NOW, in, IN_HEADER + 32, IN_HEADER + 56);
      putTime(times, 16, valid, FATTR_MTIME, FATTR_MTIME_NOW, in, IN_HEADER + 40, IN_HEADER + 60);
      rc = path != null ? fs.utimens(path, times) : checked(C.futimens(fd, times));
    }
    if (rc < 0) {
      return rc;
    }
    rc = stat(b, node, path, fh, withHandle);
    return rc < 0 ? rc : attrReply(b, path);
  }

  private static final int O_DIRECT = 040000;
  private static final long UTIME_NOW = (1L << 30) - 1;
  private static final long UTIME_OMIT = (1L << 30) - 2;

  private static void putTime(
      Pointer times, int at, int valid, int set, int now, Pointer in, int sec, int nsec) {
    if ((valid & set) == 0) {
      times.putLong(at, 0);
      times.putLong(at + 8, UTIME_OMIT);
    } else if ((valid & now) != 0) {
      times.putLong(at, 0);
      times.putLong(at + 8, UTIME_NOW);
    } else {
      times.putLong(at, in.getLong(sec));
      times.putLong(at + 8, in.getInt(nsec) & 0xffffffffL);
    }
  }

  private static int checked(int rc) {
    return rc < 0 ? -LibC.errno() : rc;
  }

  private int readlink(Buffers b, long node) {
    byte[] path = pathOf(node);
    if (path == null) {
      return -Errno.ENOENT;
    }
    int rc = fs.readlink(path, b.payload, PATH_MAX + 1);
    return rc < 0 ? rc : b.payload.indexOf(0, (byte) 0, PATH_MAX + 1);
  }

  // ------------------------------------------------------------------ namespace

  private int symlink(Buffers b, long parent) {
    int length = nameLength(b, IN_HEADER);
    String name = name(b, IN_HEADER, length);
    int targetAt = IN_HEADER + length + 1;
    byte[] target = cString(b, targetAt, nameLength(b, targetAt));
    byte[] path = nodes.child(parent, name);
    if (path == null) {
      return -Errno.ENOENT;
    }
    int rc = fs.symlink(target, path, uid(b), gid(b));
    return rc < 0 ? rc : entry(b, parent, name, path, true);
  }

  private int mknod(Buffers b, long parent) {
    int at = IN_HEADER + 16;
    String name = name(b, at, nameLength(b, at));
    byte[] path = nodes.child(parent, name);
    if (path == null) {
      return -Errno.ENOENT;
    }
    int mode = b.in.getInt(IN_HEADER);
    long rdev = b.in.getInt(IN_HEADER + 4) & 0xffffffffL;
    int rc = fs.mknod(path, mode, rdev, uid(b), gid(b));
    return rc < 0 ? rc : entry(b, parent, name, path, true);
  }

  private int mkdir(Buffers b, long parent) {
    int at = IN_HEADER + 8;
    String name = name(b, at, nameLength(b, at));
    byte[] path = nodes.child(parent, name);
    if (path == null) {
      return -Errno.ENOENT;
    }
    int rc = fs.mkdir(path, b.in.getInt(IN_HEADER), uid(b), gid(b));
    return rc < 0 ? rc : entry(b, parent, name, path, true);
  }

  private int remove(Buffers b, long parent, boolean directory) {
    String name = name(b, IN_HEADER, nameLength(b, IN_HEADER));
    byte[] path = nodes.child(parent, name);
    if (path == null) {
      return -Errno.ENOENT;
    }
    int rc = directory ? fs.rmdir(path) : fs.unlink(path);
    if (rc >= 0) {
      nodes.removed(parent, name);
    }
    return Math.min(rc, 0);
  }

  private int rename(Buffers b, long parent, int at, long newParent, int flags) {
    int fromLength = nameLength(b, at);
    String from = name(b, at, fromLength);
    int toAt = at + fromLength + 1;
    String to = name(b, toAt, nameLength(b, toAt));
    byte[] fromPath = nodes.child(parent, from);
    byte[] toPath = nodes.child(newParent, to);
    if (fromPath == null || toPath == null) {
      return -Errno.ENOENT;
    }
    int rc = fs.rename(fromPath, toPath, flags);
    if (rc >= 0) {
      nodes.renamed(
          new Alias(parent, from), new Alias(newParent, to), (flags & RENAME_EXCHANGE) != 0);
    }
    return Math.min(rc, 0);
  }

  private int link(Buffers b, long newParent) {
    long existing = b.in.getLong(IN_HEADER);
    int at = IN_HEADER + 8;
    String name = name(b, at, nameLength(b, at));
    byte[] from = pathOf(existing);
    byte[] path = nodes.child(newParent, name);
    if (from == null || path == null) {
      return -Errno.ENOENT;
    }
    int rc = fs.link(from, path);
    return rc < 0 ? rc : entry(b, newParent, name, path, false);
  }

  /**
   * Clears set-user-ID, and set-group-ID where the group may execute or the caller is not of the
   * file's group, as the kernel does for a write or truncate by a caller without CAP_FSETID (taken
   * here as any caller but root): negotiating HANDLE_KILLPRIV_V2 leaves this to the server, and
   * spares a GETXATTR of {@code security.capability} before every write. Tells the kernel that node
   * {@code nodeId}'s attributes changed, unless it is 0.
   */
  private int killSuidGid(Buffers b, long nodeId, byte[] path, int fd) {
    int rc = fd >= 0 ? fs.fgetattr(fd, b.stat) : fs.getattr(path, b.stat);
    if (rc < 0) {
      return rc;
    }
    int mode = b.stat.getInt(LibC.STAT_MODE);
    if ((mode & LibC.S_IFMT) != LibC.S_IFREG) {
      return 0;
    }
    int kill = mode & LibC.S_ISUID;
    if ((mode & LibC.S_ISGID) != 0
        && ((mode & LibC.S_IXGRP) != 0 || b.stat.getInt(LibC.STAT_GID) != gid(b))) {
      kill |= LibC.S_ISGID;
    }
    if (kill == 0) {
      return 0;
    }
    int kept = mode & 07777 & ~kill;
    rc = path != null ? fs.chmod(path, kept) : checked(C.fchmod(fd, kept));
    if (rc >= 0 && nodeId != 0) {
      invalidateAttributes(b, nodeId); // the kernel's copy of the mode is stale now
    }
    return rc;
  }

  private static int uid(Buffers b) {
    return b.in.getInt(IN_UID);
  }

  private static int gid(Buffers b) {
    return b.in.getInt(IN_GID);
  }

  // ------------------------------------------------------------------ files

  private int open(Buffers b, long id) {
    int flags = b.in.getInt(IN_HEADER);
    byte[] path = pathOf(id);
    Node node = nodes.get(id);
    if (path == null || node == null) {
      return -Errno.ENOENT;
    }
    int fd = fs.open(path, flags & ~LibC.O_TRUNC);
    if (fd < 0) {
      return fd;
    }
    boolean writable = (flags & LibC.O_ACCMODE) != LibC.O_RDONLY;
    if ((b.in.getInt(IN_HEADER + 4) & OPEN_KILL_SUIDGID) != 0
        || (killsSuidGid && passthrough && writable && uid(b) != 0)) {
      // The kernel asks for it on a truncating open; under passthrough the writes never reach
      // us, so a writer that is not root loses the bits when it opens, not at its first write.
      int rc = killSuidGid(b, id, path, fd);
      if (rc < 0) {
        fs.release(null, fd);
        return rc;
      }
    }
    if ((flags & LibC.O_TRUNC) != 0) {
      if (writable && passthrough && (flags & O_DIRECT) == 0 && !fs.isVirtual(path)) {
        // Declared before the truncation: the release of an earlier handle, which the kernel may
        // send while this open runs, then sees this handle as the file's change, not its own.
        fs.writesBypass(fd);
      }
      // Recorded as the TRUNCATE it is, as when the kernel sends it apart (jnr transport).
      int rc =
          (flags & LibC.O_ACCMODE) != LibC.O_RDONLY
              ? fs.ftruncate(path, fd, 0)
              : fs.truncate(path, 0);
      if (rc < 0) {
        fs.release(null, fd);
        return rc;
      }
    }
    return opened(b, node, path, fd, flags, 0);
  }

  private int create(Buffers b, long parent) {
    int at = IN_HEADER + 16;
    String name = name(b, at, nameLength(b, at));
    byte[] path = nodes.child(parent, name);
    if (path == null) {
      return -Errno.ENOENT;
    }
    int flags = b.in.getInt(IN_HEADER);
    int fd = fs.create(path, b.in.getInt(IN_HEADER + 4), flags, uid(b), gid(b));
    if (fd < 0) {
      return fd;
    }
    int rc = fs.fgetattr(fd, b.stat);
    if (rc < 0) {
      fs.release(null, fd);
      return rc;
    }
    Node node = nodes.created(b.stat.getLong(LibC.STAT_DEV), b.stat.getLong(8), parent, name);
    putEntry(b.payload, 0, node.id, b.stat, path);
    return opened(b, node, path, fd, flags, ENTRY_OUT);
  }

  /** Registers an open file and writes its {@code fuse_open_out} at {@code at}. */
  private int opened(Buffers b, Node node, byte[] path, int fd, int flags, int at) {
    int backingId = 0;
    int openFlags = FOPEN_KEEP_CACHE;
    if (passthrough && !fs.isVirtual(path)) {
      if ((flags & O_DIRECT) == 0) {
        backingId = backing(b, node, fd, true);
      } else {
        // O_DIRECT on the source would hold the caller to its alignment rules; the mount serves
        // such opens itself, uncached, unless the inode is already in passthrough (the kernel
        // refuses a mix of passthrough and other opens).
        backingId = backing(b, node, fd, false);
        openFlags = FOPEN_DIRECT_IO;
      }
    }
    boolean writable = (flags & LibC.O_ACCMODE) != LibC.O_RDONLY;
    if (backingId > 0 && writable) {
      fs.writesBypass(fd); // (again, after a truncating open: the stamp of the truncated file)
    } else if (writable) {
      fs.writesThrough(fd);
    }
    synchronized (node) {
      node.openFds.add(fd);
    }
    files.put((long) fd, new Handle(node, backingId > 0, writable));
    b.payload.putLong(at, fd);
    // A reader's close has nothing to record (and locks are the kernel's): no FLUSH for it.
    int noFlush = writable ? 0 : FOPEN_NOFLUSH;
    b.payload.putInt(at + 8, (backingId > 0 ? FOPEN_PASSTHROUGH : openFlags) | noFlush);
    b.payload.putInt(at + 12, Math.max(backingId, 0));
    return at + OPEN_OUT;
  }

  /** The node's backing id, registered on its first open; 0 to serve this open ourselves. */
  private int backing(Buffers b, Node node, int fd, boolean register) {
    synchronized (node) {
      if (node.backingOpens > 0) {
        node.backingOpens++;
        return node.backingId;
      }
      if (!register) {
        return 0;
      }
      Pointer map = b.scratch;
      map.putInt(0, fd);
      map.putInt(4, 0);
      map.putLong(8, 0);
      int id = DEVICE.ioctl(deviceFd, DEV_IOC_BACKING_OPEN, map);
      if (id <= 0) {
        int errno = LibC.errno();
        if (errno == Errno.EPERM) {
          LOG.log(Level.WARNING, "the kernel refuses passthrough; serving data through Java");
          passthrough = false;
        } else {
          LOG.log(Level.WARNING, "no passthrough for one file: {0}", Errno.describe(errno));
        }
        return 0;
      }
      node.backingId = id;
      node.backingOpens = 1;
      return id;
    }
  }

  private int release(Buffers b) {
    long fh = b.in.getLong(IN_HEADER);
    Handle handle = files.remove(fh);
    byte[] path = null;
    if (handle != null) {
      path = nodes.path(handle.node.id);
      Node node = handle.node;
      synchronized (node) {
        node.openFds.remove(Integer.valueOf((int) fh));
        if (handle.backed && --node.backingOpens == 0) {
          b.scratch.putInt(0, node.backingId);
          if (DEVICE.ioctl(deviceFd, DEV_IOC_BACKING_CLOSE, b.scratch) < 0) {
            LOG.log(Level.WARNING, "closing backing file: {0}", Errno.describe(LibC.errno()));
          }
          node.backingId = 0;
        }
      }
      if (handle.backed && handle.writable) {
        invalidateAttributes(b, node.id);
      }
    }
    return Math.min(fs.release(path, fh), 0);
  }

  /**
   * Tells the kernel to forget what it caches of a node's attributes: writes through a shared
   * mapping of a passthrough file change the backing file's mtime without the kernel's knowing.
   */
  private void invalidateAttributes(Buffers b, long nodeId) {
    Pointer notice = b.scratch;
    notice.putInt(0, OUT_HEADER + 24);
    notice.putInt(4, NOTIFY_INVAL_INODE);
    notice.putLong(8, 0);
    notice.putLong(OUT_HEADER, nodeId);
    notice.putLong(OUT_HEADER + 8, -1); // attributes only: the page cache is the backing file's
    notice.putLong(OUT_HEADER + 16, 0);
    if (DEVICE.write(deviceFd, notice, OUT_HEADER + 24) < 0) {
      int errno = LibC.errno();
      if (errno != Errno.ENOENT) { // the kernel has already forgotten the node
        LOG.log(Level.WARNING, "invalidating cached attributes: {0}", Errno.describe(errno));
      }
    }
  }

  private int read(Buffers b) {
    readRequests.increment();
    long fh = b.in.getLong(IN_HEADER);
    long offset = b.in.getLong(IN_HEADER + 8);
    int size = Math.min(b.in.getInt(IN_HEADER + 16), MAX_WRITE);
    return fs.read(fh, b.payload, size, offset);
  }

  private int write(Buffers b, long node) {
    writeRequests.increment();
    long fh = b.in.getLong(IN_HEADER);
    long offset = b.in.getLong(IN_HEADER + 8);
    int size = b.in.getInt(IN_HEADER + 16);
    byte[] path = pathOf(node);
    if ((b.in.getInt(IN_HEADER + 20) & WRITE_KILL_SUIDGID) != 0) {
      int rc = killSuidGid(b, node, path, (int) fh);
      if (rc < 0) {
        return rc;
      }
    }
    int rc = fs.write(path, fh, b.in.slice(IN_HEADER + 40), size, offset);
    if (rc < 0) {
      return rc;
    }
    b.payload.putInt(0, rc);
    b.payload.putInt(4, 0);
    return 8;
  }

  private int copyFileRange(Buffers b) {
    Pointer in = b.in;
    long toNode = in.getLong(IN_HEADER + 16);
    long length = Math.min(in.getLong(IN_HEADER + 40), Integer.MAX_VALUE & ~4095L);
    long n =
        fs.copyFileRange(
            pathOf(toNode),
            in.getLong(IN_HEADER),
            in.getLong(IN_HEADER + 8),
            in.getLong(IN_HEADER + 24),
            in.getLong(IN_HEADER + 32),
            length,
            (int) in.getLong(IN_HEADER + 48));
    if (n < 0) {
      return (int) n;
    }
    b.payload.putInt(0, (int) n);
    b.payload.putInt(4, 0);
    return 8;
  }

  private int statfs(Buffers b) {
    Pointer vfs = b.scratch;
    int rc = fs.statfs(vfs);
    if (rc < 0) {
      return rc;
    }
    Pointer out = b.payload;
    out.putLong(0, vfs.getLong(16)); // blocks
    out.putLong(8, vfs.getLong(24)); // bfree
    out.putLong(16, vfs.getLong(32)); // bavail
    out.putLong(24, vfs.getLong(40)); // files
    out.putLong(32, vfs.getLong(48)); // ffree
    out.putInt(40, (int) vfs.getLong(0)); // bsize
    out.putInt(44, (int) vfs.getLong(80)); // namelen
    out.putInt(48, (int) vfs.getLong(8)); // frsize
    for (int i = 52; i < 80; i += 4) {
      out.putInt(i, 0);
    }
    return 80;
  }

  // ------------------------------------------------------------------ xattrs

  private int setxattr(Buffers b, long node) {
    byte[] path = pathOf(node);
    if (path == null) {
      return -Errno.ENOENT;
    }
    int size = b.in.getInt(IN_HEADER);
    int flags = b.in.getInt(IN_HEADER + 4);
    int at = IN_HEADER + 8;
    int length = nameLength(b, at);
    byte[] name = cString(b, at, length);
    return fs.setxattr(path, name, b.in.slice(at + length + 1), size, flags);
  }

  private int getxattr(Buffers b, long node, boolean list) {
    byte[] path = pathOf(node);
    if (path == null) {
      return -Errno.ENOENT;
    }
    int size = Math.min(b.in.getInt(IN_HEADER), MAX_WRITE);
    int rc;
    if (list) {
      rc = fs.listxattr(path, b.payload, size);
    } else {
      int at = IN_HEADER + 8;
      rc = fs.getxattr(path, cString(b, at, nameLength(b, at)), b.payload, size);
    }
    if (rc < 0 || size > 0) {
      return rc;
    }
    b.payload.putInt(0, rc);
    b.payload.putInt(4, 0);
    return 8;
  }

  // ------------------------------------------------------------------ directories

  private int opendir(Buffers b, long id) {
    byte[] path = pathOf(id);
    if (path == null) {
      return -Errno.ENOENT;
    }
    long handle = fs.opendir(path);
    if (handle < 0) {
      return (int) handle;
    }
    b.payload.putLong(0, handle);
    b.payload.putInt(8, 0);
    b.payload.putInt(12, 0);
    return OPEN_OUT;
  }

  private int readdir(Buffers b, long dirNode, boolean plus) {
    long handle = b.in.getLong(IN_HEADER);
    long offset = b.in.getLong(IN_HEADER + 8);
    int size = Math.min(b.in.getInt(IN_HEADER + 16), MAX_WRITE);
    byte[] dirPath = plus ? pathOf(dirNode) : null;
    int[] used = {0};
    int rc =
        fs.readdir(
            handle,
            offset,
            (name, inode, type, next) -> {
              int length = name.indexOf(0, (byte) 0);
              int header = plus ? DIRENTPLUS : DIRENT;
              int record = (header + length + 7) & ~7;
              if (used[0] + record > size) {
                return true;
              }
              int at = used[0];
              Pointer out = b.payload;
              if (plus) {
                int dirent = at + ENTRY_OUT;
                boolean dots =
                    name.getByte(0) == '.'
                        && (length == 1 || (length == 2 && name.getByte(1) == '.'));
                long nodeId = 0;
                if (!dots && dirPath != null) {
                  name.get(0, b.name, 0, length);
                  String entryName = NodeTable.name(b.name, 0, length);
                  byte[] path = nodes.child(dirNode, entryName);
                  if (path != null && fs.getattr(path, b.stat) == 0) {
                    nodeId =
                        nodes.lookup(
                                b.stat.getLong(LibC.STAT_DEV),
                                b.stat.getLong(8),
                                dirNode,
                                entryName)
                            .id;
                    putEntry(out, at, nodeId, b.stat, path);
                  }
                }
                if (nodeId == 0) {
                  for (int i = 0; i < ENTRY_OUT; i += 8) {
                    out.putLong(at + i, 0);
                  }
                }
                at = dirent;
              }
              out.putLong(at, inode);
              out.putLong(at + 8, next);
              out.putInt(at + 16, length);
              out.putInt(at + 20, type);
              name.transferTo(0, out, at + DIRENT, length);
              for (int i = at + DIRENT + length; i < used[0] + record; i++) {
                out.putByte(i, (byte) 0);
              }
              used[0] += record;
              return false;
            });
    return rc < 0 ? rc : used[0];
  }
}
