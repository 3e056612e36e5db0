package io.ize.internal.fuse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel transport's inodes: node ids handed to the kernel, each with the names it is known by
 * (parent node id and name bytes), its source identity ({@code st_dev}, {@code st_ino}) so that
 * hard links share one node, and the kernel's lookup count, which {@link #forget} brings down.
 *
 * <p>No descriptor is held per node: a node's path is derived from its names when a request needs
 * it and handed to {@link PassthroughFs}. Names are kept as ISO-8859-1 strings, a lossless
 * one-char-per-byte form, so that names which are not UTF-8 round-trip exactly.
 *
 * <p>Thread safety: every method synchronizes on the table, a leaf lock (nothing else is taken
 * while it is held).
 */
final class NodeTable {
  static final long ROOT = 1;

  /** One name of a node: its parent's node id and its name. */
  record Alias(long parent, String name) {}

  private record Key(long dev, long ino) {}

  /** A kernel inode. Its open state is guarded by its own monitor (a leaf lock). */
  static final class Node {
    final long id;
    private final Key key;
    private final List<Alias> aliases = new ArrayList<>(1);
    private long lookups;

    /** Descriptors of its open file handles (for fstat and friends once it has no name). */
    final List<Integer> openFds = new ArrayList<>(1);

    /** The kernel's backing id for passthrough while {@link #backingOpens} is positive. */
    int backingId;

    int backingOpens;

    Node(long id, Key key) {
      this.id = id;
      this.key = key;
    }

    /** Any descriptor open on this node, or -1. */
    synchronized int anyOpenFd() {
      return openFds.isEmpty() ? -1 : openFds.get(0);
    }
  }

  private final Map<Long, Node> byId = new HashMap<>();
  private final Map<Key, Node> byKey = new HashMap<>();
  private final Map<Alias, Node> byAlias = new HashMap<>();
  private long nextId = ROOT + 1;

  NodeTable(long rootDev, long rootIno) {
    Node root = new Node(ROOT, new Key(rootDev, rootIno));
    byId.put(ROOT, root);
    byKey.put(root.key, root);
  }

  static String name(byte[] bytes, int offset, int length) {
    return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
  }

  synchronized Node get(long id) {
    return byId.get(id);
  }

  /**
   * The node of the file with this identity, found under {@code parent}/{@code name}, created if
   * new; counts one lookup.
   */
  synchronized Node lookup(long dev, long ino, long parent, String name) {
    Key key = new Key(dev, ino);
    Node node = byKey.get(key);
    if (node == null) {
      node = new Node(nextId++, key);
      byId.put(node.id, node);
      byKey.put(key, node);
    }
    Alias alias = new Alias(parent, name);
    Node holder = byAlias.get(alias);
    if (holder != node) {
      if (holder != null) {
        dropAlias(holder, alias);
      }
      node.aliases.add(alias);
      byAlias.put(alias, node);
    }
    node.lookups++;
    return node;
  }

  /**
   * A new node for a file just created at {@code parent}/{@code name}; counts one lookup. A node
   * already holding the identity belongs to a removed file whose inode number the new one reuses
   * (its removal runs concurrently and may not have reached this table yet): it must not be handed
   * out again, or the kernel would find the new file under an inode it still keeps elsewhere.
   */
  synchronized Node created(long dev, long ino, long parent, String name) {
    Key key = new Key(dev, ino);
    Node node = new Node(nextId++, key);
    byId.put(node.id, node);
    byKey.put(key, node);
    Alias alias = new Alias(parent, name);
    Node holder = byAlias.get(alias);
    if (holder != null) {
      dropAlias(holder, alias);
    }
    node.aliases.add(alias);
    byAlias.put(alias, node);
    node.lookups = 1;
    return node;
  }

  /** The kernel forgot {@code count} lookups of node {@code id}. */
  synchronized void forget(long id, long count) {
    Node node = byId.get(id);
    if (node == null || id == ROOT) {
      return;
    }
    node.lookups -= count;
    if (node.lookups > 0) {
      return;
    }
    byId.remove(id);
    for (Alias alias : node.aliases) {
      byAlias.remove(alias, node);
    }
    node.aliases.clear();
    byKey.remove(node.key, node);
  }

  /** {@code parent}/{@code name} was removed (unlink, rmdir). */
  synchronized void removed(long parent, String name) {
    Alias alias = new Alias(parent, name);
    Node node = byAlias.remove(alias);
    if (node != null) {
      dropAlias(node, alias);
    }
  }

  /** A rename succeeded; {@code exchange} for RENAME_EXCHANGE. */
  synchronized void renamed(Alias from, Alias to, boolean exchange) {
    if (byAlias.get(from) != null && byAlias.get(from) == byAlias.get(to)) {
      return; // two names of one file: rename(2) leaves both
    }
    Node moved = byAlias.remove(from);
    Node other = byAlias.remove(to);
    if (moved != null) {
      moved.aliases.remove(from);
    }
    if (other != null) {
      other.aliases.remove(to);
      if (exchange) {
        other.aliases.add(from);
        byAlias.put(from, other);
      } else if (other.aliases.isEmpty()) {
        byKey.remove(other.key, other);
      }
    }
    if (moved != null) {
      moved.aliases.add(to);
      byAlias.put(to, moved);
    }
  }

  private void dropAlias(Node node, Alias alias) {
    node.aliases.remove(alias);
    if (node.aliases.isEmpty() && node.id != ROOT) {
      // No name left: a new file that reuses the inode number gets a node of its own.
      byKey.remove(node.key, node);
    }
  }

  /** The node's path relative to the source's root, NUL-terminated; null if it has no name. */
  synchronized byte[] path(long id) {
    if (id == ROOT) {
      return Names.ROOT;
    }
    int length = 0;
    List<String> parts = new ArrayList<>();
    long at = id;
    while (at != ROOT) {
      Node node = byId.get(at);
      if (node == null || node.aliases.isEmpty()) {
        return null;
      }
      Alias alias = node.aliases.get(0);
      parts.add(alias.name);
      length += alias.name.length() + 1;
      at = alias.parent;
      if (parts.size() > 1_000_000) {
        return null;
      }
    }
    byte[] path = new byte[length];
    int pos = 0;
    for (int i = parts.size() - 1; i >= 0; i--) {
      String part = parts.get(i);
      for (int c = 0; c < part.length(); c++) {
        path[pos++] = (byte) part.charAt(c);
      }
      path[pos++] = (byte) (i == 0 ? 0 : '/');
    }
    return path;
  }

  /** The path of {@code name} inside node {@code parent}, NUL-terminated; null if it has none. */
  byte[] child(long parent, String name) {
    byte[] dir = path(parent);
    if (dir == null) {
      return null;
    }
    if (parent == ROOT) {
      byte[] path = new byte[name.length() + 1];
      for (int c = 0; c < name.length(); c++) {
        path[c] = (byte) name.charAt(c);
      }
      return path;
    }
    byte[] path = new byte[dir.length + name.length() + 1];
    System.arraycopy(dir, 0, path, 0, dir.length - 1);
    path[dir.length - 1] = '/';
    for (int c = 0; c < name.length(); c++) {
      path[dir.length + c] = (byte) name.charAt(c);
    }
    return path;
  }

  /** Nodes the kernel holds (for tests). */
  synchronized int size() {
    return byId.size();
  }
}
