package io.ize.testkit.assertions;

import io.ize.api.FileVersion;
import io.ize.api.Point;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on one file's history in a store.
 *
 * <pre>{@code
 * assertThat(store, "notes.txt").hasVersions(3).hasContentAt(Point.snapshot("v1"), "first draft");
 * }</pre>
 */
public final class FileHistoryAssert extends AbstractAssert<FileHistoryAssert, String> {
  private final VersionStore store;

  FileHistoryAssert(VersionStore store, String path) {
    super(path, FileHistoryAssert.class);
    this.store = store;
  }

  /**
   * Checks how many versions (records that touched the file, through renames) there are.
   *
   * <pre>{@code
   * assertThat(store, "a.txt").hasVersions(2); // created, then written: passes
   * }</pre>
   */
  public FileHistoryAssert hasVersions(int count) {
    List<FileVersion> versions = versions();
    if (versions.size() != count) {
      failWithMessage(
          "Expecting path:%n  %s%nto have %d versions but it has %d:%n%s",
          actual, count, versions.size(), listing(versions));
    }
    return myself;
  }

  /**
   * Checks the file's content, as UTF-8 text, at a point.
   *
   * <pre>{@code
   * assertThat(store, "a.txt").hasContentAt(Point.sequence(2), "hello");
   * }</pre>
   */
  public FileHistoryAssert hasContentAt(Point point, String expected) {
    String content;
    try (InputStream in = store.content(actual, point)) {
      content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      failWithMessage(
          "Expecting path:%n  %s%nto have content at %s but: %s", actual, point, e.getMessage());
      return myself;
    }
    if (!content.equals(expected)) {
      failWithMessage(
          "Expecting path:%n  %s%nat %s to contain:%n  %s%nbut it contained:%n  %s%nVersions:%n%s",
          actual, point, expected, content, listing(versions()));
    }
    return myself;
  }

  private List<FileVersion> versions() {
    try {
      return store.versions(actual, Point.latest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String listing(List<FileVersion> versions) {
    return versions.stream().map(v -> "  " + v).collect(Collectors.joining(System.lineSeparator()));
  }
}
