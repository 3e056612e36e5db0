package io.ize.api;

import java.util.List;
import java.util.Objects;

/**
 * One change as the filesystem saw it, handed to {@link VersionStore#append}: the recorder's input.
 * Paths are relative to the mount's root, as raw bytes without a terminator (the root is the empty
 * path). Immutable; the arrays are shared, do not modify them.
 */
public final class Event {
  private final Operation operation;
  private final long timeNanos;
  private final byte[] path;
  private final byte[] target;
  private final int flags;
  private final NodeState state;
  private final List<Ancestor> ancestors;
  private final List<Chunk> chunks;
  private final byte[] manifest;

  private Event(
      Operation operation,
      long timeNanos,
      byte[] path,
      byte[] target,
      int flags,
      NodeState state,
      List<Ancestor> ancestors,
      List<Chunk> chunks,
      byte[] manifest) {
    this.operation = operation;
    this.timeNanos = timeNanos;
    this.path = path;
    this.target = target;
    this.flags = flags;
    this.state = state;
    this.ancestors = List.copyOf(ancestors);
    this.chunks = List.copyOf(chunks);
    this.manifest = manifest;
  }

  /**
   * A change to one path.
   *
   * @param target the new path of a rename, or the new name of a link; else null
   * @param flags {@code renameat2} flags of a rename, else 0
   * @param state the node's state after the change (null for unlink, rmdir, rename and gaps); for
   *     {@link Operation#WRITE} and {@link Operation#PREIMAGE} it carries the content
   * @param ancestors the states of directories on the path that the store may not know yet (those
   *     that existed before recording began); may be empty
   */
  public static Event change(
      Operation operation,
      long timeNanos,
      byte[] path,
      byte[] target,
      int flags,
      NodeState state,
      List<Ancestor> ancestors) {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(path, "path");
    return new Event(operation, timeNanos, path, target, flags, state, ancestors, List.of(), null);
  }

  /**
   * New content of a file ({@link Operation#WRITE}, {@link Operation#PREIMAGE}, or a truncate):
   * {@code state.content()} names it, and {@code manifest} lists its chunks ({@link Manifest}),
   * which earlier {@link #chunks} events carried.
   */
  public static Event content(
      Operation operation,
      long timeNanos,
      byte[] path,
      NodeState state,
      Manifest manifest,
      List<Ancestor> ancestors) {
    Objects.requireNonNull(state, "state");
    return new Event(
        operation,
        timeNanos,
        path,
        null,
        0,
        state,
        ancestors,
        List.of(),
        manifest.isEmpty() ? null : manifest.bytes());
  }

  /** Chunks of content to store before a record that refers to them; records nothing itself. */
  public static Event chunks(List<Chunk> chunks) {
    return new Event(null, 0, null, null, 0, null, List.of(), chunks, null);
  }

  /** A gap: recording failed, so changes between the neighbouring records were lost. */
  public static Event gap(long timeNanos, String reason) {
    return new Event(
        Operation.GAP,
        timeNanos,
        reason.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        null,
        0,
        null,
        List.of(),
        List.of(),
        null);
  }

  /** The operation, or null for a {@link #chunks} event. */
  public Operation operation() {
    return operation;
  }

  public long timeNanos() {
    return timeNanos;
  }

  public byte[] path() {
    return path;
  }

  public byte[] target() {
    return target;
  }

  public int flags() {
    return flags;
  }

  public NodeState state() {
    return state;
  }

  public List<Ancestor> ancestors() {
    return ancestors;
  }

  public List<Chunk> chunks() {
    return chunks;
  }

  /** The chunk list of a content event ({@link Manifest#bytes()}), or null. */
  public byte[] manifest() {
    return manifest;
  }

  /** Roughly how much memory the event holds, for the recorder's queue bound. */
  public long weight() {
    long weight = 256 + (path == null ? 0 : path.length) + (target == null ? 0 : target.length);
    for (Chunk chunk : chunks) {
      weight += chunk.data().length + 64;
    }
    return weight + 128L * ancestors.size();
  }

  /** A directory on an event's path, with its state, for directories the store may not know. */
  public static final class Ancestor {
    private final byte[] path;
    private final NodeState state;

    public Ancestor(byte[] path, NodeState state) {
      this.path = path;
      this.state = state;
    }

    public byte[] path() {
      return path;
    }

    public NodeState state() {
      return state;
    }
  }
}
