package io.ize.internal.fuse;

import io.ize.api.NodeState;
import io.ize.api.Point;
import io.ize.api.TreeEntry;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Brings a subtree back to a point by writing through the mount, so that the restore is recorded
 * like any other change and can be undone. It compares the store's tree at the point with its
 * latest tree (which, after a sync, is the tree as it is), removes what should not be there
 * (deepest first), creates and rewrites what differs (parents first; every name of a hard-linked
 * file after the first becomes a link), then sets metadata, and last the times, children before
 * parents so that directory times stick.
 */
final class Restorer {
  private static final LibC C = LibC.INSTANCE;
  private static final Runtime RUNTIME = Runtime.getRuntime(C);
  private static final long UTIME_OMIT = (1L << 30) - 2;

  private final VersionStore store;
  private final byte[] target;

  Restorer(VersionStore store, java.nio.file.Path target) {
    this.store = store;
    this.target = target.toString().getBytes(StandardCharsets.UTF_8);
  }

  void restore(String subtree, Point point) throws IOException {
    Map<String, TreeEntry> want = entries(subtree, point);
    Map<String, TreeEntry> have = entries(subtree, Point.latest());

    List<String> existing = new ArrayList<>(have.keySet());
    for (int i = existing.size() - 1; i >= 0; i--) {
      String key = existing.get(i);
      TreeEntry now = have.get(key);
      TreeEntry then = want.get(key);
      if (then == null || !sameKind(now.state(), then.state())) {
        remove(now);
        have.remove(key);
      }
    }

    Map<Long, TreeEntry> firstName = new HashMap<>();
    for (TreeEntry then : want.values()) {
      TreeEntry now = have.get(key(then));
      byte[] path = absolute(then.pathBytes());
      NodeState state = then.state();
      TreeEntry first = firstName.putIfAbsent(then.node(), then);
      if (first != null && !state.isDirectory()) {
        TreeEntry firstNow = have.get(key(first));
        if (now == null || firstNow == null || now.node() != firstNow.node()) {
          if (now != null) {
            remove(now);
          }
          byte[] linked = absolute(first.pathBytes());
          check(C.linkat(LibC.AT_FDCWD, linked, LibC.AT_FDCWD, path, 0), "link", path);
        }
        continue;
      }
      switch (state.type()) {
        case NodeState.S_IFDIR:
          if (now == null) {
            check(C.mkdirat(LibC.AT_FDCWD, path, state.mode() & 07777), "mkdir", path);
          }
          break;
        case NodeState.S_IFREG:
          if (now == null || !Objects.equals(now.state().content(), state.content())) {
            writeContent(path, state);
          }
          break;
        case NodeState.S_IFLNK:
          if (now == null) {
            check(C.symlinkat(cString(state.linkTarget()), LibC.AT_FDCWD, path), "symlink", path);
          }
          break;
        default:
          if (now == null) {
            check(C.mknodat(LibC.AT_FDCWD, path, state.mode(), state.rdev()), "mknod", path);
          }
      }
      setMetadata(path, state);
    }

    List<TreeEntry> ordered = new ArrayList<>(want.values());
    for (int i = ordered.size() - 1; i >= 0; i--) {
      setTimes(absolute(ordered.get(i).pathBytes()), ordered.get(i).state());
    }
  }

  /** The subtree's entries at a point, parents first, keyed by their exact path bytes. */
  private Map<String, TreeEntry> entries(String subtree, Point point) throws IOException {
    Map<String, TreeEntry> entries = new LinkedHashMap<>();
    for (TreeEntry e : store.tree(point, subtree)) {
      entries.put(key(e), e);
    }
    return entries;
  }

  private static String key(TreeEntry entry) {
    return new String(entry.pathBytes(), StandardCharsets.ISO_8859_1);
  }

  private static boolean sameKind(NodeState now, NodeState then) {
    return now.type() == then.type()
        && Arrays.equals(now.linkTarget(), then.linkTarget())
        && now.rdev() == then.rdev();
  }

