package io.ize.testkit.assertions;

import io.ize.Mount;
import io.ize.api.ChangeSet;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Entry points for Ize's AssertJ assertions.
 *
 * <pre>{@code
 * import static io.ize.testkit.assertions.IzeAssertions.assertThat;
 *
 * assertThat(mount.changesSince(before.point())).createdExactly("out/report.txt").nothingOutside("out");
 * assertThat(mount, "out/report.txt").hasVersions(2);
 * assertThat(mount).hasSnapshot("before");
 * }</pre>
 */
public final class IzeAssertions {
  private IzeAssertions() {}

  /**
   * Assertions on what changed between two points.
   *
   * <pre>{@code
   * assertThat(mount.changesSince(start.point())).createdExactly("a.txt");
   * }</pre>
   */
  public static ChangeSetAssert assertThat(ChangeSet changes) {
    return new ChangeSetAssert(changes);
  }

  /**
   * Assertions on a live mount.
   *
   * <pre>{@code
   * assertThat(mount).hasSnapshot("before-build");
   * }</pre>
   */
  public static MountAssert assertThat(Mount mount) {
    return new MountAssert(mount);
  }

  /**
   * Assertions on the history of {@code path} in {@code store}.
   *
   * <pre>{@code
   * assertThat(store, "a.txt").hasVersions(2);
   * }</pre>
   */
  public static FileHistoryAssert assertThat(VersionStore store, String path) {
    return new FileHistoryAssert(store, path);
  }

  /**
   * Assertions on the history of {@code path} (relative to the mount's root) in the mount's store,
   * after {@linkplain Mount#sync() syncing} so that every change made so far is there.
   *
   * <pre>{@code
   * assertThat(mount, "a.txt").hasVersions(2).hasContentAt(Point.latest(), "hello");
   * }</pre>
   */
  public static FileHistoryAssert assertThat(Mount mount, String path) {
    try {
      mount.sync();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot sync the mount at " + mount.target(), e);
    }
    return new FileHistoryAssert(mount.store(), path);
  }
}
