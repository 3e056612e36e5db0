package io.ize.testkit.assertions;

import io.ize.Mount;
import io.ize.api.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a live {@link Mount}: its snapshots and its recorder.
 *
 * <pre>{@code
 * mount.sync();
 * assertThat(mount).hasNoLag().hasSnapshot("before-build");
 * }</pre>
 */
public final class MountAssert extends AbstractAssert<MountAssert, Mount> {
  MountAssert(Mount actual) {
    super(actual, MountAssert.class);
  }

  /**
   * Checks that the mount's store has a snapshot of this name.
   *
   * <pre>{@code
   * mount.snapshot("v1");
   * assertThat(mount).hasSnapshot("v1");
   * }</pre>
   */
  public MountAssert hasSnapshot(String name) {
    isNotNull();
    List<Snapshot> snapshots;
    try {
      snapshots = actual.store().snapshots();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (snapshots.stream().noneMatch(s -> s.name().equals(name))) {
      failWithMessage(
          "Expecting mount:%n  %s%nto have the snapshot:%n  %s%nbut its snapshots were:%n  %s",
          actual.target(),
          name,
          snapshots.stream().map(Snapshot::toString).collect(Collectors.toList()));
    }
    return myself;
  }

  /**
   * Checks that every change captured so far is in the store (true once {@link Mount#sync()} has
   * returned, while nothing else writes).
   *
   * <pre>{@code
   * mount.sync();
   * assertThat(mount).hasNoLag();
   * }</pre>
   */
  public MountAssert hasNoLag() {
    isNotNull();
    long lag = actual.lag();
    if (lag != 0) {
      failWithMessage(
          "Expecting mount:%n  %s%nto have recorded everything but %d changes still wait for the"
              + " store (call mount.sync() first)",
          actual.target(), lag);
    }
    return myself;
  }
}
