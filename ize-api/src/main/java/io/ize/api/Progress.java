package io.ize.api;

/**
 * Hears how long work advances: the phase it is in and how far through it. Called on the working
 * thread; it must return quickly.
 */
@FunctionalInterface
public interface Progress {
  /** Hears nothing. */
  Progress NONE = (phase, done, total) -> {};

  /**
   * Reports that {@code done} of {@code total} units of {@code phase} are finished; {@code total}
   * is -1 where it is not known.
   */
  void update(String phase, long done, long total);
}
