package io.ize.internal.fuse;

import io.ize.api.NodeState;
import io.ize.api.Point;
import io.ize.api.Snapshot;
import io.ize.api.TreeEntry;
import io.ize.api.VersionStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The read-only history directory {@code .ize} at the mount's root, served from the mount's store:
 * {@code snapshots/NAME/...} and {@code at/POINT/...} are the whole tree as the store holds it at
 * that snapshot or point ({@link Point#parse}: a sequence number, a snapshot name, an ISO-8601
 * instant, a relative time, {@code latest}). {@code at/} lists {@code latest} alone. Points are
 * resolved at every lookup, so {@code at/latest} and {@code at/10m} move on as records are
 * committed; a sequence number not recorded yet, an unknown snapshot or a malformed point is
 * ENOENT.
 *
 * <p>Paths are the core's (NUL-terminated, relative to the source's root, starting with {@code
 * .ize}); methods return a non-negative result or {@code -errno}, and a failing store surfaces as
 * an {@link UncheckedIOException}, which the transport's guard answers with EIO. The core refuses
 * every change under {@code .ize} itself; this class only reads.
 *
 * <p>Inode numbers have bit 62 set, apart from the source's, and are a hash of the entry point
 * ({@code snapshots/NAME} or {@code at/POINT}), the resolved sequence number and the store's node
 * number: the same for every lookup of one (point, path), equal for the names of one hard-linked
 * file, and distinct within a point (between points, a collision has odds of about 2^-31 per pair).
 * Handles lie in ranges of their own: file handles from 2^30 (above any descriptor number),
 * directory handles from 2^62 (far above the core's directory counter).
 *
 * <p>Trees are built whole, from {@link VersionStore#tree}, and the last {@value #CACHED_TREES} are
 * kept by sequence number. Content is streamed: each open file keeps a few positioned streams, so
 * sequential reads (and the kernel's interleaved readahead) continue where they stopped, and a
 * random offset skips whole chunks by their lengths instead of reading them.
 *
 * <p>Thread-safe. Lock order: the tree cache's monitor is a leaf; a tree slot's monitor (held while
 * its tree is built) and an open file's monitor (held for one read) are held only across calls to
 * the store. None is ever held together with the core's order lock: changes under {@code .ize} are
 * refused before it is taken, and this class never calls back into the core.
 */
final class HistoryView implements AutoCloseable {
  /** The view's name in the mount's root. */
  static final byte[] NAME = {'.', 'i', 'z', 'e'};

  private static final int CACHED_TREES = 4;
  private static final int CURSORS_PER_FILE = 4;
  private static final int NAME_MAX = 255;

  private static final byte[] SNAPSHOTS = bytes("snapshots");
  private static final byte[] AT = bytes("at");
  private static final byte[] LATEST = bytes("latest");
  private static final byte[] EMPTY = new byte[0];

  private static final long INO_BIT = 1L << 62;
  private static final long INO_MASK = INO_BIT - 1;
  private static final long VIEW_INO = INO_BIT | 1;
  private static final long SNAPSHOTS_INO = INO_BIT | 2;
  private static final long AT_INO = INO_BIT | 3;

  private static final long FILE_HANDLES = 1L << 30;
  private static final long DIR_HANDLES = 1L << 62;

  /** The node number standing for a tree's root; the store numbers real nodes from 1. */
  private static final long ROOT_NODE = 0;

  // struct stat on x86-64, as the rest of the core assumes (see LibC).
  private static final int ST_UID = 28;
  private static final int ST_RDEV = 40;
  private static final int ST_BLKSIZE = 56;
  private static final int ST_BLOCKS = 64;
  private static final int ST_ATIME = 72;
  private static final int ST_MTIME = 88;
  private static final int ST_CTIME = 104;

  private static final Runtime RUNTIME = Runtime.getRuntime(LibC.INSTANCE);

  private final VersionStore store;
  private final NodeState sourceRoot;
  private final NodeState directory;
  private final long mountRootIno;

  private final Map<Long, TreeSlot> trees =
      new LinkedHashMap<>(8, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, TreeSlot> eldest) {
          return size() > CACHED_TREES;
        }
      };

  private final ConcurrentHashMap<Long, Object> handles = new ConcurrentHashMap<>();
  private final AtomicInteger nextFile = new AtomicInteger();
  private final AtomicLong nextDir = new AtomicLong();

  /**
   * @param sourceRoot the source root's state at mount: the attributes of {@code .ize} and its
   *     fixed directories, and of a point's root where the store has no state for it
   * @param mountRootIno the mount root's inode number, for {@code .ize/..}
   */
  HistoryView(VersionStore store, NodeState sourceRoot, long mountRootIno) {
    this.store = store;
    this.sourceRoot = sourceRoot;
    this.mountRootIno = mountRootIno;
    this.directory =
        new NodeState(
            NodeState.S_IFDIR | 0555,
            sourceRoot.uid(),
            sourceRoot.gid(),
            0,
            0,
            sourceRoot.mtimeSeconds(),
            sourceRoot.mtimeNanos(),
            null,
            Map.of(),
            null);
  }

  /** Whether {@code path} (a core path) is {@code .ize} or lies below it. */
  static boolean covers(byte[] path) {
    if (path == null || path.length < NAME.length + 1) {
      return false;
    }
    for (int i = 0; i < NAME.length; i++) {
      if (path[i] != NAME[i]) {
        return false;
      }
    }
    return path[NAME.length] == 0 || path[NAME.length] == '/';
  }

  /** Whether a file handle lies in the view's range (no descriptor number reaches it). */
  static boolean ownsFile(long handle) {
    return handle >= FILE_HANDLES && handle <= Integer.MAX_VALUE;
  }

  /** Whether a directory handle lies in the view's range (the core's counter never gets there). */
  static boolean ownsDirectory(long handle) {
    return handle >= DIR_HANDLES;
  }

  @Override
  public void close() {
    for (Object handle : handles.values()) {
      if (handle instanceof FileHandle) {
        ((FileHandle) handle).close();
      }
    }
    handles.clear();
  }

  // ---------------------------------------------------------------- attributes

  int getattr(byte[] path, Pointer stat) {
    Found found = resolve(path);
    if (found == null) {
      return -Errno.ENOENT;
    }
    fill(stat, found);
    return 0;
  }

  int fgetattr(long handle, Pointer stat) {
    Object open = handles.get(handle);
    if (!(open instanceof FileHandle)) {
      return -Errno.EBADF;
    }
    fill(stat, ((FileHandle) open).found);
    return 0;
  }

  int access(byte[] path, int mask) {
    if (resolve(path) == null) {
      return -Errno.ENOENT;
    }
    return (mask & 2) != 0 ? -Errno.EROFS : 0;
  }

  int readlink(byte[] path, Pointer buffer, long size) {
    Found found = resolve(path);
    if (found == null) {
      return -Errno.ENOENT;
    }
    byte[] target = found.state.linkTarget();
    if (target == null) {
      return -Errno.EINVAL;
    }
    int n = (int) Math.min(target.length, size - 1);
    buffer.put(0, target, 0, n);
    buffer.putByte(n, (byte) 0);
    return 0;
  }

  int getxattr(byte[] path, byte[] name, Pointer value, long size) {
    Found found = resolve(path);
    if (found == null) {
      return -Errno.ENOENT;
    }
    byte[] bytes = found.state.xattrs().get(Names.display(name));
    if (bytes == null) {
      return -Errno.ENODATA;
    }
    if (size == 0) {
      return bytes.length;
    }
    if (size < bytes.length) {
      return -Errno.ERANGE;
    }
    value.put(0, bytes, 0, bytes.length);
    return bytes.length;
  }

  int listxattr(byte[] path, Pointer list, long size) {
    Found found = resolve(path);
    if (found == null) {
      return -Errno.ENOENT;
    }
    ByteArrayOutputStream names = new ByteArrayOutputStream();
    for (String name : found.state.xattrs().keySet()) {
      names.writeBytes(name.getBytes(StandardCharsets.UTF_8));
      names.write(0);
    }
    byte[] bytes = names.toByteArray();
    if (size == 0) {
      return bytes.length;
    }
    if (size < bytes.length) {
      return -Errno.ERANGE;
    }
    list.put(0, bytes, 0, bytes.length);
    return bytes.length;
  }

  // ---------------------------------------------------------------- files

  /** Opens a file for reading; returns its handle, or {@code -errno}. */
  int open(byte[] path, int flags) {
    if ((flags & LibC.O_ACCMODE) != LibC.O_RDONLY || (flags & LibC.O_TRUNC) != 0) {
      return -Errno.EROFS;
    }
    Found found = resolve(path);
    if (found == null) {
      return -Errno.ENOENT;
    }
    if (found.state.isDirectory()) {
      return -Errno.EISDIR;
    }
    if (found.state.isRegularFile() && found.state.content() == null && found.state.size() > 0) {
      // The file existed before recording began and only its metadata changed through the mount:
      // the store never saw its bytes.
      return -Errno.EIO;
    }
    FileHandle file = new FileHandle(found);
    while (true) {
      long handle = FILE_HANDLES + (nextFile.getAndIncrement() & (FILE_HANDLES - 1));
      if (handles.putIfAbsent(handle, file) == null) {
        return (int) handle;
      }
    }
  }

  int read(long handle, Pointer buffer, long size, long offset) {
    Object open = handles.get(handle);
    if (!(open instanceof FileHandle)) {
      return -Errno.EBADF;
    }
    try {
      return ((FileHandle) open).read(buffer, size, offset);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int release(long handle) {
    Object open = handles.remove(handle);
    if (!(open instanceof FileHandle)) {
      return -Errno.EBADF;
    }
    ((FileHandle) open).close();
    return 0;
  }

  /** An open file: its entry and a few streams over its content, each at its own position. */
  private final class FileHandle {
    final Found found;
    private final InputStream[] streams = new InputStream[CURSORS_PER_FILE];
    private final long[] positions = new long[CURSORS_PER_FILE];
    private final long[] used = new long[CURSORS_PER_FILE];
    private long clock;
    private byte[] buffer = EMPTY;

    FileHandle(Found found) {
      this.found = found;
    }

    synchronized int read(Pointer into, long size, long offset) throws IOException {
      long end = found.state.size();
      if (offset >= end || size <= 0) {
        return 0;
      }
      int want = (int) Math.min(size, end - offset);
      int cursor = cursorFor(offset);
      InputStream in = streams[cursor];
      long position = positions[cursor];
      while (position < offset) {
        long skipped = in.skip(offset - position);
        if (skipped <= 0) {
          if (in.read() < 0) {
            positions[cursor] = position;
            return 0;
          }
          skipped = 1;
        }
        position += skipped;
      }
      if (buffer.length < want) {
        buffer = new byte[want];
      }
      int done = 0;
      while (done < want) {
        int n = in.read(buffer, done, want - done);
        if (n < 0) {
          break;
        }
        done += n;
      }
      positions[cursor] = position + done;
      into.put(0, buffer, 0, done);
      return done;
    }

    /**
     * The stream nearest before {@code offset}, or else the least recently used one, reopened at
     * the start.
     */
    private int cursorFor(long offset) throws IOException {
      int best = -1;
      int stalest = 0;
      for (int i = 0; i < streams.length; i++) {
        if (streams[i] != null
            && positions[i] <= offset
            && (best < 0 || positions[i] > positions[best])) {
          best = i;
        }
        if (streams[i] == null || (streams[stalest] != null && used[i] < used[stalest])) {
          stalest = i;
        }
      }
      if (best < 0) {
        best = stalest;
        closeQuietly(streams[best]);
        streams[best] = store.content(found.state.content());
        positions[best] = 0;
      }
      used[best] = ++clock;
      return best;
    }

    synchronized void close() {
      for (int i = 0; i < streams.length; i++) {
        closeQuietly(streams[i]);
        streams[i] = null;
      }
    }
  }

  private static void closeQuietly(InputStream in) {
    if (in != null) {
      try {
        in.close();
      } catch (IOException ignored) {
        // a stream over the store holds nothing that outlives it
      }
    }
  }

  // ---------------------------------------------------------------- directories

  /** Opens a directory; returns a handle for {@link #readdir}, or {@code -errno}. */
  long opendir(byte[] path) {
    Found found = resolve(path);
    if (found == null) {
      return -Errno.ENOENT;
    }
    if (!found.state.isDirectory()) {
      return -Errno.ENOTDIR;
    }
    long handle = DIR_HANDLES + nextDir.getAndIncrement();
    handles.put(handle, new Listing(entries(found)));
    return handle;
  }

  /** Lists entries from {@code offset}, the index of the next entry (0 at the start). */
  int readdir(long handle, long offset, PassthroughFs.DirSink sink) {
    Object open = handles.get(handle);
    if (!(open instanceof Listing)) {
      return -Errno.EBADF;
    }
    Listing listing = (Listing) open;
    List<Dirent> entries = listing.entries;
    Pointer name = Memory.allocateDirect(RUNTIME, listing.longestName + 1);
    for (int i = (int) Math.max(0, offset); i < entries.size(); i++) {
      Dirent entry = entries.get(i);
      name.put(0, entry.name, 0, entry.name.length);
      name.putByte(entry.name.length, (byte) 0);
      if (sink.add(name, entry.ino, entry.type, i + 1)) {
        return 0;
      }
    }
    return 0;
  }

  int releasedir(long handle) {
    return handles.remove(handle) instanceof Listing ? 0 : -Errno.EBADF;
  }

  /** An open directory: the entries it had when opened. */
  private static final class Listing {
    final List<Dirent> entries;
    final int longestName;

    Listing(List<Dirent> entries) {
      this.entries = entries;
      this.longestName = entries.stream().mapToInt(e -> e.name.length).max().orElse(0);
    }
  }

  private static final class Dirent {
    final byte[] name;
    final long ino;
    final int type;

    Dirent(byte[] name, long ino, int mode) {
      this.name = name;
      this.ino = ino;
      this.type = (mode >> 12) & 0xf;
    }
  }

  private List<Dirent> entries(Found found) {
    List<Dirent> entries = new ArrayList<>();
    int dir = NodeState.S_IFDIR;
    entries.add(new Dirent(bytes("."), found.ino, dir));
    entries.add(new Dirent(bytes(".."), found.parentIno, dir));
    try {
      if (found.ino == VIEW_INO) {
        entries.add(new Dirent(SNAPSHOTS, SNAPSHOTS_INO, dir));
        entries.add(new Dirent(AT, AT_INO, dir));
      } else if (found.ino == SNAPSHOTS_INO) {
        for (Snapshot snapshot : store.snapshots()) {
          byte[] name = bytes(snapshot.name());
          if (name.length <= NAME_MAX && indexOf(name, 0, name.length, (byte) '/') == name.length) {
            byte[] label = concat(SNAPSHOTS, name);
            entries.add(new Dirent(name, ino(label, snapshot.sequence(), ROOT_NODE), dir));
          }
        }
      } else if (found.ino == AT_INO) {
        byte[] label = concat(AT, LATEST);
        entries.add(new Dirent(LATEST, ino(label, store.lastSequence(), ROOT_NODE), dir));
      } else {
        for (Tree.Node child : found.node.children) {
          entries.add(
              new Dirent(
                  child.name, ino(found.label, found.tree.sequence, child.id), child.state.mode()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }

  // ---------------------------------------------------------------- resolution

  /** What a path under {@code .ize} names; null where it names nothing. */
  private Found resolve(byte[] path) {
    int end = path.length - 1; // the NUL
    if (end == NAME.length) {
      return new Found(VIEW_INO, mountRootIno, directory, 4, null, null, null);
    }
    int start = NAME.length + 1;
    int slash = indexOf(path, start, end, (byte) '/');
    boolean snapshots = matches(path, start, slash, SNAPSHOTS);
    if (!snapshots && !matches(path, start, slash, AT)) {
      return null;
    }
    long fixedIno = snapshots ? SNAPSHOTS_INO : AT_INO;
    try {
      if (slash == end) {
        int links = snapshots ? 2 + store.snapshots().size() : 3;
        return new Found(fixedIno, VIEW_INO, directory, links, null, null, null);
      }
      int pointEnd = indexOf(path, slash + 1, end, (byte) '/');
      String point = new String(path, slash + 1, pointEnd - slash - 1, StandardCharsets.UTF_8);
      long sequence = snapshots ? snapshotSequence(point) : pointSequence(point);
      if (sequence < 0) {
        return null;
      }
      Tree tree = tree(sequence);
      byte[] within = pointEnd == end ? EMPTY : Arrays.copyOfRange(path, pointEnd + 1, end);
      Tree.Node node = tree.nodes.get(ByteBuffer.wrap(within));
      if (node == null) {
        return null;
      }
      byte[] label = Arrays.copyOfRange(path, start, pointEnd);
      long parentIno = node.parent == null ? fixedIno : ino(label, sequence, node.parent.id);
      return new Found(
          ino(label, sequence, node.id), parentIno, node.state, node.links, tree, node, label);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private long snapshotSequence(String name) throws IOException {
    try {
      return store.sequenceOf(Point.snapshot(name));
    } catch (IllegalArgumentException unknown) {
      return -1;
    }
  }

  /** The sequence number a point stands for now; -1 for a malformed or unknown one. */
  private long pointSequence(String text) throws IOException {
    long sequence;
    try {
      sequence = store.sequenceOf(Point.parse(text));
    } catch (IllegalArgumentException malformedOrUnknown) {
      return -1;
    }
    boolean number = !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
    if (number && sequence != Long.parseLong(text)) {
      return -1; // not recorded yet: the store answers with its last record
    }
    return sequence;
  }

  /** The entry a path names: its inode number, its parent's, its state, and where it lies. */
  private static final class Found {
    final long ino;
    final long parentIno;
    final NodeState state;
    final int links;
    final Tree tree;
    final Tree.Node node;
    final byte[] label;

    Found(
        long ino,
        long parentIno,
        NodeState state,
        int links,
        Tree tree,
        Tree.Node node,
        byte[] label) {
      this.ino = ino;
      this.parentIno = parentIno;
      this.state = state;
      this.links = links;
      this.tree = tree;
      this.node = node;
      this.label = label;
    }
  }

  private static void fill(Pointer stat, Found found) {
    NodeState state = found.state;
    stat.setMemory(0, LibC.STAT_SIZE, (byte) 0);
    stat.putLong(LibC.STAT_INO, found.ino);
    stat.putLong(LibC.STAT_NLINK, found.links);
    stat.putInt(LibC.STAT_MODE, state.mode());
    stat.putInt(ST_UID, state.uid());
    stat.putInt(LibC.STAT_GID, state.gid());
    stat.putLong(ST_RDEV, state.rdev());
    stat.putLong(LibC.STAT_SIZE_FIELD, state.size());
    stat.putLong(ST_BLKSIZE, 4096);
    stat.putLong(ST_BLOCKS, (state.size() + 511) / 512);
    // Access and change times are not versioned: both show the modification time.
    for (int field : new int[] {ST_ATIME, ST_MTIME, ST_CTIME}) {
      stat.putLong(field, state.mtimeSeconds());
      stat.putLong(field + 8, state.mtimeNanos());
    }
  }

  /**
   * An inode number: bit 62, over a hash of the entry point's label and sequence number mixed with
   * the node number, so that it is distinct for every node of one tree.
   */
  private static long ino(byte[] label, long sequence, long node) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : label) {
      hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
    }
    return INO_BIT | ((mix(mix(hash) + sequence) ^ node) & INO_MASK);
  }

  /** SplitMix64's finaliser. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  // ---------------------------------------------------------------- trees

  private Tree tree(long sequence) throws IOException {
    TreeSlot slot;
    synchronized (trees) {
      slot = trees.computeIfAbsent(sequence, TreeSlot::new);
    }
    return slot.get();
  }

  /** One cached tree, built by the first thread that needs it while the others wait. */
  private final class TreeSlot {
    private final long sequence;
    private Tree tree;

    TreeSlot(long sequence) {
      this.sequence = sequence;
    }

    synchronized Tree get() throws IOException {
      if (tree == null) {
        tree = new Tree(sequence, store.tree(Point.sequence(sequence), ""), rootState());
      }
      return tree;
    }

    /** The root's recorded state, else the source root's with the time of the last record. */
    private NodeState rootState() throws IOException {
      NodeState recorded = store.state("", Point.sequence(sequence));
      if (recorded != null) {
        return recorded;
      }
      long seconds = sourceRoot.mtimeSeconds();
      int nanos = sourceRoot.mtimeNanos();
      if (sequence > 0) {
        Instant time = store.record(sequence).time();
        seconds = time.getEpochSecond();
        nanos = time.getNano();
      }
      return new NodeState(
          sourceRoot.mode(),
          sourceRoot.uid(),
          sourceRoot.gid(),
          0,
          sourceRoot.size(),
          seconds,
          nanos,
          null,
          Map.of(),
          null);
    }
  }

  /** The whole tree at one sequence number, by path. Immutable once built. */
  private static final class Tree {
    final long sequence;
    final Map<ByteBuffer, Node> nodes = new HashMap<>();

    Tree(long sequence, List<TreeEntry> entries, NodeState rootState) {
      this.sequence = sequence;
      Node root = new Node(EMPTY, ROOT_NODE, rootState, null);
      nodes.put(ByteBuffer.wrap(EMPTY), root);
      Map<Long, Integer> names = new HashMap<>();
      List<Node> all = new ArrayList<>();
      for (TreeEntry entry : entries) {
        byte[] path = entry.pathBytes();
        int slash = lastIndexOf(path, (byte) '/');
        Node parent = nodes.get(ByteBuffer.wrap(slash < 0 ? EMPTY : Arrays.copyOf(path, slash)));
        if (entry.state() == null || parent == null || parent.children == null) {
          continue;
        }
        Node node =
            new Node(
                Arrays.copyOfRange(path, slash + 1, path.length),
                entry.node(),
                entry.state(),
                parent);
        parent.children.add(node);
        if (node.children != null) {
          parent.links++;
        }
        nodes.put(ByteBuffer.wrap(path), node);
        names.merge(node.id, 1, Integer::sum);
        all.add(node);
      }
      for (Node node : all) {
        if (node.children == null) {
          node.links = names.get(node.id);
        }
      }
    }

    /** A name in the tree; directories count their links (2 and one per subdirectory). */
    static final class Node {
      final byte[] name;
      final long id;
      final NodeState state;
      final Node parent;
      final List<Node> children;
      int links;

      Node(byte[] name, long id, NodeState state, Node parent) {
        this.name = name;
        this.id = id;
        this.state = state;
        this.parent = parent;
        this.children = state.isDirectory() ? new ArrayList<>() : null;
        this.links = state.isDirectory() ? 2 : 1;
      }
    }
  }

  // ---------------------------------------------------------------- bytes

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] kind, byte[] name) {
    byte[] label = new byte[kind.length + 1 + name.length];
    System.arraycopy(kind, 0, label, 0, kind.length);
    label[kind.length] = '/';
    System.arraycopy(name, 0, label, kind.length + 1, name.length);
    return label;
  }

  private static boolean matches(byte[] path, int start, int end, byte[] word) {
    return end - start == word.length && Arrays.equals(path, start, end, word, 0, word.length);
  }

  private static int indexOf(byte[] bytes, int from, int end, byte b) {
    for (int i = from; i < end; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return end;
  }

  private static int lastIndexOf(byte[] bytes, byte b) {
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
