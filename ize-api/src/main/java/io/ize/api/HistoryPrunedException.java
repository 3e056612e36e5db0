package io.ize.api;

/**
 * A point of history that {@link VersionStore#gc} removed: the store can no longer rebuild the tree
 * there. Points from {@link #earliestRetained()} on, and every snapshot's point, still answer.
 */
public final class HistoryPrunedException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final long earliestRetained;

  HistoryPrunedException(String what, long earliestRetained, String store) {
    super(
        what
            + " is before the earliest retained point "
            + earliestRetained
            + " of "
            + store
            + ": gc removed the history before it (snapshots taken before it still answer, and"
            + " the versions of a file it kept are listed by its history)");
    this.earliestRetained = earliestRetained;
  }

  /** The first sequence number from which every point answers. */
  public long earliestRetained() {
    return earliestRetained;
  }
}
