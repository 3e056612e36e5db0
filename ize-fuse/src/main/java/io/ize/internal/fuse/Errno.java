package io.ize.internal.fuse;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Linux errno values the core uses by name, and the one mapping from errno to exception. */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int EINTR = 4;
  public static final int EIO = 5;
  public static final int EBADF = 9;
  public static final int EACCES = 13;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int ENOTDIR = 20;
  public static final int EISDIR = 21;
  public static final int EINVAL = 22;
  public static final int EROFS = 30;
  public static final int ERANGE = 34;
  public static final int ENAMETOOLONG = 36;
  public static final int ENOSYS = 38;
  public static final int ENODATA = 61;
  public static final int ENOTCONN = 107;

  private Errno() {}

  /** The C library's text for an errno, e.g. "No such file or directory". */
  public static String describe(int errno) {
    jnr.constants.platform.Errno known = jnr.constants.platform.Errno.valueOf(errno);
    return known.defined() ? known.description() : "errno " + errno;
  }

  /** The JDK exception that matches {@code errno}, naming {@code what} failed on {@code path}. */
  public static IOException exception(int errno, String what, String path) {
    String reason = what + ": " + describe(errno);
    switch (errno) {
      case ENOENT:
        return new NoSuchFileException(path, null, reason);
      case EEXIST:
        return new FileAlreadyExistsException(path, null, reason);
      case EACCES:
      case EPERM:
        return new AccessDeniedException(path, null, reason);
      case ENOTDIR:
        return new NotDirectoryException(path);
      default:
        return new FileSystemException(path, null, reason);
    }
  }
}
