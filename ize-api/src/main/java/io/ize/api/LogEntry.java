package io.ize.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** One record of the log: a change, its gapless sequence number and when it happened. */
public final class LogEntry {
  private final long sequence;
  private final long timeNanos;
  private final Operation operation;
  private final byte[] path;
  private final byte[] target;
  private final long[] nodes;

  LogEntry(
      long sequence,
      long timeNanos,
      Operation operation,
      byte[] path,
      byte[] target,
      long[] nodes) {
    this.sequence = sequence;
    this.timeNanos = timeNanos;
    this.operation = operation;
    this.path = path;
    this.target = target;
    this.nodes = nodes;
  }

  public long sequence() {
    return sequence;
  }

  public Instant time() {
    return Instant.ofEpochSecond(0, timeNanos);
  }

  public long timeNanos() {
    return timeNanos;
  }

  public Operation operation() {
    return operation;
  }

  /** The path the change applied to (for a gap, its reason), as UTF-8 text. */
  public String path() {
    return new String(path, StandardCharsets.UTF_8);
  }

  public byte[] pathBytes() {
    return path.clone();
  }

  /** The new path of a rename or link, or null. */
  public String target() {
    return target == null ? null : new String(target, StandardCharsets.UTF_8);
  }

  byte[] targetBytes() {
    return target;
  }

  /** Identities of the nodes the change touched (internal). */
  long[] nodes() {
    return nodes;
  }

  @Override
  public String toString() {
    return sequence
        + " "
        + time()
        + " "
        + operation
        + " "
        + path()
        + (target == null ? "" : " -> " + target());
  }
}
