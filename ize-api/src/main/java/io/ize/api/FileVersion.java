package io.ize.api;

import java.time.Instant;

/** One version of a file: the record that made it, the path it had then, and its state. */
public final class FileVersion {
  private final LogEntry record;
  private final String path;
  private final NodeState state;

  FileVersion(LogEntry record, String path, NodeState state) {
    this.record = record;
    this.path = path;
    this.state = state;
  }

  public long sequence() {
    return record.sequence();
  }

  public Instant time() {
    return record.time();
  }

  public Operation operation() {
    return record.operation();
  }

  /** The file's path at this version (files keep their identity through renames). */
  public String path() {
    return path;
  }

  /** The state, or null where this version removed the file. */
  public NodeState state() {
    return state;
  }

  @Override
  public String toString() {
    return record.sequence() + " " + record.operation() + " " + path;
  }
}
