package io.ize.api;

/**
 * How much content a store holds: the bytes of every version of every file (logical) against the
 * bytes of the distinct chunks stored, whose ratio is what deduplication saves.
 */
public final class Usage {
  private final long logicalBytes;
  private final long storedBytes;
  private final long chunks;

  Usage(long logicalBytes, long storedBytes, long chunks) {
    this.logicalBytes = logicalBytes;
    this.storedBytes = storedBytes;
    this.chunks = chunks;
  }

  /** The sum of the sizes of all stored file versions, each counted in full. */
  public long logicalBytes() {
    return logicalBytes;
  }

  /** The bytes of the distinct content chunks stored. */
  public long storedBytes() {
    return storedBytes;
  }

  /** How many distinct chunks are stored. */
  public long chunks() {
    return chunks;
  }

  /** Logical bytes per stored byte (1 where nothing is stored). */
  public double dedupRatio() {
    return storedBytes == 0 ? 1.0 : (double) logicalBytes / storedBytes;
  }

  @Override
  public String toString() {
    return String.format(
        "%d logical bytes in %d chunks of %d bytes (dedup %.2fx)",
        logicalBytes, chunks, storedBytes, dedupRatio());
  }
}
