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
    List<String> contents = new java.util.ArrayList<>();
    for (FileVersion v : versions) {
      if (v.operation() == Operation.WRITE) {
        contents.add(
            v.path() + "=" + new String(store.content(v.state().content()).readAllBytes(), UTF_8));
      }
    }
    assertThat(contents).containsExactly("a/b/f=v1", "a/b/f=v2", "z/b/f=v3");
  }

  /**
   * The bytes of a small file closed by a writer are read after close(2) returns (by the recorder's
   * writer thread): whatever changes the file at once (rewritten, truncated, renamed, deleted),
   * each close keeps its own bytes in the history.
   */
  @Test
  void eachCloseRecordsItsOwnBytesWhateverChangesTheFileAtOnce() throws IOException {
    Path f = target.resolve("f");
    List<String> written = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String text = "version " + i + " " + "x".repeat(i * 997);
      Files.writeString(f, text); // each open after the first truncates what the last close left
      if (i > 0) {
        written.add("");
      }
      written.add(text);
    }
    Files.writeString(target.resolve("g"), "renamed at once");
    Files.move(target.resolve("g"), target.resolve("h"));
    Files.writeString(target.resolve("gone"), "deleted at once");
    Files.delete(target.resolve("gone"));
    mount.sync();

    List<String> contents = new java.util.ArrayList<>();
    for (FileVersion v : store.versions("f", Point.latest())) {
      if (v.operation() == Operation.WRITE || v.operation() == Operation.TRUNCATE) {
        contents.add(new String(store.content(v.state().content()).readAllBytes(), UTF_8));
      }
    }
    assertThat(contents).containsExactlyElementsOf(written);
    assertThat(log())
        .endsWith("CREATE g", "WRITE g", "RENAME g h", "CREATE gone", "WRITE gone", "UNLINK gone");
    List<LogEntry> entries = store.log(0, 1000, "", null, null);
    long renamed = entries.get(entries.size() - 4).sequence();
    long deleted = entries.get(entries.size() - 1).sequence();
    assertThat(store.content("g", Point.sequence(renamed - 1)).readAllBytes())
        .asString(UTF_8)
        .isEqualTo("renamed at once");
    assertThat(store.content("gone", Point.sequence(deleted - 1)).readAllBytes())
        .asString(UTF_8)
        .isEqualTo("deleted at once");
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
