package io.ize.testkit.assertions;

import io.ize.api.ChangeSet;
import io.ize.api.VersionStore;

/**
 * Entry points for Ize's AssertJ assertions.
 *
 * <pre>{@code
 * import static io.ize.testkit.assertions.IzeAssertions.assertThat;
 *
 * assertThat(mount.changesSince(before)).createdExactly("out/report.txt").nothingOutside("out");
 * assertThat(mount.store(), "out/report.txt").hasVersions(2);
 * }</pre>
 */
public final class IzeAssertions {
  private IzeAssertions() {}

  public static ChangeSetAssert assertThat(ChangeSet changes) {
    return new ChangeSetAssert(changes);
  }

  /** Assertions on the history of {@code path} in {@code store}. */
  public static FileHistoryAssert assertThat(VersionStore store, String path) {
    return new FileHistoryAssert(store, path);
  }
}
