package io.ize.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in history: a sequence number, a snapshot's name, a time, or the latest record.
 *
 * <pre>{@code
 * Point.parse("42");                    // after record 42
 * Point.parse("before-build");          // a snapshot
 * Point.parse("2026-11-24T08:00:00Z");  // the last record at or before that instant
 * Point.parse("10m");                   // ten minutes ago
 * }</pre>
 */
public final class Point {
  private static final Pattern RELATIVE = Pattern.compile("(\\d+)([smhdw])");

  private final long sequence;
  private final String snapshot;
  private final Instant time;

  private Point(long sequence, String snapshot, Instant time) {
    this.sequence = sequence;
    this.snapshot = snapshot;
    this.time = time;
  }

  /** The state after the record with this sequence number (0: before any record). */
  public static Point sequence(long sequence) {
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence numbers start at 0, not " + sequence);
    }
    return new Point(sequence, null, null);
  }

  public static Point snapshot(String name) {
    return new Point(-1, Objects.requireNonNull(name, "name"), null);
  }

  /** The state after the last record at or before {@code time}. */
  public static Point time(Instant time) {
    return new Point(-1, null, Objects.requireNonNull(time, "time"));
  }

  /** After the latest record. */
  public static Point latest() {
    return new Point(Long.MAX_VALUE, null, null);
  }

  /**
   * Reads a point as a user writes it: a sequence number, an ISO-8601 instant, a relative time
   * ({@code 30s}, {@code 10m}, {@code 2h}, {@code 1d}, {@code 1w} ago), {@code latest}, or else a
   * snapshot name.
   */
  public static Point parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.equals("latest")) {
      return latest();
    }
    if (text.chars().allMatch(Character::isDigit) && !text.isEmpty()) {
      return sequence(Long.parseLong(text));
    }
    Matcher relative = RELATIVE.matcher(text);
    if (relative.matches()) {
      long amount = Long.parseLong(relative.group(1));
      Duration ago;
      switch (relative.group(2)) {
        case "s":
          ago = Duration.ofSeconds(amount);
          break;
        case "m":
          ago = Duration.ofMinutes(amount);
          break;
        case "h":
          ago = Duration.ofHours(amount);
          break;
        case "d":
          ago = Duration.ofDays(amount);
          break;
        default:
          ago = Duration.ofDays(7 * amount);
      }
      return time(Instant.now().minus(ago));
    }
    if (text.length() > 10 && Character.isDigit(text.charAt(0)) && text.contains("T")) {
      try {
        return time(Instant.parse(text));
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException("not an ISO-8601 instant: " + text, e);
      }
    }
    return snapshot(text);
  }

  /** The sequence number, or -1 if this point is a snapshot or a time. */
  long sequenceOrNegative() {
    return sequence;
  }

  String snapshotName() {
    return snapshot;
  }

  Instant instant() {
    return time;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Point)) {
      return false;
    }
    Point p = (Point) o;
    return sequence == p.sequence
        && Objects.equals(snapshot, p.snapshot)
        && Objects.equals(time, p.time);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sequence, snapshot, time);
  }

  @Override
  public String toString() {
    if (snapshot != null) {
      return snapshot;
    }
    if (time != null) {
      return time.toString();
    }
    return sequence == Long.MAX_VALUE ? "latest" : Long.toString(sequence);
  }
}
