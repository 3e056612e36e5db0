package io.ize.cli;

import io.ize.api.Progress;
import java.io.PrintStream;

/**
 * Shows long work as one line on standard error, rewritten in place with {@code \r}, and only when
 * standard error is a terminal: piped or redirected output gets nothing. Thread-safe.
 */
final class TerminalProgress implements Progress, AutoCloseable {
  private static final long INTERVAL_NANOS = 100_000_000L;

  private final PrintStream err;
  private final String label;
  private long shownAt;
  private int width;

  private TerminalProgress(PrintStream err, String label) {
    this.err = err;
    this.label = label;
  }

  /** A progress line for {@code label}, or one that shows nothing when stderr is no terminal. */
  static TerminalProgress start(String label) {
    return new TerminalProgress(System.console() == null ? null : System.err, label);
  }

  @Override
  public synchronized void update(String phase, long done, long total) {
    if (err == null) {
      return;
    }
    long now = System.nanoTime();
    if (shownAt != 0 && now - shownAt < INTERVAL_NANOS && done != total) {
      return;
    }
    shownAt = now;
    String line =
        total > 0
            ? String.format(
                "ize %s: %s %d/%d (%d%%)", label, phase, done, total, done * 100 / total)
            : String.format("ize %s: %s %d", label, phase, done);
    err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
    err.flush();
    width = line.length();
  }

  /** Clears the line. */
  @Override
  public synchronized void close() {
    if (err != null && width > 0) {
      err.print("\r" + " ".repeat(width) + "\r");
      err.flush();
      width = 0;
    }
  }
}
