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
 * Assertions on a {@link ChangeSet}; every failure message lists all that actually changed.
 *
 * <pre>{@code
 * assertThat(mount.changesSince(before.point()))
 *     .createdExactly("out", "out/Main.java") // passes if these, and nothing else, appeared
 *     .modifiedExactly()                       // fails if anything was modified, listing it
 *     .renamed("a.txt", "b.txt")
 *     .nothingOutside("out");
 * }</pre>
 *
 * A failure reads:
 *
 * <pre>
 * Expecting changes:
 *   CREATED out
 *   CREATED out/Main.java
 *   CREATED out/Extra.java
 * to have created exactly:
 *   [out, out/Main.java]
 * but also created:
 *   [out/Extra.java]
 * </pre>
 */
public final class ChangeSetAssert extends AbstractAssert<ChangeSetAssert, ChangeSet> {
  ChangeSetAssert(ChangeSet actual) {
    super(actual, ChangeSetAssert.class);
  }

  /**
   * Checks that exactly these paths were created, in any order (directories count).
   *
   * <pre>{@code
   * assertThat(changes).createdExactly("out", "out/a.txt"); // passes if nothing else appeared
   * }</pre>
   */
  public ChangeSetAssert createdExactly(String... paths) {
    return exactly(Verb.CREATED, paths);
  }

  /**
   * Checks that exactly these paths had their content changed, in any order.
   *
   * <pre>{@code
   * assertThat(changes).modifiedExactly("pom.xml"); // passes if only pom.xml's bytes changed
   * }</pre>
   */
  public ChangeSetAssert modifiedExactly(String... paths) {
    return exactly(Verb.MODIFIED, paths);
  }

  /**
   * Checks that exactly these paths were deleted, in any order.
   *
   * <pre>{@code
   * assertThat(changes).deletedExactly(); // passes if nothing was deleted
   * }</pre>
   */
  public ChangeSetAssert deletedExactly(String... paths) {
    return exactly(Verb.DELETED, paths);
  }

  /**
   * Checks that exactly these paths changed in metadata alone (mode, owner, times, link, xattrs).
   *
   * <pre>{@code
   * assertThat(changes).metadataOnlyExactly("run.sh"); // after chmod +x run.sh
   * }</pre>
   */
  public ChangeSetAssert metadataOnlyExactly(String... paths) {
    return exactly(Verb.METADATA, paths);
  }

  /**
   * Checks that these paths were created, among others perhaps.
   *
   * <pre>{@code
   * assertThat(changes).created("out/report.txt");
   * }</pre>
   */
  public ChangeSetAssert created(String... paths) {
    return including(Verb.CREATED, paths);
  }

  /**
   * Checks that these paths had their content changed, among others perhaps.
   *
   * <pre>{@code
   * assertThat(changes).modified("notes.txt");
   * }</pre>
   */
  public ChangeSetAssert modified(String... paths) {
    return including(Verb.MODIFIED, paths);
  }

  /**
   * Checks that these paths were deleted, among others perhaps.
   *
   * <pre>{@code
   * assertThat(changes).deleted("tmp/cache.bin");
   * }</pre>
   */
  public ChangeSetAssert deleted(String... paths) {
    return including(Verb.DELETED, paths);
  }

  /**
   * Checks that these paths changed in metadata alone, among others perhaps.
   *
   * <pre>{@code
   * assertThat(changes).metadataOnly("run.sh"); // after chmod +x run.sh
   * }</pre>
   */
  public ChangeSetAssert metadataOnly(String... paths) {
    return including(Verb.METADATA, paths);
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
    List<Change> renames =
        actual.changes().stream()
            .filter(c -> c.kind() == Change.Kind.RENAMED)
            .collect(Collectors.toList());
    if (renames.stream()
        .noneMatch(c -> Objects.equals(c.previousPath(), from) && c.path().equals(to))) {
      failWithMessage(
          "Expecting changes:%n%s%nto have renamed:%n  %s -> %s%n%s",
          listing(),
          from,
          to,
          renames.isEmpty()
              ? "but nothing was renamed"
              : "but the renames were:" + System.lineSeparator() + format(renames));
    }
    return myself;
  }

