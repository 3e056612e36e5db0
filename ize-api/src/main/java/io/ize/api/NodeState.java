package io.ize.api;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a file, directory, symbolic link or special file was at one version: its type and mode,
 * owner, device number, modification time, size, link target, extended attributes and content.
 * Immutable. Access times and change times are not versioned (reading is not a change, and a
 * restore cannot set ctime).
 */
public final class NodeState {
  /** File-type bits of {@link #mode()}. */
  public static final int S_IFMT = 0170000;

  public static final int S_IFDIR = 0040000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFLNK = 0120000;

  private final int mode;
  private final int uid;
  private final int gid;
  private final long rdev;
  private final long size;
  private final long mtimeSeconds;
  private final int mtimeNanos;
  private final byte[] linkTarget;
  private final Map<String, byte[]> xattrs;
  private final ContentId content;

  /**
   * @param linkTarget the target of a symbolic link, else null
   * @param xattrs extended attributes by name (copied)
   * @param content the content of a regular file as captured, or null where none was captured
   */
  public NodeState(
      int mode,
      int uid,
      int gid,
      long rdev,
      long size,
      long mtimeSeconds,
      int mtimeNanos,
      byte[] linkTarget,
      Map<String, byte[]> xattrs,
      ContentId content) {
    this.mode = mode;
    this.uid = uid;
    this.gid = gid;
    this.rdev = rdev;
    this.size = size;
    this.mtimeSeconds = mtimeSeconds;
    this.mtimeNanos = mtimeNanos;
    this.linkTarget = linkTarget == null ? null : linkTarget.clone();
    if (xattrs.isEmpty()) {
      this.xattrs = Collections.emptySortedMap(); // most files have none: no map per state
    } else {
      TreeMap<String, byte[]> copy = new TreeMap<>();
      xattrs.forEach((k, v) -> copy.put(k, v.clone()));
      this.xattrs = Collections.unmodifiableMap(copy);
    }
    this.content = content;
  }

  /** Type and permission bits, as {@code st_mode}. */
  public int mode() {
    return mode;
  }

  /** The file-type bits alone ({@code mode & S_IFMT}). */
  public int type() {
    return mode & S_IFMT;
  }

  public boolean isDirectory() {
    return type() == S_IFDIR;
  }

  public boolean isRegularFile() {
    return type() == S_IFREG;
  }

  public boolean isSymbolicLink() {
    return type() == S_IFLNK;
  }

  public int uid() {
    return uid;
  }

  public int gid() {
    return gid;
  }

  /** Device number of a character or block special file. */
  public long rdev() {
    return rdev;
  }

  /** Size in bytes (of the captured content, for regular files). */
  public long size() {
    return size;
  }

  public long mtimeSeconds() {
    return mtimeSeconds;
  }

  public int mtimeNanos() {
    return mtimeNanos;
  }

  /** The link's target, or null if this is not a symbolic link. */
  public byte[] linkTarget() {
    return linkTarget == null ? null : linkTarget.clone();
  }

  /** The extended attributes themselves, sorted by name, for the store's encoder to read. */
  Map<String, byte[]> xattrsUncopied() {
    return xattrs;
  }

  /** Extended attributes by name, sorted; values are copies on each call. */
  public Map<String, byte[]> xattrs() {
    TreeMap<String, byte[]> copy = new TreeMap<>();
    xattrs.forEach((k, v) -> copy.put(k, v.clone()));
    return copy;
  }

  /** The captured content of a regular file, or null if there is none (not a file, or empty). */
  public ContentId content() {
    return content;
  }

  /** This state with other content and size. */
  public NodeState withContent(ContentId newContent, long newSize) {
    return new NodeState(
        mode, uid, gid, rdev, newSize, mtimeSeconds, mtimeNanos, linkTarget, xattrs, newContent);
  }

  /** Whether the two states differ in anything but content, size and times. */
  public boolean sameMetadata(NodeState other) {
    return mode == other.mode
        && uid == other.uid
        && gid == other.gid
        && rdev == other.rdev
        && Arrays.equals(linkTarget, other.linkTarget)
        && sameXattrs(other);
  }

  private boolean sameXattrs(NodeState other) {
    if (!xattrs.keySet().equals(other.xattrs.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
      if (!Arrays.equals(e.getValue(), other.xattrs.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof NodeState)) {
      return false;
    }
    NodeState other = (NodeState) o;
    return sameMetadata(other)
        && size == other.size
        && mtimeSeconds == other.mtimeSeconds
        && mtimeNanos == other.mtimeNanos
        && Objects.equals(content, other.content);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, uid, gid, size, mtimeSeconds, mtimeNanos, content);
  }

  @Override
  public String toString() {
    return String.format(
        "NodeState{mode=%o, uid=%d, gid=%d, size=%d, mtime=%d.%09d%s%s, xattrs=%s}",
        mode,
        uid,
        gid,
        size,
        mtimeSeconds,
        mtimeNanos,
        linkTarget == null
            ? ""
            : ", link=" + new String(linkTarget, java.nio.charset.StandardCharsets.UTF_8),
        content == null ? "" : ", content=" + content,
        xattrs.keySet());
  }
}
