package io.ize.testkit.assertions;

import io.ize.api.Change;
import io.ize.api.ChangeSet;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a {@link ChangeSet}; failure messages list everything that actually changed.
 *
 * <pre>{@code
 * assertThat(mount.changesSince(before))
 *     .createdExactly("out/Main.class")        // passes if out/Main.class is the only file created
 *     .modifiedExactly()                        // fails if anything was modified, listing it
 *     .renamed("a.txt", "b.txt")
 *     .nothingOutside("out");
 * }</pre>
 */
public final class ChangeSetAssert extends AbstractAssert<ChangeSetAssert, ChangeSet> {
  ChangeSetAssert(ChangeSet actual) {
    super(actual, ChangeSetAssert.class);
  }

  /**
   * Checks that exactly these paths were created, in any order.
   *
   * <pre>{@code
   * assertThat(changes).createdExactly("a", "b"); // passes when a and b, and nothing else, appeared
   * }</pre>
   */
  public ChangeSetAssert createdExactly(String... paths) {
    return exactly(Change.Kind.CREATED, "created", paths);
  }

  /** Checks that exactly these paths had their content changed, in any order. */
  public ChangeSetAssert modifiedExactly(String... paths) {
    return exactly(Change.Kind.MODIFIED, "modified", paths);
  }

  /** Checks that exactly these paths were deleted, in any order. */
  public ChangeSetAssert deletedExactly(String... paths) {
    return exactly(Change.Kind.DELETED, "deleted", paths);
  }

  /** Checks that exactly these paths changed only in metadata (mode, owner, times, xattrs). */
  public ChangeSetAssert metadataChangedExactly(String... paths) {
    return exactly(Change.Kind.METADATA, "changed in metadata only", paths);
  }

  /**
   * Checks that a file or directory was renamed from {@code from} to {@code to}.
   *
   * <pre>{@code
   * assertThat(changes).renamed("draft.md", "final.md");
   * }</pre>
   */
  public ChangeSetAssert renamed(String from, String to) {
    isNotNull();
    boolean found =
        actual.changes().stream()
            .anyMatch(
                c ->
                    c.kind() == Change.Kind.RENAMED
                        && Objects.equals(c.previousPath(), from)
                        && c.path().equals(to));
    if (!found) {
      failWithMessage(
          "Expecting a rename:%n  %s -> %s%nbut the changes were:%n%s", from, to, listing());
    }
    return myself;
  }

  /** Checks that nothing changed at all. */
  public ChangeSetAssert isEmpty() {
    isNotNull();
    if (!actual.isEmpty()) {
      failWithMessage("Expecting no changes but there were:%n%s", listing());
    }
    return myself;
  }

  /**
   * Checks that every change lies at or below {@code subtree}.
   *
   * <pre>{@code
   * assertThat(changes).nothingOutside("build"); // fails if a source file was touched
   * }</pre>
   */
  public ChangeSetAssert nothingOutside(String subtree) {
    isNotNull();
    String prefix = subtree.endsWith("/") ? subtree : subtree + "/";
    List<Change> outside =
        actual.changes().stream()
            .filter(c -> !inside(c.path(), subtree, prefix))
            .filter(c -> c.previousPath() == null || !inside(c.previousPath(), subtree, prefix))
            .collect(Collectors.toList());
    if (!outside.isEmpty()) {
      failWithMessage(
          "Expecting nothing to change outside:%n  %s%nbut these did:%n%s%nAll changes:%n%s",
          subtree, format(outside), listing());
    }
    return myself;
  }

  private static boolean inside(String path, String subtree, String prefix) {
    return path.equals(subtree) || path.startsWith(prefix);
  }

  private ChangeSetAssert exactly(Change.Kind kind, String verb, String... paths) {
    isNotNull();
    TreeSet<String> expected = new TreeSet<>(Arrays.asList(paths));
    TreeSet<String> found = new TreeSet<>(actual.paths(kind));
    if (!expected.equals(found)) {
      failWithMessage(
          "Expecting exactly these paths %s:%n  %s%nbut %s were:%n  %s%nAll changes:%n%s",
          verb, expected, verb, found, listing());
    }
    return myself;
  }

  private String listing() {
    return actual.isEmpty() ? "  (none)" : format(actual.changes());
  }

  private static String format(List<Change> changes) {
    return changes.stream().map(c -> "  " + c).collect(Collectors.joining(System.lineSeparator()));
  }
}
