package io.ize.internal.fuse;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;

/**
 * The C library calls the filesystem core makes. Paths are NUL-terminated byte arrays (see {@link
 * Names}): names are bytes on Linux, and a name that is not UTF-8 must reach the source unchanged.
 * Every call returns what the C function returns; the caller reads {@link #errno()} on failure.
 */
public interface LibC {
  int AT_FDCWD = -100;
  int AT_SYMLINK_NOFOLLOW = 0x100;
  int AT_REMOVEDIR = 0x200;
  int AT_EMPTY_PATH = 0x1000;

  int O_RDONLY = 0;
  int O_WRONLY = 1;
  int O_RDWR = 2;
  int O_ACCMODE = 3;
  int O_CREAT = 0100;
  int O_EXCL = 0200;
  int O_NOCTTY = 0400;
  int O_TRUNC = 01000;
  int O_APPEND = 02000;
  int O_NONBLOCK = 04000;
  int O_DIRECTORY = 0200000;
  int O_NOFOLLOW = 0400000;
  int O_CLOEXEC = 02000000;
  int O_PATH = 010000000;

  int S_IFMT = 0170000;
  int S_IFDIR = 0040000;
  int S_IFREG = 0100000;
  int S_IFLNK = 0120000;
  int S_ISUID = 04000;
  int S_ISGID = 02000;
  int S_IXGRP = 00010;

  int MNT_FORCE = 1;
  int MNT_DETACH = 2;

  /** Size of {@code struct stat} on x86-64 and aarch64 (glibc). */
  int STAT_SIZE = 144;

  /** Offset of {@code st_mode} in {@code struct stat} on x86-64. */
  int STAT_MODE = 24;

  /** Offset of {@code st_nlink} in {@code struct stat} on x86-64. */
  int STAT_NLINK = 16;

  /** Offset of {@code st_ino} in {@code struct stat} on x86-64. */
  int STAT_INO = 8;

  /** Offset of {@code st_dev} in {@code struct stat}. */
  int STAT_DEV = 0;

  /** Offset of {@code st_size} in {@code struct stat} on x86-64. */
  int STAT_SIZE_FIELD = 48;

  /** Offset of {@code st_mtime} (seconds; nanoseconds follow) in {@code struct stat} on x86-64. */
  int STAT_MTIME = 88;

  /** Offset of {@code st_gid} in {@code struct stat} on x86-64. */
  int STAT_GID = 32;

  /** The process-wide binding; jnr-ffi bindings are thread-safe. */
  LibC INSTANCE = LibraryLoader.create(LibC.class).failImmediately().load("c");

  /** The errno the last failed call on this thread left. */
  static int errno() {
    return Runtime.getRuntime(INSTANCE).getLastError();
  }

  int openat(int dirfd, @In byte[] path, int flags, int mode);

  int close(int fd);

  int fstatat(int dirfd, @In byte[] path, Pointer stat, int flags);

  int fstat(int fd, Pointer stat);

  int mkdirat(int dirfd, @In byte[] path, int mode);

  int mknodat(int dirfd, @In byte[] path, int mode, long dev);

  int unlinkat(int dirfd, @In byte[] path, int flags);

  int renameat2(int olddirfd, @In byte[] oldpath, int newdirfd, @In byte[] newpath, int flags);

  int symlinkat(@In byte[] target, int dirfd, @In byte[] path);

  long readlinkat(int dirfd, @In byte[] path, Pointer buf, long size);

  int linkat(int olddirfd, @In byte[] oldpath, int newdirfd, @In byte[] newpath, int flags);

  int fchmodat(int dirfd, @In byte[] path, int mode, int flags);

  int fchmod(int fd, int mode);

  int fchownat(int dirfd, @In byte[] path, int uid, int gid, int flags);

  int fchown(int fd, int uid, int gid);

  int utimensat(int dirfd, @In byte[] path, Pointer times, int flags);

  int faccessat(int dirfd, @In byte[] path, int mode, int flags);

  long pread(int fd, Pointer buf, long count, long offset);

  long pwrite(int fd, Pointer buf, long count, long offset);

  int ftruncate(int fd, long length);

  long lseek(int fd, long offset, int whence);

  long copy_file_range(int fdIn, Pointer offIn, int fdOut, Pointer offOut, long length, int flags);

  int futimens(int fd, Pointer times);

  int fallocate(int fd, int mode, long offset, long length);

  int fsync(int fd);

  int fdatasync(int fd);

  int fstatvfs(int fd, Pointer buf);

  long getxattr(@In byte[] path, @In byte[] name, Pointer value, long size);

  long listxattr(@In byte[] path, Pointer list, long size);

  int setxattr(@In byte[] path, @In byte[] name, Pointer value, long size, int flags);

  int removexattr(@In byte[] path, @In byte[] name);

  long llistxattr(@In byte[] path, Pointer list, long size);

  int lsetxattr(@In byte[] path, @In byte[] name, @In byte[] value, long size, int flags);

  int lremovexattr(@In byte[] path, @In byte[] name);

  long write(int fd, @In byte[] buffer, long count);

  Pointer fdopendir(int fd);

  Pointer readdir(Pointer dir);

  void seekdir(Pointer dir, long offset);

  int closedir(Pointer dir);

  int umount2(@In byte[] target, int flags);

  int mount(@In byte[] source, @In byte[] target, @In byte[] type, long flags, @In byte[] data);

  int geteuid();

  int getegid();
}
