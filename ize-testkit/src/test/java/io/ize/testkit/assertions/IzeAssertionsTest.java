package io.ize.testkit.assertions;

import static io.ize.testkit.assertions.IzeAssertions.assertThat;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.api.ChangeSet;
import io.ize.api.Point;
import io.ize.api.Snapshot;
import io.ize.api.VersionStore;
import io.ize.spi.StoreBackend;
import io.ize.testkit.IzeTest;
import io.ize.testkit.Mounted;
import io.ize.testkit.store.MemoryProvider;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each assertion passing, and failing with its exact message, on changes made through one mount
 * that the class shares (each test is rolled back to the fixture the class starts with).
 */
@IzeTest(rollback = true)
class IzeAssertionsTest {
  @Mounted Path dir;
  @Mounted Mount mount;
  @Mounted Snapshot start;

  @BeforeAll
  static void fixture(@Mounted Path dir) throws IOException {
    for (String name : new String[] {"keep.txt", "edit.txt", "gone.txt", "old.txt"}) {
      Files.writeString(dir.resolve(name), name);
    }
  }

  private ChangeSet changes() throws IOException {
    return mount.changesSince(start.point());
  }

  private static String lines(String... lines) {
    return String.join(System.lineSeparator(), lines);
  }

  // ------------------------------------------------------------------ change sets

