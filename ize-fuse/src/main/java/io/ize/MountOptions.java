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
  private final boolean strictRecording;
  private final Transport transport;

  private MountOptions(Builder builder) {
    this.readOnly = builder.readOnly;
    this.queueBytes = builder.queueBytes;
    this.strictRecording = builder.strictRecording;
    this.transport = builder.transport;
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

  /**
   * Whether changes are refused with EIO while the store fails (strict), rather than let through
   * with a gap record in the history (the default).
   */
  public boolean strictRecording() {
    return strictRecording;
  }

  /** Which transport the mount asks for ({@link Transport#AUTO} by default). */
  public Transport transport() {
    return transport;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof MountOptions)) {
      return false;
    }
    MountOptions o = (MountOptions) other;
    return o.readOnly == readOnly
        && o.queueBytes == queueBytes
        && o.strictRecording == strictRecording
        && o.transport == transport;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(readOnly, queueBytes, strictRecording, transport);
  }

  @Override
  public String toString() {
    return "MountOptions{readOnly="
        + readOnly
        + ", queueBytes="
        + queueBytes
        + ", strictRecording="
        + strictRecording
        + ", transport="
        + transport
        + "}";
  }

  /** Builds {@link MountOptions}; not thread-safe. */
  public static final class Builder {
    private boolean readOnly;
    private long queueBytes = 64L << 20;
    private boolean strictRecording;
    private Transport transport = Transport.AUTO;

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

    /** Refuse changes with EIO while the store fails, instead of recording a gap. */
    public Builder strictRecording(boolean strict) {
      this.strictRecording = strict;
      return this;
    }

    /** Chooses the transport; {@link Transport#AUTO} picks the fastest one allowed here. */
    public Builder transport(Transport transport) {
      this.transport = java.util.Objects.requireNonNull(transport, "transport");
      return this;
    }

    public MountOptions build() {
      return new MountOptions(this);
    }
  }
}
