package io.ize.api;

import java.util.List;
import java.util.stream.Collectors;

/** What changed between two points: files created, deleted, modified, renamed, re-attributed. */
public final class ChangeSet {
  private final long from;
  private final long to;
  private final List<Change> changes;

  ChangeSet(long from, long to, List<Change> changes) {
    this.from = from;
    this.to = to;
    this.changes = List.copyOf(changes);
  }

  /** The earlier point's sequence number. */
  public long from() {
    return from;
  }

  /** The later point's sequence number. */
  public long to() {
    return to;
  }

  /** Every change, sorted by path then kind. */
  public List<Change> changes() {
    return changes;
  }

  /** The paths with a change of this kind, sorted. */
  public List<String> paths(Change.Kind kind) {
    return changes.stream()
        .filter(c -> c.kind() == kind)
        .map(Change::path)
        .sorted()
        .collect(Collectors.toList());
  }

  public boolean isEmpty() {
    return changes.isEmpty();
  }

  @Override
  public String toString() {
    return "ChangeSet(" + from + ".." + to + ")" + changes;
  }
}