  /**
   * Checks that nothing changed at all.
   *
   * <pre>{@code
   * assertThat(mount.changesSince(start.point())).isEmpty(); // a dry run wrote nothing
   * }</pre>
   */
  public ChangeSetAssert isEmpty() {
    isNotNull();
    if (!actual.isEmpty()) {
      failWithMessage("Expecting no changes but there were:%n%s", listing());
    }
    return myself;
  }

  /**
   * Checks that every change, both ends of a rename included, lies at or below {@code subtree}.
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
            .filter(
                c ->
                    !inside(c.path(), subtree, prefix)
                        || (c.previousPath() != null && !inside(c.previousPath(), subtree, prefix)))
            .collect(Collectors.toList());
    if (!outside.isEmpty()) {
      failWithMessage(
          "Expecting changes:%n%s%nto lie at or below:%n  %s%nbut these did not:%n%s",
          listing(), subtree, format(outside));
    }
    return myself;
  }

  private static boolean inside(String path, String subtree, String prefix) {
    return subtree.isEmpty() || path.equals(subtree) || path.startsWith(prefix);
  }

  /** How messages name each kind of change. */
  private enum Verb {
    CREATED(Change.Kind.CREATED, "created", "create"),
    MODIFIED(Change.Kind.MODIFIED, "modified", "modify"),
    DELETED(Change.Kind.DELETED, "deleted", "delete"),
    METADATA(Change.Kind.METADATA, "changed only the metadata of", "change only the metadata of");

    final Change.Kind kind;
    final String done;
    final String todo;

    Verb(Change.Kind kind, String done, String todo) {
      this.kind = kind;
      this.done = done;
      this.todo = todo;
    }
  }

  private ChangeSetAssert exactly(Verb verb, String... paths) {
    isNotNull();
    TreeSet<String> expected = new TreeSet<>(Arrays.asList(paths));
    TreeSet<String> found = new TreeSet<>(actual.paths(verb.kind));
    TreeSet<String> missing = new TreeSet<>(expected);
    missing.removeAll(found);
    TreeSet<String> extra = new TreeSet<>(found);
    extra.removeAll(expected);
    if (!missing.isEmpty() || !extra.isEmpty()) {
      StringBuilder but = new StringBuilder();
      if (!missing.isEmpty()) {
        but.append("but did not ").append(verb.todo).append(":%n  ").append(escape(missing));
      }
      if (!extra.isEmpty()) {
        but.append(missing.isEmpty() ? "but also " : "%nand also ")
            .append(verb.done)
            .append(":%n  ")
            .append(escape(extra));
      }
      failWithMessage(
          "Expecting changes:%n%s%nto have " + verb.done + " exactly:%n  %s%n" + but,
          listing(),
          expected);
    }
    return myself;
  }

  private ChangeSetAssert including(Verb verb, String... paths) {
    isNotNull();
    TreeSet<String> missing = new TreeSet<>(Arrays.asList(paths));
    missing.removeAll(actual.paths(verb.kind));
    if (!missing.isEmpty()) {
      failWithMessage(
          "Expecting changes:%n%s%nto have %s:%n  %s%nbut did not %s:%n  %s",
          listing(), verb.done, new TreeSet<>(Arrays.asList(paths)), verb.todo, missing);
    }
    return myself;
  }

  /** Paths go into a format string here, so their own percent signs must be doubled. */
  private static String escape(Object value) {
    return String.valueOf(value).replace("%", "%%");
  }

  private String listing() {
    return actual.isEmpty() ? "  (none)" : format(actual.changes());
  }

  private static String format(List<Change> changes) {
    return changes.stream().map(c -> "  " + c).collect(Collectors.joining(System.lineSeparator()));
  }
}
