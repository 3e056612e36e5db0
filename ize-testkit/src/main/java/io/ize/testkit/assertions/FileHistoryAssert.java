package io.ize.testkit.assertions;

import io.ize.api.FileVersion;
import io.ize.api.LogEntry;
import io.ize.api.Point;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on one file's history in a store, through every rename of it. A path that no longer
 * exists is read as the file last recorded there (so a deleted file still has a history).
 *
 * <pre>{@code
 * assertThat(mount, "notes.txt").hasVersions(3).hasContentAt(Point.snapshot("v1"), "first draft");
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
   * Files.writeString(dir.resolve("a.txt"), "hello");
   * assertThat(mount, "a.txt").hasVersions(2); // CREATE, then WRITE
   * }</pre>
   */
  public FileHistoryAssert hasVersions(int count) {
    isNotNull();
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
   * assertThat(mount, "a.txt").hasContentAt(Point.snapshot("v1"), "hello");
   * }</pre>
   */
  public FileHistoryAssert hasContentAt(Point point, String expected) {
    byte[] content = contentAt(point);
    if (!Arrays.equals(content, expected.getBytes(StandardCharsets.UTF_8))) {
      failWithMessage(
          "Expecting path:%n  %s%nat %s to contain:%n  %s%nbut it contained:%n  %s%nVersions:%n%s",
          actual,
          point,
          expected,
          new String(content, StandardCharsets.UTF_8),
          listing(versions()));
    }
    return myself;
  }

  /**
   * Checks the file's bytes at a point.
   *
   * <pre>{@code
   * assertThat(mount, "logo.png").hasContentAt(Point.sequence(4), pngBytes);
   * }</pre>
   */
  public FileHistoryAssert hasContentAt(Point point, byte[] expected) {
    byte[] content = contentAt(point);
    if (!Arrays.equals(content, expected)) {
      failWithMessage(
          "Expecting path:%n  %s%nat %s to contain %d bytes:%n  %s%nbut it contained %d:%n  %s"
              + "%nVersions:%n%s",
          actual,
          point,
          expected.length,
          hex(expected),
          content.length,
          hex(content),
          listing(versions()));
    }
    return myself;
  }

  /**
   * Checks that the file is gone now, and was there before.
   *
   * <pre>{@code
   * Files.delete(dir.resolve("tmp.txt"));
   * assertThat(mount, "tmp.txt").wasDeleted();
   * }</pre>
   */
  public FileHistoryAssert wasDeleted() {
    isNotNull();
    List<FileVersion> versions = versions();
    try {
      if (store.state(actual, Point.latest()) != null) {
        failWithMessage(
            "Expecting path:%n  %s%nto have been deleted but it is there; versions:%n%s",
            actual, listing(versions));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return myself;
  }

  /**
   * Checks that the file had the path {@code from} at some version (it was renamed, or a directory
   * above it was).
   *
   * <pre>{@code
   * Files.move(dir.resolve("draft.md"), dir.resolve("final.md"));
   * assertThat(mount, "final.md").wasRenamedFrom("draft.md");
   * }</pre>
   */
  public FileHistoryAssert wasRenamedFrom(String from) {
    isNotNull();
    List<FileVersion> versions = versions();
    if (versions.stream().noneMatch(v -> v.path().equals(from))) {
      failWithMessage(
          "Expecting path:%n  %s%nto have been renamed from:%n  %s%nbut its versions were:%n%s",
          actual, from, listing(versions));
    }
    return myself;
  }

  /** The file's bytes at a point, read at the path it had then. */
  private byte[] contentAt(Point point) {
    isNotNull();
    List<FileVersion> versions = versions();
    try {
      long sequence = store.sequenceOf(point);
      String path = actual;
      for (FileVersion v : versions) {
        if (v.sequence() <= sequence) {
          path = v.path();
        }
      }
      try (InputStream in = store.content(path, point)) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      failWithMessage(
          "Expecting path:%n  %s%nto have content at %s but: %s%nVersions:%n%s",
          actual, point, e.getMessage(), listing(versions));
      return new byte[0];
    }
  }

  /** The versions of the file at the path now, or else of the file last recorded there. */
  private List<FileVersion> versions() {
    try {
      try {
        return store.versions(actual, Point.latest());
      } catch (NoSuchFileException gone) {
        long removedAt = lastRecordNaming(actual);
        if (removedAt == 0) {
          failWithMessage(
              "Expecting path:%n  %s%nto have a history but nothing was ever recorded there",
              actual);
        }
        return store.versions(actual, Point.sequence(removedAt - 1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private long lastRecordNaming(String path) throws IOException {
    long after = 0;
    long found = 0;
    List<LogEntry> page;
    do {
      page = store.log(after, 1000, path, null, null);
      for (LogEntry entry : page) {
        if (path.equals(entry.path()) || path.equals(entry.target())) {
          found = entry.sequence();
        }
        after = entry.sequence();
      }
    } while (!page.isEmpty());
    return found;
  }

  private static String hex(byte[] bytes) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, 64); i++) {
      hex.append(String.format("%02x", bytes[i]));
    }
    return bytes.length > 64 ? hex + "..." : hex.toString();
  }

  private static String listing(List<FileVersion> versions) {
    return versions.isEmpty()
        ? "  (none)"
        : versions.stream().map(v -> "  " + v).collect(Collectors.joining(System.lineSeparator()));
  }
}
