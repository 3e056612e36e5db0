package io.ize.internal.fuse;

import static io.ize.internal.fuse.LibC.AT_REMOVEDIR;
import static io.ize.internal.fuse.LibC.AT_SYMLINK_NOFOLLOW;
import static io.ize.internal.fuse.LibC.O_ACCMODE;
import static io.ize.internal.fuse.LibC.O_CLOEXEC;
import static io.ize.internal.fuse.LibC.O_CREAT;
import static io.ize.internal.fuse.LibC.O_DIRECTORY;
import static io.ize.internal.fuse.LibC.O_EXCL;
import static io.ize.internal.fuse.LibC.O_NOCTTY;
import static io.ize.internal.fuse.LibC.O_NOFOLLOW;
import static io.ize.internal.fuse.LibC.O_PATH;
import static io.ize.internal.fuse.LibC.O_RDONLY;
import static io.ize.internal.fuse.LibC.O_TRUNC;
import static io.ize.internal.fuse.LibC.O_WRONLY;
import static io.ize.internal.fuse.LibC.S_IFLNK;
import static io.ize.internal.fuse.LibC.S_IFMT;

import io.ize.api.Operation;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;

/**
 * The passthrough filesystem core, shared by every transport.
 *
 * <p>Every access goes through {@code *at()} calls relative to a descriptor of the source's root,
 * opened before mounting: when the target is the source itself the daemon still reaches the files
 * underneath its own mount and never re-enters it. No descriptor is held per known file; a
 * descriptor lives only as long as an open file or directory handle of the kernel's.
 *
 * <p>Paths are NUL-terminated bytes relative to the root ({@link Names}), so names that are not
 * UTF-8 pass through unchanged. Every method returns a non-negative result or {@code -errno}, and
 * reports each change that succeeded to {@link Capture}. Methods are safe to call from many
 * threads. Lock order: a transport's own locks (the kernel transport's namespace lock) come first;
 * then {@link #order} (held across one change and its capture, only while a capture records), then
 * the capture's own locks; a directory handle's monitor (held for one readdir) is a leaf: nothing
 * else is taken while it is held. The history view's locks are never held together with {@link
 * #order} (see {@link HistoryView}).
 *
 * <p>A mount that records into a store shows its history at {@code /.ize} ({@link HistoryView}):
 * paths there, and the handles opened on them, are served by the view; every change there fails
 * with EROFS before anything is captured, and the root's listing leaves {@code .ize} out. A real
 * {@code .ize} in the source's root is shadowed.
 */
public final class PassthroughFs implements AutoCloseable {
  /** The kernel's limit for one path argument, including its NUL. */
  private static final int PATH_MAX = 4096;

  private static final int O_DIRECT = 040000;

  private static final LibC C = LibC.INSTANCE;
  private static final Runtime RUNTIME = Runtime.getRuntime(C);

  /**
   * Each thread's stat buffer for the core's own checks (a writer's stamp, a new node's mode and
   * its parent's set-group-ID bit), read before the call returns: an allocation per call kept jnr's
   * reference reaper busy (120 ms of CPU over 20,000 recorded creates).
   */
  private static final ThreadLocal<Pointer> STAT =
      ThreadLocal.withInitial(() -> Memory.allocateDirect(RUNTIME, LibC.STAT_SIZE));

  private final int rootFd;

  /** {@code /proc/self/fd/ROOT/}: the root reached by path, for the calls that take only one. */
  private final byte[] rootPrefix;

  private final int umask;
  private final int daemonUid;
  private volatile Capture capture;
  private volatile HistoryView history;
  private final ConcurrentHashMap<Long, DirHandle> dirs = new ConcurrentHashMap<>();
  private final AtomicLong nextDir = new AtomicLong(1);

  /** Handles written through since their content was last captured. */
  private final java.util.Set<Long> dirty = ConcurrentHashMap.newKeySet();

  /**
   * Writable handles whose writes never reach {@link #write} (kernel passthrough, and mappings of
   * them), with the file's mtime and size when its content was last captured through the handle.
   */
  private final ConcurrentHashMap<Long, Stamp> bypassing = new ConcurrentHashMap<>();

  /**
   * For each file with a bypassing handle, the stamp it had when a handle last captured it: a
   * handle whose flush or release finds the file changed since its own last capture records it only
   * if no other handle captured that state already (the kernel sends a release after close(2)
   * returns, so one handle's release can come after another's open, writes and flush).
   */
  private final ConcurrentHashMap<java.util.List<Long>, Stamp> lastCaptured =
      new ConcurrentHashMap<>();

  /** Orders changes with their capture; see {@link #ordered}. */
  private final Object order = new Object();

  private PassthroughFs(int rootFd, int umask, Capture capture) {
    this.rootFd = rootFd;
    this.rootPrefix = ("/proc/self/fd/" + rootFd + "/").getBytes(StandardCharsets.US_ASCII);
    this.umask = umask;
    this.daemonUid = C.geteuid();
    this.capture = capture;
  }

  /**
   * Opens the source's root ({@code O_PATH}); call before mounting over it.
   *
   * @throws IOException if the source cannot be opened
   */
  public static PassthroughFs open(java.nio.file.Path source, Capture capture) throws IOException {
    byte[] path = Names.cString(source.toAbsolutePath().toString());
    int fd = C.openat(LibC.AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0) {
      throw Errno.exception(LibC.errno(), "cannot open source directory", source.toString());
    }
    return new PassthroughFs(fd, processUmask(), capture);
  }

