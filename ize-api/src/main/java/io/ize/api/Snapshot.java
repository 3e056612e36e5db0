package io.ize.api;

import java.time.Instant;

/** A named label on a point of the sequence. */
public final class Snapshot {
  private final String name;
  private final long sequence;
  private final Instant created;

  Snapshot(String name, long sequence, Instant created) {
    this.name = name;
    this.sequence = sequence;
    this.created = created;
  }

  public String name() {
    return name;
  }

  /** The last record the snapshot includes. */
  public long sequence() {
    return sequence;
  }

  public Instant created() {
    return created;
  }

  /** This snapshot as a point in history. */
  public Point point() {
    return Point.sequence(sequence);
  }

  @Override
  public String toString() {
    return name + "@" + sequence;
  }
}
