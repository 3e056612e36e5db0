package io.ize;

/**
 * How a directory is mounted: an immutable value.
 *
 * <pre>{@code
 * MountOptions options = MountOptions.builder().readOnly(true).build();
 * }</pre>
 */
public final class MountOptions {
  private static final MountOptions DEFAULTS = builder().build();

  private final boolean readOnly;
  private final long queueBytes;

  private MountOptions(Builder builder) {
    this.readOnly = builder.readOnly;
    this.queueBytes = builder.queueBytes;
  }

  /** Read-write, with a 64 MiB recorder queue. */
  public static MountOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether writes through the mount fail with EROFS. */
  public boolean readOnly() {
    return readOnly;
  }

  /** How many bytes of captured changes may wait for the store before writers wait. */
  public long queueBytes() {
    return queueBytes;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MountOptions
        && ((MountOptions) other).readOnly == readOnly
        && ((MountOptions) other).queueBytes == queueBytes;
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(readOnly) * 31 + Long.hashCode(queueBytes);
  }

  @Override
  public String toString() {
    return "MountOptions{readOnly=" + readOnly + ", queueBytes=" + queueBytes + "}";
  }

  /** Builds {@link MountOptions}; not thread-safe. */
  public static final class Builder {
    private boolean readOnly;
    private long queueBytes = 64L << 20;

    private Builder() {}

    /** Refuse every write through the mount with EROFS. */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * Bounds the recorder's queue (default 64 MiB); when it is full, writers wait.
     *
     * @throws IllegalArgumentException if {@code bytes} is below 1 MiB
     */
    public Builder queueBytes(long bytes) {
      if (bytes < (1 << 20)) {
        throw new IllegalArgumentException("queueBytes must be at least 1 MiB, not " + bytes);
      }
      this.queueBytes = bytes;
      return this;
    }

    public MountOptions build() {
      return new MountOptions(this);
    }
  }
}
