package io.ize.testkit.internal;

import static io.ize.testkit.internal.Posix.AT_REMOVEDIR;
import static io.ize.testkit.internal.Posix.AT_SYMLINK_NOFOLLOW;
import static io.ize.testkit.internal.Posix.O_DIRECTORY;
import static io.ize.testkit.internal.Posix.O_NOFOLLOW;
import static io.ize.testkit.internal.Posix.O_RDONLY;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Whole-tree operations over descriptors: names are bytes, and depth is not bounded by PATH_MAX
 * since every call is relative to its parent's descriptor.
 */
public final class Trees {
  private static final byte[] DOT = {'.', 0};

  private Trees() {}

  /** Removes {@code path} and everything below it; does nothing if it does not exist. */
  public static void delete(byte[] path) {
    int fd = Posix.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
    if (fd < 0) {
      int errno = -fd;
      if (errno == jnr.constants.platform.Errno.ENOENT.intValue()) {
        return;
      }
      check(Posix.unlink(path), "unlink", path);
      return;
    }
    try {
      deleteContents(fd);
    } finally {
      Posix.close(fd);
    }
    check(Posix.rmdir(path), "rmdir", path);
  }

  private static void deleteContents(int dirfd) {
    for (Posix.Entry entry : list(dirfd)) {
      byte[] name = Posix.cString(entry.name());
      if (isDirectory(dirfd, entry, name)) {
        int child = Posix.openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
        check(child, "open", name);
        try {
          deleteContents(child);
        } finally {
          Posix.close(child);
        }
        check(Posix.unlinkat(dirfd, name, AT_REMOVEDIR), "rmdir", name);
      } else {
        check(Posix.unlinkat(dirfd, name, 0), "unlink", name);
      }
    }
  }

  /** The entries of an open directory, without {@code .} and {@code ..}. */
  public static List<Posix.Entry> list(int dirfd) {
    int fd = Posix.openat(dirfd, DOT, O_RDONLY | O_DIRECTORY, 0);
    check(fd, "open", DOT);
    List<Posix.Entry> entries = new ArrayList<>();
    try (Posix.DirStream stream = Posix.fdopendir(fd, DOT)) {
      for (Posix.Entry e = stream.next(); e != null; e = stream.next()) {
        if (!isDot(e.name())) {
          entries.add(e);
        }
      }
    }
    return entries;
  }

  /** Whether a name is {@code .} or {@code ..}. */
  public static boolean isDot(byte[] name) {
    return Arrays.equals(name, new byte[] {'.'}) || Arrays.equals(name, new byte[] {'.', '.'});
  }

  private static boolean isDirectory(int dirfd, Posix.Entry entry, byte[] name) {
    if (entry.type() != 0) {
      return entry.type() == Posix.DT_DIR;
    }
    Posix.Stat stat = Posix.statx(dirfd, name, AT_SYMLINK_NOFOLLOW);
    return stat != null && stat.isDirectory();
  }

  /**
   * Describes every node below {@code root}: its relative path (undecodable bytes as {@code \xNN})
   * mapped to its type, permissions, size and content digest or link target.
   */
  public static SortedMap<String, String> snapshot(byte[] root) {
    SortedMap<String, String> out = new TreeMap<>();
    int fd = Posix.open(root, O_RDONLY | O_DIRECTORY, 0);
    check(fd, "open", root);
    try {
      snapshot(fd, "", out);
    } finally {
      Posix.close(fd);
    }
    return out;
  }

  private static void snapshot(int dirfd, String prefix, SortedMap<String, String> out) {
    for (Posix.Entry entry : list(dirfd)) {
      byte[] name = Posix.cString(entry.name());
      String relative = prefix + Posix.display(name);
      Posix.Stat stat = Posix.statx(dirfd, name, AT_SYMLINK_NOFOLLOW);
      if (stat == null) {
        out.put(relative, "vanished: " + Errnos.name(Posix.errno()));
        continue;
      }
      String description = String.format("type %06o perm %04o", stat.type(), stat.permissions());
      if (stat.isRegular()) {
        description += " size " + stat.size() + " sha256 " + digest(dirfd, name);
      } else if (stat.isSymlink()) {
        description += " -> " + readlinkat(dirfd, name);
      }
      out.put(relative, description);
      if (stat.isDirectory()) {
        int child = Posix.openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
        check(child, "open", name);
        try {
          snapshot(child, relative + "/", out);
        } finally {
          Posix.close(child);
        }
      }
    }
  }

  private static String digest(int dirfd, byte[] name) {
    int fd = Posix.openat(dirfd, name, O_RDONLY | O_NOFOLLOW, 0);
    if (fd < 0) {
      return "unreadable: " + Errnos.name(-fd);
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(Posix.readAll(fd)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } finally {
      Posix.close(fd);
    }
  }

  private static String readlinkat(int dirfd, byte[] name) {
    byte[] target = Posix.readlinkat(dirfd, name);
    return target == null ? "unreadable" : Posix.display(Posix.cString(target));
  }

  private static int check(int rc, String what, byte[] name) {
    if (rc < 0) {
      throw new IllegalStateException(what + " " + Posix.display(name) + ": " + Errnos.name(-rc));
    }
    return rc;
  }
}
