package io.ize;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ize.api.Change;
import io.ize.api.ChangeSet;
import io.ize.api.FileVersion;
import io.ize.api.LogEntry;
import io.ize.api.Operation;
import io.ize.api.Point;
import io.ize.api.Snapshot;
import io.ize.api.VersionStore;
import io.ize.testkit.FuseAssumptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recording through a real mount into the in-memory reference store. */
class RecordingTest {
  @TempDir Path tmp;
  Path source;
  Path target;
  VersionStore store;
  Mount mount;

  @BeforeEach
  void mount() throws IOException {
    FuseAssumptions.assumeFuse2Available();
    source = Files.createDirectories(tmp.resolve("src"));
    target = Files.createDirectories(tmp.resolve("mnt"));
    store = VersionStore.open("memory", tmp.resolve("store"));
    mount = Ize.mount(source, target, store);
  }

  @AfterEach
  void unmount() throws IOException {
    if (mount != null) {
      mount.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private List<String> log() throws IOException {
    mount.sync();
    return store.log(0, 1000, "", null, null).stream()
        .map(e -> e.operation() + " " + e.path() + (e.target() == null ? "" : " " + e.target()))
        .collect(Collectors.toList());
  }

  @Test
  void everyChangeIsRecordedInOrderWithGaplessSequenceNumbers() throws IOException {
    Files.createDirectories(target.resolve("d"));
    Files.writeString(target.resolve("d/a.txt"), "one");
    Files.move(target.resolve("d"), target.resolve("e"));
    Files.setPosixFilePermissions(
        target.resolve("e/a.txt"), PosixFilePermissions.fromString("rw-------"));
    Files.delete(target.resolve("e/a.txt"));

    assertThat(log())
        .containsExactly(
            "MKDIR d",
            "CREATE d/a.txt",
            "WRITE d/a.txt",
            "RENAME d e",
            "CHMOD e/a.txt",
            "UNLINK e/a.txt");
    List<LogEntry> entries = store.log(0, 1000, "", null, null);
    for (int i = 0; i < entries.size(); i++) {
      assertThat(entries.get(i).sequence()).isEqualTo(i + 1);
    }
    assertThat(store.verify()).isEmpty();
  }

  @Test
  void aFileKeepsItsHistoryThroughRenamesOfItsDirectory() throws IOException {
    Files.createDirectories(target.resolve("a/b"));
    Files.writeString(target.resolve("a/b/f"), "v1");
    Files.writeString(target.resolve("a/b/f"), "v2");
    Files.move(target.resolve("a"), target.resolve("z"));
    Files.writeString(target.resolve("z/b/f"), "v3");
    mount.sync();

    List<FileVersion> versions = store.versions("z/b/f", Point.latest());
    System.err.println(
        "LOG " + log() + "\nVERSIONS " + versions + "\nTREE " + store.tree(Point.latest(), ""));
    List<String> contents = new java.util.ArrayList<>();
    for (FileVersion v : versions) {
      if (v.operation() == Operation.WRITE) {
        contents.add(
            v.path() + "=" + new String(store.content(v.state().content()).readAllBytes(), UTF_8));
      }
    }
    assertThat(contents).containsExactly("a/b/f=v1", "a/b/f=v2", "z/b/f=v3");
  }

  @Test
  void changesSinceASnapshotAndRestoreBringTheTreeBack() throws IOException {
    Files.createDirectories(target.resolve("src"));
    Files.writeString(target.resolve("src/keep.txt"), "keep");
    Files.writeString(target.resolve("src/edit.txt"), "original");
    Files.writeString(target.resolve("src/gone.txt"), "deleted later");
    Files.writeString(target.resolve("old-name.txt"), "moved later");
    Snapshot before = mount.snapshot("before");

    Files.writeString(target.resolve("src/edit.txt"), "changed");
    Files.delete(target.resolve("src/gone.txt"));
    Files.writeString(target.resolve("src/new.txt"), "new");
    Files.move(target.resolve("old-name.txt"), target.resolve("new-name.txt"));
    Files.setPosixFilePermissions(
        target.resolve("src/keep.txt"), PosixFilePermissions.fromString("r--------"));

    ChangeSet changes = mount.changesSince(before.point());
    assertThat(changes.paths(Change.Kind.CREATED)).containsExactly("src/new.txt");
    assertThat(changes.paths(Change.Kind.DELETED)).containsExactly("src/gone.txt");
    assertThat(changes.paths(Change.Kind.MODIFIED)).containsExactly("src/edit.txt");
    assertThat(changes.paths(Change.Kind.METADATA)).containsExactly("src/keep.txt");
    assertThat(changes.changes())
        .filteredOn(c -> c.kind() == Change.Kind.RENAMED)
        .extracting(c -> c.previousPath() + " -> " + c.path())
        .containsExactly("old-name.txt -> new-name.txt");

    long beforeRestore = store.lastSequence();
    mount.restore(before.point());

    assertThat(Files.readString(target.resolve("src/edit.txt"))).isEqualTo("original");
    assertThat(Files.readString(target.resolve("src/gone.txt"))).isEqualTo("deleted later");
    assertThat(Files.readString(target.resolve("old-name.txt"))).isEqualTo("moved later");
    assertThat(target.resolve("src/new.txt")).doesNotExist();
    assertThat(target.resolve("new-name.txt")).doesNotExist();
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(target.resolve("src/keep.txt"))))
        .isEqualTo("rw-r--r--");
    assertThat(mount.changesSince(before.point()).isEmpty())
        .as("%s", mount.changesSince(before.point()))
        .isTrue();
    assertThat(store.lastSequence()).as("the restore is recorded").isGreaterThan(beforeRestore);
  }
}