  /** Attaches the capture that records changes; call before mounting. */
  void attach(Capture recording) {
    this.capture = recording;
  }

  /** Shows {@code store}'s history at {@code /.ize}; call before mounting. */
  void showHistory(VersionStore store) throws IOException {
    SourceReader.Stat root = new SourceReader(this).stat(Names.ROOT);
    this.history = new HistoryView(store, root.state, root.inode);
  }

  @Override
  public void close() {
    dirs.values().forEach(DirHandle::close);
    dirs.clear();
    HistoryView view = history;
    if (view != null) {
      view.close();
    }
    C.close(rootFd);
  }

  /** The view that handed out file handle {@code fh}, or null if it is a descriptor. */
  private HistoryView viewOf(long fh) {
    return HistoryView.ownsFile(fh) ? history : null;
  }

  /**
   * The view that handed out directory handle {@code handle}, or null if it is in {@link #dirs}.
   */
  private HistoryView viewOfDirectory(long handle) {
    return HistoryView.ownsDirectory(handle) ? history : null;
  }

  // ---------------------------------------------------------------- attributes

  public int getattr(byte[] path, Pointer stat) {
    if (isVirtual(path)) {
      return history.getattr(path, stat);
    }
    return at(path, (dir, name) -> C.fstatat(dir, name, stat, AT_SYMLINK_NOFOLLOW));
  }

  public int fgetattr(long fh, Pointer stat) {
    HistoryView view = viewOf(fh);
    if (view != null) {
      return view.fgetattr(fh, stat);
    }
    return checked(C.fstat((int) fh, stat));
  }

  public int readlink(byte[] path, Pointer buffer, long size) {
    if (isVirtual(path)) {
      return history.readlink(path, buffer, size);
    }
    int n = at(path, (dir, name) -> (int) C.readlinkat(dir, name, buffer, size - 1));
    if (n < 0) {
      return n;
    }
    buffer.putByte(n, (byte) 0);
    return 0;
  }

  public int chmod(byte[] path, int mode) {
    if (isVirtual(path)) {
      return -Errno.EROFS;
    }
    return ordered(
        Operation.CHMOD,
        path,
        null,
        0,
        () -> at(path, (dir, name) -> C.fchmodat(dir, name, mode, 0)));
  }