  private void remove(TreeEntry entry) throws IOException {
    byte[] path = absolute(entry.pathBytes());
    if (entry.state().isDirectory()) {
      java.nio.file.Path dir =
          java.nio.file.Path.of(new String(path, 0, path.length - 1, StandardCharsets.UTF_8));
      // What the history never saw (files older than recording) goes with the directory.
      try (var walk = java.nio.file.Files.walk(dir)) {
        List<java.nio.file.Path> inside = new ArrayList<>();
        walk.forEach(inside::add);
        for (int i = inside.size() - 1; i >= 0; i--) {
          java.nio.file.Files.deleteIfExists(inside.get(i));
        }
      } catch (java.nio.file.NoSuchFileException gone) {
        // already gone
      }
    } else {
      int rc = C.unlinkat(LibC.AT_FDCWD, path, 0);
      if (rc < 0 && LibC.errno() != Errno.ENOENT) {
        throw Errno.exception(LibC.errno(), "restore: unlink", Names.display(path));
      }
    }
  }

  private void writeContent(byte[] path, NodeState state) throws IOException {
    int fd =
        C.openat(
            LibC.AT_FDCWD,
            path,
            LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC | LibC.O_NOFOLLOW | LibC.O_CLOEXEC,
            0600);
    if (fd < 0) {
      throw Errno.exception(LibC.errno(), "restore: open", Names.display(path));
    }
    try (InputStream in = store.content(state.content())) {
      byte[] buffer = new byte[1 << 20];
      int n;
      while ((n = in.read(buffer)) > 0) {
        int done = 0;
        while (done < n) {
          long written =
              C.write(fd, done == 0 ? buffer : Arrays.copyOfRange(buffer, done, n), n - done);
          if (written < 0) {
            throw Errno.exception(LibC.errno(), "restore: write", Names.display(path));
          }
          done += (int) written;
        }
      }
    } finally {
      C.close(fd);
    }
  }

  private void setMetadata(byte[] path, NodeState state) throws IOException {
    check(
        C.fchownat(LibC.AT_FDCWD, path, state.uid(), state.gid(), LibC.AT_SYMLINK_NOFOLLOW),
        "chown",
        path);
    if (!state.isSymbolicLink()) {
      check(C.fchmodat(LibC.AT_FDCWD, path, state.mode() & 07777, 0), "chmod", path);
    }
    Map<String, byte[]> wanted = state.xattrs();
    for (String name : currentXattrs(path)) {
      if (!wanted.containsKey(name)) {
        check(C.lremovexattr(path, Names.cString(name)), "removexattr", path);
      }
    }
    for (Map.Entry<String, byte[]> e : wanted.entrySet()) {
      byte[] value = e.getValue();
      check(C.lsetxattr(path, Names.cString(e.getKey()), value, value.length, 0), "setxattr", path);
    }
  }

  private List<String> currentXattrs(byte[] path) {
    List<String> names = new ArrayList<>();
    long size = C.llistxattr(path, null, 0);
    if (size <= 0) {
      return names;
    }
    Pointer list = Memory.allocateDirect(RUNTIME, (int) size);
    size = C.llistxattr(path, list, size);
    int start = 0;
    for (int i = 0; i < size; i++) {
      if (list.getByte(i) == 0) {
        byte[] name = new byte[i - start];
        list.get(start, name, 0, name.length);
        names.add(new String(name, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    return names;
  }

  private void setTimes(byte[] path, NodeState state) throws IOException {
    Pointer times = Memory.allocateDirect(RUNTIME, 32);
    times.putLong(0, 0);
    times.putLong(8, UTIME_OMIT);
    times.putLong(16, state.mtimeSeconds());
    times.putLong(24, state.mtimeNanos());
    check(C.utimensat(LibC.AT_FDCWD, path, times, LibC.AT_SYMLINK_NOFOLLOW), "utimens", path);
  }

  private byte[] absolute(byte[] relative) {
    byte[] path = new byte[target.length + 1 + relative.length + 1];
    System.arraycopy(target, 0, path, 0, target.length);
    path[target.length] = '/';
    System.arraycopy(relative, 0, path, target.length + 1, relative.length);
    return path;
  }

  private static byte[] cString(byte[] bytes) {
    return Arrays.copyOf(bytes, bytes.length + 1);
  }

  private static void check(int rc, String what, byte[] path) throws IOException {
    if (rc < 0) {
      throw Errno.exception(LibC.errno(), "restore: " + what, Names.display(path));
    }
  }
}
