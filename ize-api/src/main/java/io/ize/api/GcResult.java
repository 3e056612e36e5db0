package io.ize.api;

/** What one {@link VersionStore#gc} run removed and what the store holds afterwards. */
public final class GcResult {
  private final long earliestRetained;
  private final long recordsDropped;
  private final long versionsDropped;
  private final long chunksFreed;
  private final long reclaimedBytes;
  private final long liveBytes;

  GcResult(
      long earliestRetained,
      long recordsDropped,
      long versionsDropped,
      long chunksFreed,
      long reclaimedBytes,
      long liveBytes) {
    this.earliestRetained = earliestRetained;
    this.recordsDropped = recordsDropped;
    this.versionsDropped = versionsDropped;
    this.chunksFreed = chunksFreed;
    this.reclaimedBytes = reclaimedBytes;
    this.liveBytes = liveBytes;
  }

  /** The horizon: every point from this sequence number on answers as before. */
  public long earliestRetained() {
    return earliestRetained;
  }

  /** Log records removed (each run of them leaves one {@link Operation#PRUNED} record). */
  public long recordsDropped() {
    return recordsDropped;
  }

  /** File versions (a node's state or names at one sequence number) removed. */
  public long versionsDropped() {
    return versionsDropped;
  }

  /** Content chunks no kept version names any more, deleted. */
  public long chunksFreed() {
    return chunksFreed;
  }

  /** The bytes of the chunks freed. */
  public long reclaimedBytes() {
    return reclaimedBytes;
  }

  /** The bytes of the chunks kept versions still name. */
  public long liveBytes() {
    return liveBytes;
  }

  @Override
  public String toString() {
    return "kept history from sequence "
        + earliestRetained
        + "; dropped "
        + recordsDropped
        + " records and "
        + versionsDropped
        + " versions; freed "
        + chunksFreed
        + " chunks ("
        + reclaimedBytes
        + " bytes reclaimed, "
        + liveBytes
        + " bytes live)";
  }
}