  @Test
  void createdExactlyListsWhatElseWasCreatedAndWhatWasNot() throws IOException {
    Files.createDirectories(dir.resolve("out"));
    Files.writeString(dir.resolve("out/A.java"), "class A {}");
    Files.writeString(dir.resolve("out/B.java"), "class B {}");

    assertThat(changes()).createdExactly("out/B.java", "out", "out/A.java").nothingOutside("out");
    assertThatThrownBy(() -> assertThat(changes()).createdExactly("out", "out/A.java"))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            lines(
                "Expecting changes:",
                "  CREATED out",
                "  CREATED out/A.java",
                "  CREATED out/B.java",
                "to have created exactly:",
                "  [out, out/A.java]",
                "but also created:",
                "  [out/B.java]"));
    assertThatThrownBy(
            () -> assertThat(changes()).createdExactly("out", "out/A.java", "out/C.java"))
        .hasMessageEndingWith(
            lines(
                "to have created exactly:",
                "  [out, out/A.java, out/C.java]",
                "but did not create:",
                "  [out/C.java]",
                "and also created:",
                "  [out/B.java]"));
  }

  @Test
  void eachKindOfChangeIsCheckedByItself() throws IOException {
    Files.writeString(dir.resolve("edit.txt"), "edited");
    Files.delete(dir.resolve("gone.txt"));
    Files.move(dir.resolve("old.txt"), dir.resolve("new.txt"));
    Files.setPosixFilePermissions(
        dir.resolve("keep.txt"), PosixFilePermissions.fromString("r--------"));

    assertThat(changes())
        .modified("edit.txt")
        .modifiedExactly("edit.txt")
        .deleted("gone.txt")
        .deletedExactly("gone.txt")
        .metadataOnly("keep.txt")
        .metadataOnlyExactly("keep.txt")
        .renamed("old.txt", "new.txt")
        .createdExactly();
    String listing =
        lines(
            "Expecting changes:",
            "  MODIFIED edit.txt",
            "  DELETED gone.txt",
            "  METADATA keep.txt",
            "  RENAMED old.txt -> new.txt");
    assertThatThrownBy(() -> assertThat(changes()).deleted("edit.txt", "gone.txt"))
        .hasMessage(
            lines(
                listing,
                "to have deleted:",
                "  [edit.txt, gone.txt]",
                "but did not delete:",
                "  [edit.txt]"));
    assertThatThrownBy(() -> assertThat(changes()).modified("keep.txt"))
        .hasMessage(
            lines(
                listing,
                "to have modified:",
                "  [keep.txt]",
                "but did not modify:",
                "  [keep.txt]"));
    assertThatThrownBy(() -> assertThat(changes()).metadataOnly("edit.txt"))
        .hasMessageEndingWith(
            lines(
                "to have changed only the metadata of:",
                "  [edit.txt]",
                "but did not change only the metadata of:",
                "  [edit.txt]"));
    assertThatThrownBy(() -> assertThat(changes()).created("new.txt"))
        .hasMessageEndingWith(
            lines("to have created:", "  [new.txt]", "but did not create:", "  [new.txt]"));
    assertThatThrownBy(() -> assertThat(changes()).renamed("old.txt", "other.txt"))
        .hasMessage(
            lines(
                listing,
                "to have renamed:",
                "  old.txt -> other.txt",
                "but the renames were:",
                "  RENAMED old.txt -> new.txt"));
    assertThatThrownBy(() -> assertThat(changes()).nothingOutside("out"))
        .hasMessage(
            lines(
                listing,
                "to lie at or below:",
                "  out",
                "but these did not:",
                "  MODIFIED edit.txt",
                "  DELETED gone.txt",
                "  METADATA keep.txt",
                "  RENAMED old.txt -> new.txt"));
  }

  @Test
  void aRenameOutOfTheSubtreeIsOutside() throws IOException {
    Files.createDirectories(dir.resolve("out"));
    Files.move(dir.resolve("old.txt"), dir.resolve("out/old.txt"));

    assertThat(changes()).nothingOutside("");
    assertThatThrownBy(() -> assertThat(changes()).nothingOutside("out"))
        .hasMessageEndingWith(lines("but these did not:", "  RENAMED old.txt -> out/old.txt"));
  }

  @Test
  void isEmptyListsTheChanges() throws IOException {
    assertThat(changes()).isEmpty();
    assertThatThrownBy(() -> assertThat(changes()).renamed("a", "b"))
        .hasMessage(
            lines(
                "Expecting changes:",
                "  (none)",
                "to have renamed:",
                "  a -> b",
                "but nothing was renamed"));
    Files.writeString(dir.resolve("new.txt"), "new");
    assertThatThrownBy(() -> assertThat(changes()).isEmpty())
        .hasMessage(lines("Expecting no changes but there were:", "  CREATED new.txt"));
  }

  // ------------------------------------------------------------------ the mount

  @Test
  void hasSnapshotNamesTheSnapshotsThereAre() throws IOException {
    assertThat(mount).hasSnapshot("before-hasSnapshotNamesTheSnapshotsThereAre");
    assertThatThrownBy(() -> assertThat(mount).hasSnapshot("v9"))
        .hasMessageStartingWith(
            lines(
                "Expecting mount:",
                "  " + dir,
                "to have the snapshot:",
                "  v9",
                "but its snapshots were:"))
        .hasMessageContaining("before-hasSnapshotNamesTheSnapshotsThereAre@");
  }

  // ------------------------------------------------------------------ a file's history

  @Test
  void aFilesHistoryThroughWritesRenamesAndDeletion() throws IOException {
    Files.writeString(dir.resolve("doc.txt"), "v1");
    Point v1 = mount.snapshot("v1").point();
    Files.writeString(dir.resolve("doc.txt"), "v2");
    Files.move(dir.resolve("doc.txt"), dir.resolve("final.txt"));

    assertThat(mount, "final.txt")
        .hasVersions(5)
        .hasContentAt(v1, "v1")
        .hasContentAt(Point.latest(), "v2".getBytes(UTF_8))
        .wasRenamedFrom("doc.txt");
    String versions =
        mount.store().versions("final.txt", Point.latest()).stream()
            .map(v -> "  " + v)
            .reduce((a, b) -> a + System.lineSeparator() + b)
            .orElseThrow();
    assertThatThrownBy(() -> assertThat(mount, "final.txt").hasVersions(2))
        .hasMessage(
            lines("Expecting path:", "  final.txt", "to have 2 versions but it has 5:", versions));
    assertThatThrownBy(() -> assertThat(mount, "final.txt").hasContentAt(v1, "v2"))
        .hasMessage(
            lines(
                "Expecting path:",
                "  final.txt",
                "at " + v1 + " to contain:",
                "  v2",
                "but it contained:",
                "  v1",
                "Versions:",
                versions));
    assertThatThrownBy(() -> assertThat(mount, "final.txt").hasContentAt(v1, new byte[] {1, 2}))
        .hasMessageStartingWith(
            lines(
                "Expecting path:",
                "  final.txt",
                "at " + v1 + " to contain 2 bytes:",
                "  0102",
                "but it contained 2:",
                "  7631"));
    assertThatThrownBy(() -> assertThat(mount, "final.txt").wasRenamedFrom("draft.txt"))
        .hasMessage(
            lines(
                "Expecting path:",
                "  final.txt",
                "to have been renamed from:",
                "  draft.txt",
                "but its versions were:",
                versions));
    assertThatThrownBy(() -> assertThat(mount, "final.txt").wasDeleted())
        .hasMessageStartingWith(
            lines(
                "Expecting path:",
                "  final.txt",
                "to have been deleted but it is there; versions:"));

    Files.delete(dir.resolve("final.txt"));
    assertThat(mount, "final.txt").wasDeleted().hasVersions(6).hasContentAt(v1, "v1");
    assertThatThrownBy(() -> assertThat(mount, "never.txt").hasVersions(0))
        .hasMessage(
            lines(
                "Expecting path:",
                "  never.txt",
                "to have a history but nothing was ever recorded there"));
  }

  // ------------------------------------------------------------------ lag, with a store held back

  @Test
  void hasNoLagSaysHowManyChangesWait(@TempDir Path tmp) throws Exception {
    assertThat(mount).hasNoLag();
    CountDownLatch release = new CountDownLatch(1);
    StoreBackend memory =
        new MemoryProvider().open(tmp.resolve("store"), VersionStore.tables(), Map.of());
    StoreBackend heldBack =
        (StoreBackend)
            Proxy.newProxyInstance(
                StoreBackend.class.getClassLoader(),
                new Class<?>[] {StoreBackend.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("write")) {
                    release.await(10, TimeUnit.SECONDS);
                  }
                  try {
                    return method.invoke(memory, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    Path tree = Files.createDirectory(tmp.resolve("tree"));
    try (VersionStore store = VersionStore.of(heldBack);
        Mount held = Ize.mount(tree, tree, store)) {
      try {
        Files.writeString(tree.resolve("a.txt"), "a");
        assertThatThrownBy(() -> assertThat(held).hasNoLag())
            .hasMessageStartingWith(lines("Expecting mount:", "  " + tree))
            .hasMessageMatching(
                "(?s).*to have recorded everything but \\d+ changes still wait for the store \\(call"
                    + " mount.sync\\(\\) first\\)");
      } finally {
        release.countDown();
      }
      held.sync();
      assertThat(held).hasNoLag();
    }
  }
}
