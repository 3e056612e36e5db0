package io.ize.testkit.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The C library calls the contract tests make where Java NIO cannot: exact errno values, byte
 * names, {@code *at()} calls, special files, xattr flags, fallocate, locks and statfs.
 *
 * <p>Every wrapper returns what the C function returns when it succeeds and {@code -errno} when it
 * fails (the kernel's own convention), so a result can be asserted on in one expression. Paths are
 * NUL-terminated byte arrays ({@link #path}); {@code struct statx} and {@code struct statvfs} have
 * the same layout on every 64-bit Linux, {@code struct flock} and {@code struct dirent64} the same
 * on x86-64 and aarch64; the open flags that differ between the two are chosen by {@code os.arch}.
 */
public final class Posix {
  public static final int AT_FDCWD = -100;
  public static final int AT_SYMLINK_NOFOLLOW = 0x100;
  public static final int AT_REMOVEDIR = 0x200;
  public static final int AT_EMPTY_PATH = 0x1000;

  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_RDWR = 2;
  public static final int O_CREAT = 0100;
  public static final int O_EXCL = 0200;
  public static final int O_TRUNC = 01000;
  public static final int O_APPEND = 02000;
  public static final int O_NONBLOCK = 04000;
  private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
  public static final int O_DIRECTORY = AARCH64 ? 040000 : 0200000;
  public static final int O_NOFOLLOW = AARCH64 ? 0100000 : 0400000;
  public static final int O_DIRECT = AARCH64 ? 0200000 : 040000;
  public static final int O_CLOEXEC = 02000000;
  public static final int O_PATH = 010000000;

  public static final int S_IFMT = 0170000;
  public static final int S_IFSOCK = 0140000;
  public static final int S_IFLNK = 0120000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFBLK = 0060000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFIFO = 0010000;

  public static final int DT_FIFO = 1;
  public static final int DT_CHR = 2;
  public static final int DT_DIR = 4;
  public static final int DT_REG = 8;
  public static final int DT_LNK = 10;

  public static final int F_OK = 0;
  public static final int X_OK = 1;
  public static final int W_OK = 2;
  public static final int R_OK = 4;

  public static final long UTIME_NOW = (1L << 30) - 1;
  public static final long UTIME_OMIT = (1L << 30) - 2;

  public static final int XATTR_CREATE = 1;
  public static final int XATTR_REPLACE = 2;

  public static final int FALLOC_FL_KEEP_SIZE = 1;
  public static final int FALLOC_FL_PUNCH_HOLE = 2;

  public static final int LOCK_SH = 1;
  public static final int LOCK_EX = 2;
  public static final int LOCK_NB = 4;
  public static final int LOCK_UN = 8;

  public static final int F_GETLK = 5;
  public static final int F_SETLK = 6;
  public static final int F_SETLKW = 7;
  public static final short F_RDLCK = 0;
  public static final short F_WRLCK = 1;
  public static final short F_UNLCK = 2;

  public static final int SEEK_SET = 0;

  /** The libc functions, bound with byte-array paths. */
  public interface LibC {
    int openat(int dirfd, @In byte[] path, int flags, int mode);

    int close(int fd);

    long pread(int fd, @Out byte[] buffer, long count, long offset);

    long pwrite(int fd, @In byte[] buffer, long count, long offset);

    long read(int fd, @Out byte[] buffer, long count);

    long write(int fd, @In byte[] buffer, long count);

    int statx(int dirfd, @In byte[] path, int flags, int mask, @Out byte[] statx);

    int fstatvfs(int fd, @Out byte[] statvfs);

    int statvfs(@In byte[] path, @Out byte[] statvfs);

    int mkdirat(int dirfd, @In byte[] path, int mode);

    int mknodat(int dirfd, @In byte[] path, int mode, long dev);

    int mkfifoat(int dirfd, @In byte[] path, int mode);

    int unlinkat(int dirfd, @In byte[] path, int flags);

    int renameat(int olddirfd, @In byte[] oldpath, int newdirfd, @In byte[] newpath);

    int symlinkat(@In byte[] target, int dirfd, @In byte[] linkpath);

    long readlinkat(int dirfd, @In byte[] path, @Out byte[] buffer, long size);

    int linkat(int olddirfd, @In byte[] oldpath, int newdirfd, @In byte[] newpath, int flags);

    int fchmodat(int dirfd, @In byte[] path, int mode, int flags);

    int fchownat(int dirfd, @In byte[] path, int uid, int gid, int flags);

    int fchmod(int fd, int mode);

    int utimensat(int dirfd, @In byte[] path, @In long[] times, int flags);

    int faccessat(int dirfd, @In byte[] path, int mode, int flags);

    int truncate(@In byte[] path, long length);

    int ftruncate(int fd, long length);

    int fallocate(int fd, int mode, long offset, long length);

    int fsync(int fd);

    int fdatasync(int fd);

    long getxattr(@In byte[] path, @In byte[] name, @Out byte[] value, long size);

    long listxattr(@In byte[] path, @Out byte[] list, long size);

    int setxattr(@In byte[] path, @In byte[] name, @In byte[] value, long size, int flags);

    int removexattr(@In byte[] path, @In byte[] name);

    long lgetxattr(@In byte[] path, @In byte[] name, @Out byte[] value, long size);

    long llistxattr(@In byte[] path, @Out byte[] list, long size);

    int lsetxattr(@In byte[] path, @In byte[] name, @In byte[] value, long size, int flags);

    int lremovexattr(@In byte[] path, @In byte[] name);

    Pointer fdopendir(int fd);

    Pointer readdir(Pointer dir);

    int closedir(Pointer dir);

    long telldir(Pointer dir);

    void seekdir(Pointer dir, long position);

    long getdents64(int fd, @Out byte[] buffer, long size);

    int flock(int fd, int operation);

    int fcntl(int fd, int cmd, @In @Out byte[] flock);

    int geteuid();

    int getpid();
  }

  private static final LibC C = LibraryLoader.create(LibC.class).failImmediately().load("c");
  private static final Runtime RUNTIME = Runtime.getRuntime(C);

  private Posix() {}

  /** The errno the last native call of this thread left. */
  public static int errno() {
    return RUNTIME.getLastError();
  }

  private static int rc(int result) {
    return result < 0 ? -errno() : result;
  }

  private static long rc(long result) {
    return result < 0 ? -errno() : result;
  }

  // ------------------------------------------------------------------ paths and names

  /** A path's UTF-8 bytes, NUL-terminated. */
  public static byte[] path(Path path) {
    return cString(path.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** {@code dir/name} as NUL-terminated bytes; {@code name} is raw bytes, not terminated. */
  public static byte[] path(Path dir, byte[] name) {
    byte[] d = dir.toString().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[d.length + 1 + name.length + 1];
    System.arraycopy(d, 0, out, 0, d.length);
    out[d.length] = '/';
    System.arraycopy(name, 0, out, d.length + 1, name.length);
    return out;
  }

  /** A string's UTF-8 bytes, NUL-terminated. */
  public static byte[] cString(String string) {
    return cString(string.getBytes(StandardCharsets.UTF_8));
  }

  /** A NUL-terminated copy of {@code bytes}. */
  public static byte[] cString(byte[] bytes) {
    byte[] out = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, out, 0, bytes.length);
    return out;
  }

  // ------------------------------------------------------------------ files

  public static int open(byte[] path, int flags, int mode) {
    return rc(C.openat(AT_FDCWD, path, flags | O_CLOEXEC, mode));
  }

  public static int open(Path path, int flags, int mode) {
    return open(path(path), flags, mode);
  }

  public static int openat(int dirfd, byte[] path, int flags, int mode) {
    return rc(C.openat(dirfd, path, flags | O_CLOEXEC, mode));
  }

  public static int close(int fd) {
    return rc(C.close(fd));
  }

  /** Reads up to {@code count} bytes at {@code offset}; returns the bytes read or -errno. */
  public static long pread(int fd, byte[] buffer, long offset) {
    return rc(C.pread(fd, buffer, buffer.length, offset));
  }

  public static long pwrite(int fd, byte[] data, long offset) {
    return rc(C.pwrite(fd, data, data.length, offset));
  }

  /** Reads up to {@code buffer.length} bytes at the descriptor's position. */
  public static long read(int fd, byte[] buffer) {
    return rc(C.read(fd, buffer, buffer.length));
  }

  public static long write(int fd, byte[] data) {
    return rc(C.write(fd, data, data.length));
  }

  /** Reads the whole file through {@code fd} from offset 0. */
  public static byte[] readAll(int fd) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[65536];
    long offset = 0;
    while (true) {
      long n = pread(fd, buffer, offset);
      if (n < 0) {
        throw new IllegalStateException("pread: " + Errnos.name((int) -n));
      }
      if (n == 0) {
        return out.toByteArray();
      }
      out.write(buffer, 0, (int) n);
      offset += n;
    }
  }

  public static int ftruncate(int fd, long length) {
    return rc(C.ftruncate(fd, length));
  }

  public static int truncate(byte[] path, long length) {
    return rc(C.truncate(path, length));
  }

  public static int fallocate(int fd, int mode, long offset, long length) {
    return rc(C.fallocate(fd, mode, offset, length));
  }

  public static int fsync(int fd) {
    return rc(C.fsync(fd));
  }

  public static int fdatasync(int fd) {
    return rc(C.fdatasync(fd));
  }

  // ------------------------------------------------------------------ attributes

  /** {@code statx} of {@code path}, not following a final symbolic link; null on failure. */
  public static Stat lstat(byte[] path) {
    return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW);
  }

  /** {@code statx} of {@code path}, following symbolic links; null on failure. */
  public static Stat stat(byte[] path) {
    return statx(AT_FDCWD, path, 0);
  }

  public static Stat lstat(Path path) {
    return lstat(path(path));
  }

  public static Stat stat(Path path) {
    return stat(path(path));
  }

  /** {@code fstat} through {@code statx(fd, "", AT_EMPTY_PATH)}; null on failure. */
  public static Stat fstat(int fd) {
    return statx(fd, new byte[] {0}, AT_EMPTY_PATH);
  }

  /** {@code fstat} that returns 0 or {@code -errno}: for expected failures. */
  public static int fstatErrno(int fd) {
    byte[] buffer = new byte[256];
    return rc(C.statx(fd, new byte[] {0}, AT_EMPTY_PATH, 0xfff, buffer));
  }

  /** Like {@link #lstat} but returns {@code -errno} instead of null: for expected failures. */
  public static int lstatErrno(byte[] path) {
    byte[] buffer = new byte[256];
    return rc(C.statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0xfff, buffer));
  }

  public static int statErrno(byte[] path) {
    byte[] buffer = new byte[256];
    return rc(C.statx(AT_FDCWD, path, 0, 0xfff, buffer));
  }

  public static Stat statx(int dirfd, byte[] path, int flags) {
    byte[] buffer = new byte[256];
    if (C.statx(dirfd, path, flags, 0xfff, buffer) < 0) {
      return null;
    }
    return Stat.parse(buffer);
  }

  /** {@code statvfs} of a path; null on failure. */
  public static StatVfs statvfs(byte[] path) {
    byte[] buffer = new byte[256];
    if (C.statvfs(path, buffer) < 0) {
      return null;
    }
    return StatVfs.parse(buffer);
  }

  public static int chmod(byte[] path, int mode) {
    return rc(C.fchmodat(AT_FDCWD, path, mode, 0));
  }

  public static int fchmod(int fd, int mode) {
    return rc(C.fchmod(fd, mode));
  }

  public static int lchown(byte[] path, int uid, int gid) {
    return rc(C.fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW));
  }

  /**
   * {@code utimensat} with atime and mtime as seconds and nanoseconds; a nanosecond value may be
   * {@link #UTIME_NOW} or {@link #UTIME_OMIT}.
   */
  public static int utimensat(
      byte[] path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec, int flags) {
    return rc(
        C.utimensat(AT_FDCWD, path, new long[] {atimeSec, atimeNsec, mtimeSec, mtimeNsec}, flags));
  }

  public static int access(byte[] path, int mode) {
    return rc(C.faccessat(AT_FDCWD, path, mode, 0));
  }

  // ------------------------------------------------------------------ names

  public static int mkdir(byte[] path, int mode) {
    return rc(C.mkdirat(AT_FDCWD, path, mode));
  }

  public static int mkdirat(int dirfd, byte[] path, int mode) {
    return rc(C.mkdirat(dirfd, path, mode));
  }

  public static int mknod(byte[] path, int mode, long dev) {
    return rc(C.mknodat(AT_FDCWD, path, mode, dev));
  }

  public static int mkfifo(byte[] path, int mode) {
    return rc(C.mkfifoat(AT_FDCWD, path, mode));
  }

  /** glibc's {@code makedev}. */
  public static long makedev(int major, int minor) {
    long maj = major & 0xffffffffL;
    long min = minor & 0xffffffffL;
    return ((maj & 0xfffff000L) << 32)
        | ((maj & 0xfffL) << 8)
        | ((min & 0xffffff00L) << 12)
        | (min & 0xffL);
  }

  public static int unlink(byte[] path) {
    return rc(C.unlinkat(AT_FDCWD, path, 0));
  }

  public static int unlinkat(int dirfd, byte[] path, int flags) {
    return rc(C.unlinkat(dirfd, path, flags));
  }

  public static int rmdir(byte[] path) {
    return rc(C.unlinkat(AT_FDCWD, path, AT_REMOVEDIR));
  }

  public static int rename(byte[] from, byte[] to) {
    return rc(C.renameat(AT_FDCWD, from, AT_FDCWD, to));
  }

  public static int renameat(int fromDir, byte[] from, int toDir, byte[] to) {
    return rc(C.renameat(fromDir, from, toDir, to));
  }

  public static int symlink(byte[] target, byte[] path) {
    return rc(C.symlinkat(target, AT_FDCWD, path));
  }

  /** The target of a symbolic link as raw bytes (not terminated), or null on failure. */
  public static byte[] readlink(byte[] path) {
    return readlinkat(AT_FDCWD, path);
  }

  /** The target of a symbolic link relative to a directory descriptor, or null on failure. */
  public static byte[] readlinkat(int dirfd, byte[] path) {
    byte[] buffer = new byte[8192];
    long n = C.readlinkat(dirfd, path, buffer, buffer.length);
    if (n < 0) {
      return null;
    }
    byte[] out = new byte[(int) n];
    System.arraycopy(buffer, 0, out, 0, (int) n);
    return out;
  }

  public static int readlinkErrno(byte[] path) {
    byte[] buffer = new byte[8192];
    return (int) rc(C.readlinkat(AT_FDCWD, path, buffer, buffer.length));
  }

  public static int link(byte[] existing, byte[] path) {
    return rc(C.linkat(AT_FDCWD, existing, AT_FDCWD, path, 0));
  }

  // ------------------------------------------------------------------ xattrs

  /** An xattr's value, or null on failure ({@link #getxattrErrno} tells why). */
  public static byte[] getxattr(byte[] path, String name) {
    byte[] buffer = new byte[65536];
    long n = C.getxattr(path, cString(name), buffer, buffer.length);
    if (n < 0) {
      return null;
    }
    byte[] out = new byte[(int) n];
    System.arraycopy(buffer, 0, out, 0, (int) n);
    return out;
  }

  public static int getxattrErrno(byte[] path, String name) {
    byte[] buffer = new byte[65536];
    return (int) rc(C.getxattr(path, cString(name), buffer, buffer.length));
  }

  /** {@code getxattr} with a NULL buffer and size 0: the value's size, or {@code -errno}. */
  public static long getxattrSize(byte[] path, String name) {
    return rc(C.getxattr(path, cString(name), null, 0));
  }

  /** {@code getxattr} into a buffer of {@code size} bytes: the length, or {@code -errno}. */
  public static long getxattrInto(byte[] path, String name, int size) {
    return rc(C.getxattr(path, cString(name), new byte[size], size));
  }

  /** {@code listxattr} with a NULL buffer and size 0: the list's size, or {@code -errno}. */
  public static long listxattrSize(byte[] path) {
    return rc(C.listxattr(path, null, 0));
  }

  /** {@code listxattr} into a buffer of {@code size} bytes: the length, or {@code -errno}. */
  public static long listxattrInto(byte[] path, int size) {
    return rc(C.listxattr(path, new byte[size], size));
  }

  public static int setxattr(byte[] path, String name, byte[] value, int flags) {
    return rc(C.setxattr(path, cString(name), value, value.length, flags));
  }

  public static int removexattr(byte[] path, String name) {
    return rc(C.removexattr(path, cString(name)));
  }

  /** The xattr names of a path, or null on failure. */
  public static List<String> listxattr(byte[] path) {
    byte[] buffer = new byte[65536];
    long n = C.listxattr(path, buffer, buffer.length);
    if (n < 0) {
      return null;
    }
    return splitNames(buffer, (int) n);
  }

  private static List<String> splitNames(byte[] buffer, int length) {
    List<String> names = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < length; i++) {
      if (buffer[i] == 0) {
        names.add(new String(buffer, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    return names;
  }

  /** {@code lgetxattr}: the value, or null on failure ({@link #lgetxattrErrno} tells why). */
  public static byte[] lgetxattr(byte[] path, String name) {
    byte[] buffer = new byte[65536];
    long n = C.lgetxattr(path, cString(name), buffer, buffer.length);
    return n < 0 ? null : Arrays.copyOf(buffer, (int) n);
  }

  public static int lgetxattrErrno(byte[] path, String name) {
    byte[] buffer = new byte[65536];
    return (int) rc(C.lgetxattr(path, cString(name), buffer, buffer.length));
  }

  public static int lsetxattr(byte[] path, String name, byte[] value, int flags) {
    return rc(C.lsetxattr(path, cString(name), value, value.length, flags));
  }

  public static int lremovexattr(byte[] path, String name) {
    return rc(C.lremovexattr(path, cString(name)));
  }

  /** {@code llistxattr}: the names, or null on failure. */
  public static List<String> llistxattr(byte[] path) {
    byte[] buffer = new byte[65536];
    long n = C.llistxattr(path, buffer, buffer.length);
    return n < 0 ? null : splitNames(buffer, (int) n);
  }

  // ------------------------------------------------------------------ locks

  public static int flock(int fd, int operation) {
    return rc(C.flock(fd, operation));
  }

  /** {@code fcntl(fd, F_SETLK)} of a byte range; type is {@link #F_RDLCK} etc. */
  public static int setLock(int fd, short type, long start, long length) {
    return rc(C.fcntl(fd, F_SETLK, flock(type, start, length)));
  }

  /**
   * {@code fcntl(fd, F_GETLK)}: null if the range could be locked, else the conflicting lock's
   * {@code {type, pid}}.
   */
  public static int[] getLock(int fd, short type, long start, long length) {
    byte[] lock = flock(type, start, length);
    int rc = rc(C.fcntl(fd, F_GETLK, lock));
    if (rc < 0) {
      throw new IllegalStateException("F_GETLK: " + Errnos.name(-rc));
    }
    ByteBuffer b = ByteBuffer.wrap(lock).order(ByteOrder.nativeOrder());
    short found = b.getShort(0);
    return found == F_UNLCK ? null : new int[] {found, b.getInt(24)};
  }

  private static byte[] flock(short type, long start, long length) {
    ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
    b.putShort(0, type);
    b.putShort(2, (short) SEEK_SET);
    b.putLong(8, start);
    b.putLong(16, length);
    return b.array();
  }

  // ------------------------------------------------------------------ directories

  /** One directory entry as {@code readdir} returns it: raw name bytes, inode, type. */
  public record Entry(byte[] name, long ino, int type) {
    public String nameString() {
      return new String(name, StandardCharsets.UTF_8);
    }
  }

  /** An open directory stream; read it entry by entry, as slowly as the caller likes. */
  public static final class DirStream implements AutoCloseable {
    private Pointer dir;

    private DirStream(Pointer dir) {
      this.dir = dir;
    }

    /** The next entry, or null at the end. */
    public Entry next() {
      Pointer entry = C.readdir(dir);
      if (entry == null) {
        return null;
      }
      long ino = entry.getLong(0);
      int type = entry.getByte(18) & 0xff;
      int length = entry.indexOf(19, (byte) 0);
      byte[] name = new byte[length];
      entry.get(19, name, 0, length);
      return new Entry(name, ino, type);
    }

    /** {@code telldir}: a position to come back to with {@link #seek}. */
    public long tell() {
      return C.telldir(dir);
    }

    /** {@code seekdir} to a position {@link #tell} gave. */
    public void seek(long position) {
      C.seekdir(dir, position);
    }

    @Override
    public void close() {
      if (dir != null) {
        C.closedir(dir);
        dir = null;
      }
    }
  }

  /**
   * One {@code getdents64} call into a buffer of {@code size} bytes: a small buffer makes the
   * kernel resume the next call from the offset of the last entry it returned, in the middle of
   * what the file system handed it. Returns the entries, empty at the end; throws on an error.
   */
  public static List<Entry> getdents(int fd, int size) {
    byte[] buffer = new byte[size];
    long n = rc(C.getdents64(fd, buffer, size));
    if (n < 0) {
      throw new IllegalStateException("getdents64: " + Errnos.name((int) -n));
    }
    ByteBuffer b = ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder());
    List<Entry> entries = new ArrayList<>();
    int at = 0;
    while (at < n) {
      int reclen = b.getShort(at + 16) & 0xffff;
      int end = at + 19;
      while (buffer[end] != 0) {
        end++;
      }
      byte[] name = new byte[end - at - 19];
      System.arraycopy(buffer, at + 19, name, 0, name.length);
      entries.add(new Entry(name, b.getLong(at), buffer[at + 18] & 0xff));
      at += reclen;
    }
    return entries;
  }

  /** Opens a directory stream, or throws with the errno. */
  public static DirStream opendir(byte[] path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) {
      throw new IllegalStateException("open directory " + display(path) + ": " + Errnos.name(-fd));
    }
    return fdopendir(fd, path);
  }

  /** Wraps a directory descriptor (taken over) in a stream. */
  public static DirStream fdopendir(int fd, byte[] forMessages) {
    Pointer dir = C.fdopendir(fd);
    if (dir == null) {
      int errno = errno();
      C.close(fd);
      throw new IllegalStateException(
          "fdopendir " + display(forMessages) + ": " + Errnos.name(errno));
    }
    return new DirStream(dir);
  }

  /** Every entry of a directory, {@code .} and {@code ..} included, in readdir order. */
  public static List<Entry> list(byte[] path) {
    List<Entry> entries = new ArrayList<>();
    try (DirStream stream = opendir(path)) {
      for (Entry e = stream.next(); e != null; e = stream.next()) {
        entries.add(e);
      }
    }
    return entries;
  }

  public static List<Entry> list(Path path) {
    return list(path(path));
  }

  // ------------------------------------------------------------------ process

  public static int geteuid() {
    return C.geteuid();
  }

  public static int getpid() {
    return C.getpid();
  }

  /** For messages: a NUL-terminated path with undecodable bytes escaped as {@code \xNN}. */
  public static String display(byte[] path) {
    StringBuilder out = new StringBuilder();
    for (byte b : path) {
      if (b == 0) {
        break;
      }
      if (b >= 0x20 && b < 0x7f) {
        out.append((char) b);
      } else {
        out.append(String.format("\\x%02x", b & 0xff));
      }
    }
    return out.toString();
  }

  /** Parsed {@code struct statx}. */
  public record Stat(
      int mode,
      long ino,
      int nlink,
      int uid,
      int gid,
      long size,
      long blocks,
      int blksize,
      long atimeSec,
      int atimeNsec,
      long ctimeSec,
      int ctimeNsec,
      long mtimeSec,
      int mtimeNsec,
      int rdevMajor,
      int rdevMinor,
      int devMajor,
      int devMinor) {
    static Stat parse(byte[] buffer) {
      ByteBuffer b = ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder());
      return new Stat(
          b.getShort(28) & 0xffff,
          b.getLong(32),
          b.getInt(16),
          b.getInt(20),
          b.getInt(24),
          b.getLong(40),
          b.getLong(48),
          b.getInt(4),
          b.getLong(64),
          b.getInt(72),
          b.getLong(96),
          b.getInt(104),
          b.getLong(112),
          b.getInt(120),
          b.getInt(128),
          b.getInt(132),
          b.getInt(136),
          b.getInt(140));
    }

    public int type() {
      return mode & S_IFMT;
    }

    public int permissions() {
      return mode & 07777;
    }

    public boolean isDirectory() {
      return type() == S_IFDIR;
    }

    public boolean isRegular() {
      return type() == S_IFREG;
    }

    public boolean isSymlink() {
      return type() == S_IFLNK;
    }
  }

  /** Parsed {@code struct statvfs}. */
  public record StatVfs(
      long bsize, long frsize, long blocks, long bfree, long files, long flag, long namemax) {
    static StatVfs parse(byte[] buffer) {
      ByteBuffer b = ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder());
      return new StatVfs(
          b.getLong(0),
          b.getLong(8),
          b.getLong(16),
          b.getLong(24),
          b.getLong(40),
          b.getLong(72),
          b.getLong(80));
    }
  }
}