  public int chown(byte[] path, int uid, int gid) {
    if (isVirtual(path)) {
      return -Errno.EROFS;
    }
    return ordered(
        Operation.CHOWN,
        path,
        null,
        0,
        () -> at(path, (dir, name) -> C.fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW)));
  }

  /** Sets times; {@code times} holds two {@code struct timespec}, honouring UTIME_NOW/OMIT. */
  public int utimens(byte[] path, Pointer times) {
    if (isVirtual(path)) {
      return -Errno.EROFS;
    }
    return ordered(
        Operation.UTIMENS,
        path,
        null,
        0,
        () ->
            keepingCaptures(
                path,
                () -> at(path, (dir, name) -> C.utimensat(dir, name, times, AT_SYMLINK_NOFOLLOW))));
  }

  public int access(byte[] path, int mask) {
    if (isVirtual(path)) {
      return history.access(path, mask);
    }
    return at(path, (dir, name) -> C.faccessat(dir, name, mask, 0));
  }

  public int statfs(Pointer statvfs) {
    return checked(C.fstatvfs(rootFd, statvfs));
  }

  // ---------------------------------------------------------------- namespace

  public int mknod(byte[] path, int mode, long rdev, int uid, int gid) {
    if (isVirtual(path)) {
      return -Errno.EROFS;
    }
    return ordered(
        (mode & S_IFMT) == LibC.S_IFREG ? Operation.CREATE : Operation.MKNOD,
        path,
        null,
        0,
        () -> {
          int rc = at(path, (dir, name) -> C.mknodat(dir, name, mode, rdev));
          return rc < 0 ? rc : created(path, -1, mode, uid, gid);
        });
  }

  public int mkdir(byte[] path, int mode, int uid, int gid) {
    if (isVirtual(path)) {
      return -Errno.EROFS;
    }
    return ordered(
        Operation.MKDIR,
        path,
        null,
        0,
        () -> {
          int rc = at(path, (dir, name) -> C.mkdirat(dir, name, mode));
          return rc < 0 ? rc : created(path, -1, mode | LibC.S_IFDIR, uid, gid);
        });
  }

  public int symlink(byte[] target, byte[] path, int uid, int gid) {
    if (isVirtual(path)) {
      return -Errno.EROFS;
    }
    return ordered(
        Operation.SYMLINK,
        path,
        null,
        0,
        () -> {
          int rc = at(path, (dir, name) -> C.symlinkat(target, dir, name));
          return rc < 0 ? rc : created(path, -1, S_IFLNK | 0777, uid, gid);
        });
  }

  public int unlink(byte[] path) {
    if (isVirtual(path)) {
      return -Errno.EROFS;
    }
    capture.beforeChange(path);
    return ordered(
        Operation.UNLINK, path, null, 0, () -> at(path, (dir, name) -> C.unlinkat(dir, name, 0)));
  }

  public int rmdir(byte[] path) {
    if (isVirtual(path)) {
      return -Errno.EROFS;
    }
    return ordered(
        Operation.RMDIR,
        path,
        null,
        0,
        () -> at(path, (dir, name) -> C.unlinkat(dir, name, AT_REMOVEDIR)));
  }

  /** Renames with {@code renameat2} flags (RENAME_NOREPLACE 1, RENAME_EXCHANGE 2). */
  public int rename(byte[] from, byte[] to, int flags) {
    if (isVirtual(from) || isVirtual(to)) {
      return -Errno.EROFS;
    }
    capture.beforeChange(to);
    return ordered(
        Operation.RENAME,
        from,
        to,
        flags,
        () ->
            at2(
                from,
                to,
                (fromDir, fromName, toDir, toName) ->
                    C.renameat2(fromDir, fromName, toDir, toName, flags)));
  }

  public int link(byte[] existing, byte[] path) {
    if (isVirtual(existing) || isVirtual(path)) {
      return -Errno.EROFS;
    }
    return ordered(
        Operation.LINK,
        existing,
        path,
        0,
        () ->
            at2(
                existing,
                path,
                (fromDir, fromName, toDir, toName) ->
                    C.linkat(fromDir, fromName, toDir, toName, 0)));
  }

  // ---------------------------------------------------------------- content

  public int truncate(byte[] path, long size) {
    if (isVirtual(path)) {
      return -Errno.EROFS;
    }
    capture.beforeChange(path);
    return ordered(
        Operation.TRUNCATE,
        path,
        null,
        0,
        () -> {
          int fd =
              at(path, (dir, name) -> C.openat(dir, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0));
          if (fd < 0) {
            return fd;
          }
          int rc = checked(C.ftruncate(fd, size));
          C.close(fd);
          return rc;
        });
  }

  public int ftruncate(byte[] path, long fh, long size) {
    if (isVirtual(path) || viewOf(fh) != null) {
      return -Errno.EROFS;
    }
    if (path == null) {
      return checked(C.ftruncate((int) fh, size));
    }
    capture.beforeChange(path);
    return ordered(Operation.TRUNCATE, path, null, 0, () -> checked(C.ftruncate((int) fh, size)));
  }

  /** Opens a file; returns its descriptor, which serves as the kernel's file handle. */
  public int open(byte[] path, int flags) {
    if (isVirtual(path)) {
      return history.open(path, flags);
    }
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0) {
      int admitted = capture.admit();
      if (admitted < 0) {
        return admitted;
      }
      capture.beforeChange(path);
    }
    int sanitized = (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_DIRECT)) | O_NOFOLLOW | O_CLOEXEC;
    return at(path, (dir, name) -> C.openat(dir, name, sanitized, 0));
  }

  /** Creates and opens a file owned by the caller; returns its descriptor. */
  public int create(byte[] path, int mode, int flags, int uid, int gid) {
    if (isVirtual(path)) {
      return -Errno.EROFS;
    }
    int sanitized = (flags & ~(O_NOCTTY | O_DIRECT)) | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
    return ordered(
        Operation.CREATE,
        path,
        null,
        0,
        () -> {
          int fd = at(path, (dir, name) -> C.openat(dir, name, sanitized, mode));
          if (fd < 0) {
            return fd;
          }
          int rc = created(path, fd, mode | LibC.S_IFREG, uid, gid);
          if (rc < 0) {
            C.close(fd);
            return rc;
          }
          return fd;
        });
  }

  public int read(long fh, Pointer buffer, long size, long offset) {
    HistoryView view = viewOf(fh);
    if (view != null) {
      return view.read(fh, buffer, size, offset);
    }
    long done = 0;
    while (done < size) {
      long n = C.pread((int) fh, buffer.slice(done), size - done, offset + done);
      if (n < 0) {
        int errno = LibC.errno();
        if (errno == Errno.EINTR) {
          continue;
        }
        return done > 0 ? (int) done : -errno;
      }
      if (n == 0) {
        break;
      }
      done += n;
    }
    return (int) done;
  }

  public int write(byte[] path, long fh, Pointer buffer, long size, long offset) {
    if (viewOf(fh) != null) {
      return -Errno.EBADF; // opened for reading only
    }
    long done = 0;
    while (done < size) {
      long n = C.pwrite((int) fh, buffer.slice(done), size - done, offset + done);
      if (n < 0) {
        int errno = LibC.errno();
        if (errno == Errno.EINTR) {
          continue;
        }
        if (done > 0) {
          break;
        }
        return -errno;
      }
      done += n;
    }
    if (path != null && capture.active()) {
      dirty.add(fh);
      capture.written(path, offset, done);
    }
    return (int) done;
  }

  public int fallocate(byte[] path, long fh, int mode, long offset, long length) {
    if (isVirtual(path) || viewOf(fh) != null) {
      return -Errno.EROFS;
    }
    if (path == null) {
      return checked(C.fallocate((int) fh, mode, offset, length));
    }
    capture.beforeChange(path);
    return ordered(
        Operation.FALLOCATE,
        path,
        null,
        0,
        () -> checked(C.fallocate((int) fh, mode, offset, length)));
  }

  public int fsync(byte[] path, long fh, boolean dataOnly) {
    if (viewOf(fh) != null) {
      return 0;
    }
    IntSupplier sync = () -> checked(dataOnly ? C.fdatasync((int) fh) : C.fsync((int) fh));
    if (path == null) {
      return sync.getAsInt();
    }
    // What the handle wrote is captured here, so its close has nothing left to capture unless it
    // writes again (an editor's save, write then fsync then close, is one capture, not two).
    if (!changedSinceCapture(fh)) {
      return sync.getAsInt();
    }
    int rc = ordered(Operation.WRITE, path, null, 0, sync);
    if (rc < 0) {
      dirty.add(fh); // nothing was recorded: the close captures it
    }
    return rc;
  }

  /**
   * A close of one of the handle's descriptors: new content written through the handle is recorded
   * as at this close, in its place among the changes ({@link Capture#closed}: the caller's close(2)
   * waits for this, not for the bytes to be read). The kernel sends the release later, on its own.
   */
  public int flush(byte[] path, long fh) {
    if (viewOf(fh) != null) {
      return 0;
    }
    if (path != null && changedSinceCapture(fh)) {
      return ordered(() -> 0, () -> capture.closed(path));
    }
    return 0;
  }

  /**
   * Whether the handle changed its file since its last capture (written through {@link #write}, or
   * its stamp moved if its writes bypass us), taking the change as captured from now on.
   */
  private boolean changedSinceCapture(long fh) {
    Stamp changed = bypassChanged(fh);
    if (changed != null) {
      lastCaptured.put(changed.file(), changed);
    }
    return dirty.remove(fh) | changed != null;
  }

  /** Closes a file handle, capturing content written since its last flush. */
  public int release(byte[] path, long fh) {
    HistoryView view = viewOf(fh);
    if (view != null) {
      return view.release(fh);
    }
    IntSupplier close = () -> checked(C.close((int) fh));
    boolean written = dirty.remove(fh);
    boolean bypassed = bypassChanged(fh) != null;
    Stamp mine = bypassing.remove(fh);
    boolean shared = anotherBypassingHandleOf(mine);
    if (mine != null && !shared) {
      lastCaptured.remove(mine.file());
    }
    if (bypassed && shared) {
      // The kernel sends a release after close(2) returns, so another writer may have opened the
      // file and be half-way through its writes by now. Its own flush or release captures the
      // file (its stamp predates its writes); capturing here would record its partial bytes.
      bypassed = false;
    }
    if (path != null && (written || bypassed)) {
      return ordered(Operation.WRITE, path, null, 0, close);
    }
    return close.getAsInt();
  }

  /**
   * Declares that writes through the writable handle {@code fh} bypass {@link #write} (the kernel
   * hands them to the source file itself): its content is then captured at each flush and at its
   * release whenever the file's mtime or size moved since the last capture through it, which covers
   * writes made through a shared mapping before the descriptor's close (a mapping written after the
   * close holds the backing file, not the mount's: no release follows its munmap).
   */
  public void writesBypass(long fh) {
    if (capture.active()) {
      bypassing.put(fh, Stamp.of((int) fh));
    }
  }

  /** Undoes {@link #writesBypass}: the handle's writes come through {@link #write} after all. */
  public void writesThrough(long fh) {
    bypassing.remove(fh);
  }

  /**
   * The file's new stamp if a bypassing handle's file changed since its last capture and no other
   * handle has captured that state yet, else null; takes the new stamp as the handle's.
   */
  private Stamp bypassChanged(long fh) {
    Stamp last = bypassing.get(fh);
    if (last == null) {
      return null;
    }
    Stamp now = Stamp.of((int) fh);
    if (now.equals(last)) {
      return null;
    }
    // Taken before the capture reads the file, so a write racing the capture shows next time.
    bypassing.put(fh, now);
    return now.equals(lastCaptured.get(now.file())) ? null : now;
  }

  /**
   * Runs {@code change}, which sets the times of the file at {@code path}. A handle whose writes
   * bypass us tells new content by its file's mtime, but times set through the mount are not new
   * content (unzip, tar and {@code cp -p} set them once a file is written and closed, before the
   * kernel's release; the release would read the whole file again and record it a second time). So
   * each bypassing handle of the file that had seen no change since its last capture, and the
   * file's last captured stamp, take the new times as theirs. A write through another descriptor
   * racing this one and leaving the size as it was would show only at the file's next change.
   */
  private int keepingCaptures(byte[] path, IntSupplier change) {
    if (bypassing.isEmpty()) {
      return change.getAsInt();
    }
    Stamp before = stampAt(path);
    int rc = change.getAsInt();
    if (rc < 0 || before.inode < 0) {
      return rc;
    }
    Stamp after = stampAt(path);
    if (!after.sameFile(before)) {
      return rc;
    }
    bypassing.replaceAll(
        (fh, stamp) -> stamp.sameFile(before) && stamp.equals(before) ? after : stamp);
    lastCaptured.computeIfPresent(
        before.file(), (file, stamp) -> stamp.equals(before) ? after : stamp);
    return rc;
  }

  /** The stamp of the file at {@code path} (not following a symbolic link). */
  private Stamp stampAt(byte[] path) {
    Pointer stat = STAT.get();
    return getattr(path, stat) < 0 ? Stamp.NONE : Stamp.of(stat);
  }

  /** Whether a bypassing handle other than the one {@code stamp} was taken from has its file. */
  private boolean anotherBypassingHandleOf(Stamp stamp) {
    return stamp != null
        && stamp.inode >= 0
        && bypassing.values().stream().anyMatch(other -> other.sameFile(stamp));
  }

  /**
   * A file's mtime and size, to tell whether its content may have changed, and its identity, to
   * find the other handles of the same file.
   */
  private static final class Stamp {
    final long device;
    final long inode;
    final long mtimeSec;
    final long mtimeNsec;
    final long size;

    private Stamp(long device, long inode, long mtimeSec, long mtimeNsec, long size) {
      this.device = device;
      this.inode = inode;
      this.mtimeSec = mtimeSec;
      this.mtimeNsec = mtimeNsec;
      this.size = size;
    }

    /** The stamp of a file that could not be stat'ed. */
    static final Stamp NONE = new Stamp(-1, -1, -1, -1, -1);

    static Stamp of(int fd) {
      Pointer stat = STAT.get();
      return C.fstat(fd, stat) < 0 ? NONE : of(stat);
    }

    /** The stamp in a stat buffer just filled. */
    static Stamp of(Pointer stat) {
      return new Stamp(
          stat.getLong(LibC.STAT_DEV),
          stat.getLong(LibC.STAT_INO),
          stat.getLong(LibC.STAT_MTIME),
          stat.getLong(LibC.STAT_MTIME + 8),
          stat.getLong(LibC.STAT_SIZE_FIELD));
    }

    /** The file's identity, as a key. */
    java.util.List<Long> file() {
      return java.util.List.of(device, inode);
    }

    boolean sameFile(Stamp other) {
      return inode == other.inode && device == other.device;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Stamp
          && ((Stamp) other).mtimeSec == mtimeSec
          && ((Stamp) other).mtimeNsec == mtimeNsec
          && ((Stamp) other).size == size;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(mtimeSec ^ mtimeNsec ^ size);
    }
  }

  /** {@code lseek} on a handle (SEEK_DATA and SEEK_HOLE included); the offset or {@code -errno}. */
  public long lseek(long fh, long offset, int whence) {
    long rc = C.lseek((int) fh, offset, whence);
    return rc < 0 ? -LibC.errno() : rc;
  }

  /**
   * Copies a range between two handles inside the source; a content change of the destination
   * ({@code toPath}, null if it has no name any more), captured like a write that syncs.
   */
  public long copyFileRange(
      byte[] toPath, long fhIn, long offIn, long fhOut, long offOut, long length, int flags) {
    Pointer offsets = Memory.allocateDirect(RUNTIME, 16);
    offsets.putLong(0, offIn);
    offsets.putLong(8, offOut);
    long[] copied = {0};
    IntSupplier copy =
        () -> {
          long n =
              C.copy_file_range((int) fhIn, offsets, (int) fhOut, offsets.slice(8), length, flags);
          if (n < 0) {
            return -LibC.errno();
          }
          copied[0] = n;
          return 0;
        };
    if (toPath == null) {
      int rc = copy.getAsInt();
      return rc < 0 ? rc : copied[0];
    }
    capture.beforeChange(toPath);
    int rc = ordered(Operation.WRITE, toPath, null, 0, copy);
    return rc < 0 ? rc : copied[0];
  }

  // ---------------------------------------------------------------- xattrs

  public int getxattr(byte[] path, byte[] name, Pointer value, long size) {
    if (isVirtual(path)) {
      return history.getxattr(path, name, value, size);
    }
    return xattrCall(
        path,
        (dir, n) ->
            (int) XA.syscall(GETXATTRAT, dir, n, NOFOLLOW, name, xattrArgs(value, size, 0), 16),
        proc -> (int) X.lgetxattr(proc, name, value, size));
  }

  public int listxattr(byte[] path, Pointer list, long size) {
    if (isVirtual(path)) {
      return history.listxattr(path, list, size);
    }
    return xattrCall(
        path,
        (dir, n) -> (int) XA.syscall(LISTXATTRAT, dir, n, NOFOLLOW, list, size),
        proc -> (int) X.llistxattr(proc, list, size));
  }

  public int setxattr(byte[] path, byte[] name, Pointer value, long size, int flags) {
    if (isVirtual(path)) {
      return -Errno.EROFS;
    }
    return ordered(
        Operation.SETXATTR,
        path,
        null,
        0,
        () ->
            xattrCall(
                path,
                (dir, n) ->
                    (int)
                        XA.syscall(
                            SETXATTRAT, dir, n, NOFOLLOW, name, xattrArgs(value, size, flags), 16),
                proc -> X.lsetxattr(proc, name, value, size, flags)));
  }

  public int removexattr(byte[] path, byte[] name) {
    if (isVirtual(path)) {
      return -Errno.EROFS;
    }
    return ordered(
        Operation.REMOVEXATTR,
        path,
        null,
        0,
        () ->
            xattrCall(
                path,
                (dir, n) -> (int) XA.syscall(REMOVEXATTRAT, dir, n, NOFOLLOW, name),
                proc -> X.lremovexattr(proc, name)));
  }

  /**
   * Runs an xattr call relative to the root's descriptor by the {@link XattrAt} calls where the
   * kernel has them, and on the {@code /proc/self/fd} path ({@link #onProcPath}) where it does not.
   */
  private int xattrCall(byte[] path, AtCall relative, Call onProc) {
    return XATTR_AT ? at(path, relative) : onProcPath(path, onProc);
  }

  /**
   * The xattr calls relative to a directory descriptor (Linux 6.13+), which spare the walk through
   * {@code /proc/self/fd} (1.3 us a call here: a ctypes loop of 200,000 took 5.1 us a call for
   * {@code lgetxattr} on a {@code /proc/self/fd} path, 3.8 for {@code getxattrat}, 1.7 for {@code
   * getpid}; {@code ls -l} sends two GETXATTRs per file), through {@code syscall(2)}: the C library
   * has no wrappers for them yet. {@code struct xattr_args { u64 value; u32 size; u32 flags; }}
   * goes as two longs.
   */
  public interface XattrAt {
    long syscall(
        long number,
        int dir,
        @In byte[] path,
        int atFlags,
        @In byte[] name,
        @In long[] args,
        long argsSize);

    long syscall(long number, int dir, @In byte[] path, int atFlags, Pointer list, long size);

    long syscall(long number, int dir, @In byte[] path, int atFlags, @In byte[] name);
  }

  private static final long SETXATTRAT = 463;
  private static final long GETXATTRAT = 464;
  private static final long LISTXATTRAT = 465;
  private static final long REMOVEXATTRAT = 466;
  private static final int NOFOLLOW = AT_SYMLINK_NOFOLLOW;

  private static final XattrAt XA = LibraryLoader.create(XattrAt.class).failImmediately().load("c");

  /**
   * Whether this kernel has the calls: asked once with a name no file has, which answers ENODATA or
   * ENOTSUP where they exist, and ENOSYS (or EPERM, from a seccomp filter) where they do not.
   */
  private static final boolean XATTR_AT = xattrAtWorks();

  private static boolean xattrAtWorks() {
    long rc =
        XA.syscall(
            GETXATTRAT,
            LibC.AT_FDCWD,
            Names.cString("/"),
            NOFOLLOW,
            Names.cString("user.ize-probe"),
            xattrArgs(null, 0, 0),
            16);
    int errno = rc < 0 ? LibC.errno() : 0;
    return errno != Errno.ENOSYS && errno != Errno.EPERM;
  }

  private static long[] xattrArgs(Pointer value, long size, int flags) {
    return new long[] {
      value == null ? 0 : value.address(), (size & 0xffffffffL) | ((long) flags << 32)
    };
  }

  /**
   * Runs an xattr call on {@code /proc/self/fd/N/PATH}, N the root's descriptor (or, for a path too
   * long for that, {@code /proc/self/fd/N/NAME}, N an {@code O_PATH} descriptor of the parent
   * directory): how a file's xattrs are reached relative to a directory descriptor where the kernel
   * has no {@link XattrAt} calls (before Linux 6.13). The calls are the {@code l} variants, which
   * act on a symbolic link itself, as the kernel asks (it has already followed the links of the
   * caller's path): root may keep {@code trusted.*} attributes on a link, and the source refuses
   * {@code user.*} ones itself.
   */
  private int onProcPath(byte[] path, Call call) {
    if (rootPrefix.length + path.length <= PATH_MAX) {
      return onProcPath(rootPrefix, path, 0, call);
    }
    int slash = path.length - 2;
    while (slash >= 0 && path[slash] != '/') {
      slash--;
    }
    byte[] parent = Names.ROOT;
    if (slash > 0) {
      parent = new byte[slash + 1];
      System.arraycopy(path, 0, parent, 0, slash);
    }
    int dir =
        at(parent, (d, n) -> C.openat(d, n, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0));
    if (dir < 0) {
      return dir;
    }
    try {
      byte[] prefix = ("/proc/self/fd/" + dir + "/").getBytes(StandardCharsets.US_ASCII);
      return onProcPath(prefix, path, slash + 1, call);
    } finally {
      C.close(dir);
    }
  }

  /** Runs {@code call} on {@code prefix} followed by {@code path} from index {@code from}. */
  private static int onProcPath(byte[] prefix, byte[] path, int from, Call call) {
    byte[] proc = new byte[prefix.length + path.length - from];
    System.arraycopy(prefix, 0, proc, 0, prefix.length);
    System.arraycopy(path, from, proc, prefix.length, path.length - from);
    int rc = call.apply(proc);
    return rc < 0 ? -LibC.errno() : rc;
  }

  /** The {@code l} variants of the xattr calls, which {@link LibC} does not bind. */
  public interface LinkXattrs {
    long lgetxattr(@In byte[] path, @In byte[] name, Pointer value, long size);

    long llistxattr(@In byte[] path, Pointer list, long size);

    int lsetxattr(@In byte[] path, @In byte[] name, Pointer value, long size, int flags);

    int lremovexattr(@In byte[] path, @In byte[] name);
  }

  private static final LinkXattrs X =
      LibraryLoader.create(LinkXattrs.class).failImmediately().load("c");

  // ---------------------------------------------------------------- directories

  /** Opens a directory; returns a handle for {@link #readdir}, or {@code -errno}. */
  public long opendir(byte[] path) {
    if (isVirtual(path)) {
      return history.opendir(path);
    }
    int fd =
        at(
            path,
            (dir, name) -> C.openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0));
    if (fd < 0) {
      return fd;
    }
    Pointer stream = C.fdopendir(fd);
    if (stream == null) {
      int errno = LibC.errno();
      C.close(fd);
      return -errno;
    }
    long handle = nextDir.getAndIncrement();
    boolean hideHistory = history != null && java.util.Arrays.equals(path, Names.ROOT);
    dirs.put(handle, new DirHandle(fd, stream, hideHistory));
    return handle;
  }

  /**
   * Lists entries from {@code offset} (0, or an offset this method handed to {@code sink}) until
   * the sink is full. Offsets are the source filesystem's own {@code telldir} cookies, so a listing
   * stays consistent while entries are added and removed.
   */
  public int readdir(long handle, long offset, DirSink sink) {
    HistoryView view = viewOfDirectory(handle);
    if (view != null) {
      return view.readdir(handle, offset, sink);
    }
    DirHandle dir = dirs.get(handle);
    if (dir == null) {
      return -Errno.EBADF;
    }
    synchronized (dir) {
      return dir.read(offset, sink);
    }
  }

  public int fsyncdir(long handle, boolean dataOnly) {
    if (viewOfDirectory(handle) != null) {
      return 0;
    }
    DirHandle dir = dirs.get(handle);
    if (dir == null) {
      return -Errno.EBADF;
    }
    return checked(dataOnly ? C.fdatasync(dir.fd) : C.fsync(dir.fd));
  }

  public int releasedir(long handle) {
    HistoryView view = viewOfDirectory(handle);
    if (view != null) {
      return view.releasedir(handle);
    }
    DirHandle dir = dirs.remove(handle);
    if (dir == null) {
      return -Errno.EBADF;
    }
    dir.close();
    return 0;
  }

  /** Receives directory entries; returns true when it can take no more. */
  @FunctionalInterface
  public interface DirSink {
    /**
     * @param name the entry's NUL-terminated name in native memory
     * @param inode its inode number
     * @param type its {@code d_type}
     * @param nextOffset the offset to resume after this entry
     */
    boolean add(Pointer name, long inode, int type, long nextOffset);
  }

  /** One open directory stream; guarded by its own monitor. */
  private static final class DirHandle {
    private static final int D_INO = 0;
    private static final int D_OFF = 8;
    private static final int D_TYPE = 18;
    private static final int D_NAME = 19;

    final int fd;
    private final Pointer stream;
    private final boolean hideHistory;
    private long position;
    private Pointer pending;

    /**
     * @param hideHistory whether to leave out {@code .ize} (the view's name, in the root)
     */
    DirHandle(int fd, Pointer stream, boolean hideHistory) {
      this.fd = fd;
      this.stream = stream;
      this.hideHistory = hideHistory;
    }

    int read(long offset, DirSink sink) {
      if (offset != position) {
        C.seekdir(stream, offset);
        position = offset;
        pending = null;
      }
      while (true) {
        if (pending == null) {
          pending = C.readdir(stream);
          if (pending == null) {
            return 0;
          }
        }
        long next = pending.getLong(D_OFF);
        if (hideHistory && isHistoryName(pending)) {
          pending = null;
          position = next;
          continue;
        }
        boolean full =
            sink.add(
                pending.slice(D_NAME),
                pending.getLong(D_INO),
                pending.getByte(D_TYPE) & 0xff,
                next);
        if (full) {
          return 0;
        }
        pending = null;
        position = next;
      }
    }

    private static boolean isHistoryName(Pointer entry) {
      for (int i = 0; i < HistoryView.NAME.length; i++) {
        if (entry.getByte(D_NAME + i) != HistoryView.NAME[i]) {
          return false;
        }
      }
      return entry.getByte(D_NAME + HistoryView.NAME.length) == 0;
    }

    void close() {
      C.closedir(stream);
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Runs a change and reports it to the capture if it succeeded, both under {@link #order}, so that
   * the capture sees changes in the order they happened on the source. Without a recording capture,
   * changes run in parallel.
   */
  private int ordered(
      Operation operation, byte[] path, byte[] target, int flags, IntSupplier change) {
    return ordered(change, () -> capture.changed(operation, path, target, flags));
  }

  /** Runs a change and, if it succeeded, {@code report}, as {@link #ordered} above. */
  private int ordered(IntSupplier change, Runnable report) {
    if (!capture.active()) {
      return change.getAsInt();
    }
    int admitted = capture.admit();
    if (admitted < 0) {
      return admitted;
    }
    synchronized (order) {
      int rc = change.getAsInt();
      if (rc >= 0) {
        report.run();
      }
      return rc;
    }
  }

  /** A call relative to a directory descriptor, returning the C function's result. */
  @FunctionalInterface
  private interface AtCall {
    int apply(int dir, byte[] name);
  }

  @FunctionalInterface
  private interface Call {
    int apply(byte[] path);
  }

  @FunctionalInterface
  private interface AtCall2 {
    int apply(int fromDir, byte[] fromName, int toDir, byte[] toName);
  }

  /**
   * Runs {@code call} on {@code path} relative to the root; returns its result or {@code -errno}.
   */
  private int at(byte[] path, AtCall call) {
    if (path.length <= PATH_MAX) {
      return checked(call.apply(rootFd, path));
    }
    try (Location location = locate(path)) {
      return location.errno != 0
          ? -location.errno
          : checked(call.apply(location.dir, location.name));
    }
  }

  private int at2(byte[] from, byte[] to, AtCall2 call) {
    try (Location source = locate(from);
        Location target = locate(to)) {
      if (source.errno != 0 || target.errno != 0) {
        return -(source.errno != 0 ? source.errno : target.errno);
      }
      return checked(call.apply(source.dir, source.name, target.dir, target.name));
    }
  }

  /**
   * Finds the directory descriptor and name to pass to an {@code *at()} call. A path longer than
   * the kernel accepts in one argument (a deep tree reached through relative paths) is walked in
   * pieces, so that only the caller's own path can ever be too long.
   */
  private Location locate(byte[] path) {
    if (path.length <= PATH_MAX) {
      return new Location(rootFd, path, false, 0);
    }
    int dir = rootFd;
    int start = 0;
    int end = path.length - 1;
    while (end - start >= PATH_MAX) {
      int cut = start + PATH_MAX - 2;
      while (cut > start && path[cut] != '/') {
        cut--;
      }
      int errno = 0;
      int next = -1;
      if (cut == start) {
        errno = Errno.ENAMETOOLONG;
      } else {
        byte[] piece = new byte[cut - start + 1];
        System.arraycopy(path, start, piece, 0, cut - start);
        next = C.openat(dir, piece, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        if (next < 0) {
          errno = LibC.errno();
        }
      }
      if (dir != rootFd) {
        C.close(dir);
      }
      if (errno != 0) {
        return new Location(rootFd, null, false, errno);
      }
      dir = next;
      start = cut + 1;
    }
    byte[] name = new byte[end - start + 1];
    System.arraycopy(path, start, name, 0, end - start);
    return new Location(dir, name, true, 0);
  }

  /** A directory descriptor (owned when a long path was walked) and a name within it. */
  private static final class Location implements AutoCloseable {
    final int dir;
    final byte[] name;
    private final boolean owned;
    final int errno;

    Location(int dir, byte[] name, boolean owned, int errno) {
      this.dir = dir;
      this.name = name;
      this.owned = owned;
      this.errno = errno;
    }

    @Override
    public void close() {
      if (owned) {
        C.close(dir);
      }
    }
  }

  /** Maps a C result: -1 becomes {@code -errno}; read at once, before any other native call. */
  private static int checked(int rc) {
    return rc < 0 ? -LibC.errno() : rc;
  }

  /**
   * Gives a new node to its creator and the mode asked for. The daemon creates as itself, after the
   * kernel has checked the caller's permissions ({@code default_permissions}); then it hands the
   * node over, keeping a group inherited from a set-group-ID directory, and restores mode bits that
   * the daemon's umask or the change of owner took away.
   */
  private int created(byte[] path, int fd, int mode, int uid, int gid) {
    boolean chown = uid != daemonUid || gid != 0;
    if (chown) {
      int group = parentIsSetgid(path) ? -1 : gid;
      int rc =
          fd >= 0
              ? checked(C.fchown(fd, uid, group))
              : at(path, (dir, name) -> C.fchownat(dir, name, uid, group, AT_SYMLINK_NOFOLLOW));
      if (rc < 0) {
        return rc;
      }
    }
    int wanted = mode & 07777;
    if ((mode & S_IFMT) != S_IFLNK && ((wanted & umask) != 0 || (chown && (wanted & 06000) != 0))) {
      Pointer stat = STAT.get();
      int rc =
          fd >= 0
              ? checked(C.fstat(fd, stat))
              : at(path, (dir, name) -> C.fstatat(dir, name, stat, AT_SYMLINK_NOFOLLOW));
      if (rc < 0) {
        return rc;
      }
      int current = stat.getInt(LibC.STAT_MODE) & 07777;
      int restored = current | (wanted & (umask | 06000));
      if (restored != current) {
        rc =
            fd >= 0
                ? checked(C.fchmod(fd, restored))
                : at(path, (dir, name) -> C.fchmodat(dir, name, restored, 0));
        if (rc < 0) {
          return rc;
        }
      }
    }
    return 0;
  }

  private boolean parentIsSetgid(byte[] path) {
    int slash = path.length - 2;
    while (slash >= 0 && path[slash] != '/') {
      slash--;
    }
    byte[] parent = Names.ROOT;
    if (slash > 0) {
      parent = new byte[slash + 1];
      System.arraycopy(path, 0, parent, 0, slash);
    }
    Pointer stat = STAT.get();
    byte[] target = parent;
    int rc = at(target, (dir, name) -> C.fstatat(dir, name, stat, 0));
    return rc == 0 && (stat.getInt(LibC.STAT_MODE) & LibC.S_ISGID) != 0;
  }

  private static int processUmask() throws IOException {
    for (String line :
        java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
      if (line.startsWith("Umask:")) {
        return Integer.parseInt(line.substring(6).trim(), 8);
      }
    }
    return 022;
  }

  /**
   * Whether {@code path} is served by the core itself rather than a source file (no backing fd).
   */
  public boolean isVirtual(byte[] path) {
    return history != null && HistoryView.covers(path);
  }
}
