package io.ize.api;

import java.util.Objects;

/** One entry of a {@link ChangeSet}: what happened to one file between two points. */
public final class Change {
  /** The kinds of change. */
  public enum Kind {
    CREATED,
    DELETED,
    /** Content changed. */
    MODIFIED,
    /** Only metadata changed: mode, owner, times, link target or xattrs. */
    METADATA,
    RENAMED
  }

  private final Kind kind;
  private final String path;
  private final String previousPath;
  private final NodeState before;
  private final NodeState after;

  Change(Kind kind, String path, String previousPath, NodeState before, NodeState after) {
    this.kind = kind;
    this.path = path;
    this.previousPath = previousPath;
    this.before = before;
    this.after = after;
  }

  public Kind kind() {
    return kind;
  }

  /** The path at the later point (at the earlier one, for deletions). */
  public String path() {
    return path;
  }

  /** For renames, the path at the earlier point; else null. */
  public String previousPath() {
    return previousPath;
  }

  /** The state at the earlier point, or null if the file did not exist then. */
  public NodeState before() {
    return before;
  }

  /** The state at the later point, or null if the file did not exist then. */
  public NodeState after() {
    return after;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Change)) {
      return false;
    }
    Change c = (Change) o;
    return kind == c.kind && path.equals(c.path) && Objects.equals(previousPath, c.previousPath);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, path, previousPath);
  }

  @Override
  public String toString() {
    return kind + " " + (previousPath == null ? path : previousPath + " -> " + path);
  }
}
