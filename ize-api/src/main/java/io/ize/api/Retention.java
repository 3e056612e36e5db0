package io.ize.api;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link VersionStore#gc} keeps: every point newer than a duration, at least the last few
 * versions of each file, and always every snapshot's point. Immutable; build with {@link
 * #builder()}.
 *
 * <pre>{@code
 * Retention keep = Retention.builder().keepNewerThan(Duration.ofDays(30)).keepLastVersions(10).build();
 * GcResult result = store.gc(keep, Progress.NONE);
 * }</pre>
 */
public final class Retention {
  /** The defaults: 30 days, 10 versions per file. */
  public static final Retention DEFAULT = builder().build();

  private final Duration keepNewerThan;
  private final int keepLastVersions;

  private Retention(Duration keepNewerThan, int keepLastVersions) {
    this.keepNewerThan = keepNewerThan;
    this.keepLastVersions = keepLastVersions;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How far back every point of history stays queryable. */
  public Duration keepNewerThan() {
    return keepNewerThan;
  }

  /** How many versions of each file are kept whatever their age. */
  public int keepLastVersions() {
    return keepLastVersions;
  }

  @Override
  public String toString() {
    return "keep newer than " + keepNewerThan + " and the last " + keepLastVersions + " versions";
  }

  /** Builds a {@link Retention}; validates each value as it is set. */
  public static final class Builder {
    private Duration keepNewerThan = Duration.ofDays(30);
    private int keepLastVersions = 10;

    private Builder() {}

    /** Keeps every point of history newer than {@code age} (default 30 days); zero keeps none. */
    public Builder keepNewerThan(Duration age) {
      Objects.requireNonNull(age, "age");
      if (age.isNegative()) {
        throw new IllegalArgumentException("a retention age must not be negative: " + age);
      }
      this.keepNewerThan = age;
      return this;
    }

    /** Keeps at least the last {@code count} versions of each file (default 10). */
    public Builder keepLastVersions(int count) {
      if (count < 0) {
        throw new IllegalArgumentException("a version count must not be negative: " + count);
      }
      this.keepLastVersions = count;
      return this;
    }

    public Retention build() {
      return new Retention(keepNewerThan, keepLastVersions);
    }
  }
}
