package io.ize.internal.fuse;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;

/**
 * The FUSE kernel protocol as {@code include/uapi/linux/fuse.h} defines it (x86-64 offsets),
 * limited to what the kernel transport uses, and the device calls it makes.
 */
final class KernelAbi {
  private KernelAbi() {}

  // Opcodes.
  static final int LOOKUP = 1;
  static final int FORGET = 2;
  static final int GETATTR = 3;
  static final int SETATTR = 4;
  static final int READLINK = 5;
  static final int SYMLINK = 6;
  static final int MKNOD = 8;
  static final int MKDIR = 9;
  static final int UNLINK = 10;
  static final int RMDIR = 11;
  static final int RENAME = 12;
  static final int LINK = 13;
  static final int OPEN = 14;
  static final int READ = 15;
  static final int WRITE = 16;
  static final int STATFS = 17;
  static final int RELEASE = 18;
  static final int FSYNC = 20;
  static final int SETXATTR = 21;
  static final int GETXATTR = 22;
  static final int LISTXATTR = 23;
  static final int REMOVEXATTR = 24;
  static final int FLUSH = 25;
  static final int INIT = 26;
  static final int OPENDIR = 27;
  static final int READDIR = 28;
  static final int RELEASEDIR = 29;
  static final int FSYNCDIR = 30;
  static final int GETLK = 31;
  static final int SETLK = 32;
  static final int SETLKW = 33;
  static final int ACCESS = 34;
  static final int CREATE = 35;
  static final int INTERRUPT = 36;
  static final int DESTROY = 38;
  static final int BATCH_FORGET = 42;
  static final int FALLOCATE = 43;
  static final int READDIRPLUS = 44;
  static final int RENAME2 = 45;
  static final int LSEEK = 46;
  static final int COPY_FILE_RANGE = 47;

  // Headers.
  static final int IN_HEADER = 40;
  static final int OUT_HEADER = 16;

  /** The notification (in an out header's error field, with unique 0) to invalidate an inode. */
  static final int NOTIFY_INVAL_INODE = 2;

  static final int IN_OPCODE = 4;
  static final int IN_UNIQUE = 8;
  static final int IN_NODEID = 16;
  static final int IN_UID = 24;
  static final int IN_GID = 28;

  // INIT flags (fuse_init_in/out.flags, and flags2 shifted by 32).
  static final long ASYNC_READ = 1L << 0;
  static final long ATOMIC_O_TRUNC = 1L << 3;
  static final long BIG_WRITES = 1L << 5;
  static final long DO_READDIRPLUS = 1L << 13;
  static final long READDIRPLUS_AUTO = 1L << 14;
  static final long ASYNC_DIO = 1L << 15;
  static final long PARALLEL_DIROPS = 1L << 18;
  static final long MAX_PAGES = 1L << 22;
  static final long CACHE_SYMLINKS = 1L << 23;
  static final long HANDLE_KILLPRIV_V2 = 1L << 28;
  static final long INIT_EXT = 1L << 30;
  static final long PASSTHROUGH = 1L << 37;
  static final long OVER_IO_URING = 1L << 41;

  // fuse_attr inside replies.
  static final int ATTR_SIZE = 88;
  static final int ENTRY_OUT = 40 + ATTR_SIZE;
  static final int ATTR_OUT = 16 + ATTR_SIZE;
  static final int OPEN_OUT = 16;
  static final int DIRENT = 24;
  static final int DIRENTPLUS = ENTRY_OUT + DIRENT;

  // SETATTR valid bits.
  static final int FATTR_MODE = 1;
  static final int FATTR_UID = 2;
  static final int FATTR_GID = 4;
  static final int FATTR_SIZE = 8;
  static final int FATTR_ATIME = 16;
  static final int FATTR_MTIME = 32;
  static final int FATTR_FH = 64;
  static final int FATTR_ATIME_NOW = 128;
  static final int FATTR_MTIME_NOW = 256;
  static final int FATTR_KILL_SUIDGID = 1 << 11;

  // Set-user-ID and set-group-ID removal the kernel leaves to the server (HANDLE_KILLPRIV_V2).
  static final int OPEN_KILL_SUIDGID = 1 << 0;
  static final int WRITE_KILL_SUIDGID = 1 << 2;

  static final int GETATTR_FH = 1;
  static final int FSYNC_FDATASYNC = 1;
  static final int RENAME_EXCHANGE = 2;

  // fuse_open_out.open_flags.
  static final int FOPEN_DIRECT_IO = 1 << 0;
  static final int FOPEN_KEEP_CACHE = 1 << 1;
  static final int FOPEN_NOFLUSH = 1 << 5;
  static final int FOPEN_PASSTHROUGH = 1 << 7;

  // Device ioctls.
  static final long DEV_IOC_CLONE = 0x8004e500L;
  static final long DEV_IOC_BACKING_OPEN = 0x4010e501L;
  static final long DEV_IOC_BACKING_CLOSE = 0x4004e502L;

  static final long MS_RDONLY = 1;
  static final long MS_NOSUID = 2;
  static final long MS_NODEV = 4;

  static final int ENODEV = 19;
  static final int EAGAIN = 11;

  /** The calls on {@code /dev/fuse} that {@link LibC} does not bind. */
  public interface Device {
    long read(int fd, Pointer buffer, long count);

    long write(int fd, Pointer buffer, long count);

    int ioctl(int fd, long request, Pointer argument);
  }

  static final Device DEVICE = LibraryLoader.create(Device.class).failImmediately().load("c");

  /** Writes a {@code struct stat} as a {@code fuse_attr} at {@code at}. */
  static void putAttr(Pointer out, int at, Pointer stat) {
    out.putLong(at, stat.getLong(8)); // ino
    out.putLong(at + 8, stat.getLong(48)); // size
    out.putLong(at + 16, stat.getLong(64)); // blocks
    out.putLong(at + 24, stat.getLong(72)); // atime
    out.putLong(at + 32, stat.getLong(88)); // mtime
    out.putLong(at + 40, stat.getLong(104)); // ctime
    out.putInt(at + 48, (int) stat.getLong(80));
    out.putInt(at + 52, (int) stat.getLong(96));
    out.putInt(at + 56, (int) stat.getLong(112));
    out.putInt(at + 60, stat.getInt(24)); // mode
    out.putInt(at + 64, (int) stat.getLong(16)); // nlink
    out.putInt(at + 68, stat.getInt(28)); // uid
    out.putInt(at + 72, stat.getInt(32)); // gid
    out.putInt(at + 76, (int) stat.getLong(40)); // rdev: glibc's and the kernel's encodings agree
    out.putInt(at + 80, (int) stat.getLong(56)); // blksize
    out.putInt(at + 84, 0);
  }
}
