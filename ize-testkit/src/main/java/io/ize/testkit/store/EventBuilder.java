package io.ize.testkit.store;

import io.ize.api.Chunk;
import io.ize.api.Chunker;
import io.ize.api.Event;
import io.ize.api.Manifest;
import io.ize.api.NodeState;
import io.ize.api.Operation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Builds the events a recorder would hand to {@link io.ize.api.VersionStore#append}, without a
 * filesystem: a fluent list of changes, each stamped with a clock that advances a millisecond per
 * event, over a small model of the tree so that every event carries a plausible full state.
 *
 * <p>Not thread-safe.
 */
final class EventBuilder {
  static final int UID = 1000;
  static final int GID = 1000;
  private static final long STEP = 1_000_000L;

  private final List<Event> events = new ArrayList<>();
  private final NavigableMap<String, NodeState> model = new TreeMap<>();
  private long clock;
  private long lastTime;

  EventBuilder(Instant start) {
    this.clock = nanos(start);
  }

  /** The epoch nanoseconds of {@code instant}. */
  static long nanos(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
  }

  /** Stamps the next event with {@code instant}; later events follow it a millisecond apart. */
  EventBuilder at(Instant instant) {
    clock = nanos(instant);
    return this;
  }

  /** The modelled state of {@code path} after the events built so far, or null. */
  NodeState state(String path) {
    return model.get(path);
  }

  /** The events built since the last {@link #take}, and forgets them. */
  List<Event> take() {
    List<Event> taken = List.copyOf(events);
    events.clear();
    return taken;
  }

  /** How many events {@link #take} would return. */
  int size() {
    return events.size();
  }

  // ------------------------------------------------------------------ states

  static NodeState directory(int permissions, long timeNanos) {
    return state(NodeState.S_IFDIR | permissions, 0, timeNanos, null);
  }

  static NodeState file(int permissions, long timeNanos) {
    return state(NodeState.S_IFREG | permissions, 0, timeNanos, null);
  }

  private static NodeState state(int mode, long rdev, long timeNanos, byte[] link) {
    return new NodeState(
        mode,
        UID,
        GID,
        rdev,
        link == null ? 0 : link.length,
        Math.floorDiv(timeNanos, 1_000_000_000L),
        (int) Math.floorMod(timeNanos, 1_000_000_000L),
        link,
        Map.of(),
        null);
  }

  private static NodeState with(
      NodeState s, int mode, int uid, int gid, long timeNanos, Map<String, byte[]> xattrs) {
    return new NodeState(
        mode,
        uid,
        gid,
        s.rdev(),
        s.size(),
        Math.floorDiv(timeNanos, 1_000_000_000L),
        (int) Math.floorMod(timeNanos, 1_000_000_000L),
        s.linkTarget(),
        xattrs,
        s.content());
  }

  // ------------------------------------------------------------------ changes

  EventBuilder mkdir(String path) {
    return mkdir(path, 0755);
  }

  EventBuilder mkdir(String path, int permissions) {
    long t = tick();
    NodeState s = directory(permissions, t);
    model.put(path, s);
    return add(Event.change(Operation.MKDIR, t, bytes(path), null, 0, s, List.of()));
  }

  /** A new, empty regular file. */
  EventBuilder create(String path) {
    long t = tick();
    NodeState s = file(0644, t);
    model.put(path, s);
    return add(Event.change(Operation.CREATE, t, bytes(path), null, 0, s, List.of()));
  }

  /** A new, empty regular file at a path given as raw bytes (any bytes but NUL and '/'). */
  EventBuilder create(byte[] path) {
    long t = tick();
    return add(Event.change(Operation.CREATE, t, path, null, 0, file(0644, t), List.of()));
  }

  EventBuilder symlink(String path, String target) {
    long t = tick();
    NodeState s = state(NodeState.S_IFLNK | 0777, 0, t, bytes(target));
    model.put(path, s);
    return add(Event.change(Operation.SYMLINK, t, bytes(path), null, 0, s, List.of()));
  }

  /** A special file: {@code mode} includes its type bits. */
  EventBuilder mknod(String path, int mode, long rdev) {
    long t = tick();
    NodeState s = state(mode, rdev, t, null);
    model.put(path, s);
    return add(Event.change(Operation.MKNOD, t, bytes(path), null, 0, s, List.of()));
  }

  /** New content of a file (created first if the model has no file there): chunks, then WRITE. */
  EventBuilder write(String path, byte[] content) {
    return content(Operation.WRITE, path, content);
  }

  EventBuilder write(String path, String content) {
    return write(path, bytes(content));
  }

  /** A file's content as first seen, before a change (the recorder's pre-image). */
  EventBuilder preimage(String path, byte[] content) {
    return content(Operation.PREIMAGE, path, content);
  }

  /** Cuts content into chunks and builds the chunks event and the content event. */
  private EventBuilder content(Operation operation, String path, byte[] content) {
    Manifest manifest = new Manifest();
    List<Chunk> chunks = new ArrayList<>();
    try {
      Chunker.split(
          new ByteArrayInputStream(content),
          chunk -> {
            manifest.add(chunk);
            chunks.add(chunk);
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!chunks.isEmpty()) {
      add(Event.chunks(chunks));
    }
    long t = tick();
    NodeState before = model.get(path);
    NodeState base =
        before == null
            ? file(0644, t)
            : with(before, before.mode(), before.uid(), before.gid(), t, before.xattrs());
    NodeState s = base.withContent(manifest.id(), manifest.size());
    model.put(path, s);
    return add(Event.content(operation, t, bytes(path), s, manifest, List.of()));
  }

  /** Changes permission bits; like chown and the xattr calls, it leaves the mtime as it was. */
  EventBuilder chmod(String path, int permissions) {
    tick();
    NodeState s = known(path);
    NodeState changed =
        with(
            s, (s.mode() & NodeState.S_IFMT) | permissions, s.uid(), s.gid(), mtime(s), s.xattrs());
    return metadata(Operation.CHMOD, path, changed);
  }

  EventBuilder chown(String path, int uid, int gid) {
    tick();
    NodeState s = known(path);
    return metadata(Operation.CHOWN, path, with(s, s.mode(), uid, gid, mtime(s), s.xattrs()));
  }

  /** Sets the modification time. */
  EventBuilder utimens(String path, Instant mtime) {
    tick();
    NodeState s = known(path);
    return metadata(
        Operation.UTIMENS, path, with(s, s.mode(), s.uid(), s.gid(), nanos(mtime), s.xattrs()));
  }

  EventBuilder setxattr(String path, String name, byte[] value) {
    tick();
    NodeState s = known(path);
    Map<String, byte[]> xattrs = new HashMap<>(s.xattrs());
    xattrs.put(name, value);
    return metadata(
        Operation.SETXATTR, path, with(s, s.mode(), s.uid(), s.gid(), mtime(s), xattrs));
  }

  EventBuilder removexattr(String path, String name) {
    tick();
    NodeState s = known(path);
    Map<String, byte[]> xattrs = new HashMap<>(s.xattrs());
    xattrs.remove(name);
    return metadata(
        Operation.REMOVEXATTR, path, with(s, s.mode(), s.uid(), s.gid(), mtime(s), xattrs));
  }

  private EventBuilder metadata(Operation operation, String path, NodeState changed) {
    model.put(path, changed);
    return add(Event.change(operation, lastTime, bytes(path), null, 0, changed, List.of()));
  }

  /** A hard link: {@code newName} becomes another name of the file at {@code existing}. */
  EventBuilder link(String existing, String newName) {
    long t = tick();
    NodeState s = known(existing);
    model.put(newName, s);
    return add(Event.change(Operation.LINK, t, bytes(existing), bytes(newName), 0, s, List.of()));
  }

  EventBuilder unlink(String path) {
    long t = tick();
    model.remove(path);
    return add(Event.change(Operation.UNLINK, t, bytes(path), null, 0, null, List.of()));
  }

  EventBuilder rmdir(String path) {
    long t = tick();
    model.remove(path);
    return add(Event.change(Operation.RMDIR, t, bytes(path), null, 0, null, List.of()));
  }

  /** Renames a file or a directory (with everything below it), replacing what is at {@code to}. */
  EventBuilder rename(String from, String to) {
    long t = tick();
    NavigableMap<String, NodeState> moved = detach(from);
    detach(to);
    attach(moved, from, to);
    return add(
        Event.change(Operation.RENAME, t, bytes(from), bytes(to), 0, model.get(to), List.of()));
  }

  /** Swaps two paths ({@code renameat2} with {@code RENAME_EXCHANGE}, flags 2). */
  EventBuilder exchange(String a, String b) {
    long t = tick();
    NavigableMap<String, NodeState> first = detach(a);
    NavigableMap<String, NodeState> second = detach(b);
    attach(first, a, b);
    attach(second, b, a);
    return add(Event.change(Operation.RENAME, t, bytes(a), bytes(b), 2, model.get(b), List.of()));
  }

  EventBuilder gap(String reason) {
    return add(Event.gap(tick(), reason));
  }

  // ------------------------------------------------------------------ plumbing

  private NavigableMap<String, NodeState> detach(String path) {
    NavigableMap<String, NodeState> subtree = new TreeMap<>();
    NodeState own = model.remove(path);
    if (own != null) {
      subtree.put(path, own);
    }
    NavigableMap<String, NodeState> below = model.subMap(path + "/", true, path + "0", false);
    subtree.putAll(below);
    below.clear();
    return subtree;
  }

  private void attach(NavigableMap<String, NodeState> subtree, String from, String to) {
    subtree.forEach((p, s) -> model.put(to + p.substring(from.length()), s));
  }

  private static long mtime(NodeState s) {
    return s.mtimeSeconds() * 1_000_000_000L + s.mtimeNanos();
  }

  private NodeState known(String path) {
    NodeState s = model.get(path);
    if (s == null) {
      throw new IllegalStateException("the event builder knows nothing at " + path);
    }
    return s;
  }

  private long tick() {
    lastTime = clock;
    clock += STEP;
    return lastTime;
  }

  private EventBuilder add(Event event) {
    events.add(event);
    return this;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
