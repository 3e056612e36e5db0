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

  private MountOptions(Builder builder) {
    this.readOnly = builder.readOnly;
  }

  /** Read-write, recording nothing beyond what the mount's store asks for. */
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

  @Override
  public boolean equals(Object other) {
    return other instanceof MountOptions && ((MountOptions) other).readOnly == readOnly;
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(readOnly);
  }

  @Override
  public String toString() {
    return "MountOptions{readOnly=" + readOnly + "}";
  }

  /** Builds {@link MountOptions}; not thread-safe. */
  public static final class Builder {
    private boolean readOnly;

    private Builder() {}

    /** Refuse every write through the mount with EROFS. */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    public MountOptions build() {
      return new MountOptions(this);
    }
  }
}
