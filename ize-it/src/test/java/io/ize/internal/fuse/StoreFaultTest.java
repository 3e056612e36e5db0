package io.ize.internal.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.MountOptions;
import io.ize.Transport;
import io.ize.api.LogEntry;
import io.ize.api.Operation;
import io.ize.api.VersionStore;
import io.ize.testkit.FuseAssumptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A failing store: the user's writes go on and the history shows a gap, or, strictly, EIO. */
class StoreFaultTest {
  @TempDir Path tmp;
  Path source;
  Path target;

  /** The transport under test; {@link KernelStoreFaultTest} runs every test on the other. */
  protected Transport transport() {
    return Transport.JNR_FUSE;
  }

  private MountOptions.Builder options() {
    return MountOptions.builder().transport(transport());
  }

  @BeforeEach
  void dirs() throws IOException {
    ModelBasedRecordingTest.assumeTransport(transport());
    source = Files.createDirectories(tmp.resolve("src"));
    target = Files.createDirectories(tmp.resolve("mnt"));
    heal();
  }

  @AfterEach
  void heal() {
    FailingProvider.failing = false;
    FailingProvider.error = null;
  }

  /**
   * A store that reports a failure (a full disk) and one that cannot run in this JVM (a module not
   * opened to it, a native library missing: a LinkageError) fail the same way.
   */
  @ParameterizedTest(name = "the store fails with {0}")
  @ValueSource(strings = {"an IOException", "a LinkageError"})
  void byDefaultWritesGoOnTheListenerHearsAndTheHistoryShowsAGap(String how) throws Exception {
    List<IOException> heard = new CopyOnWriteArrayList<>();
    try (VersionStore store = VersionStore.open("failing", tmp.resolve("store"));
        Mount mount = Ize.mount(source, target, store, options().build())) {
      mount.addListener(heard::add);
      Files.writeString(target.resolve("a"), "before");
      mount.sync();

      String message = "No space left on device";
      if (how.equals("a LinkageError")) {
        message = "module java.base does not export sun.nio.ch";
        FailingProvider.error = new IllegalAccessError(message);
      } else {
        FailingProvider.failing = true;
      }
      Files.writeString(target.resolve("b"), "while failing");
      assertThatThrownBy(mount::sync).isInstanceOf(IOException.class).hasMessageContaining(message);
      assertThat(heard).isNotEmpty();
      assertThat(heard.get(0)).hasMessageContaining(message);
      assertThat(Files.readString(source.resolve("b"))).isEqualTo("while failing");

      heal();
      Files.writeString(target.resolve("c"), "after");
      mount.sync();
      List<String> log =
          store.log(0, 100, "", null, null).stream()
              .map(LogEntry::operation)
              .map(Operation::name)
              .collect(Collectors.toList());
      assertThat(log).containsSubsequence("CREATE", "WRITE", "GAP", "CREATE", "WRITE");
      assertThat(log.indexOf("GAP")).isEqualTo(2);
      assertThat(store.verify()).isEmpty();
    }
  }

  @Test
  void aRecorderThatDiesLeavesTheMountServingAndSaysSo() throws Exception {
    List<IOException> heard = new CopyOnWriteArrayList<>();
    try (VersionStore store = VersionStore.open("failing", tmp.resolve("store"))) {
      Mount mount = Ize.mount(source, target, store, options().queueBytes(16 << 20).build());
      mount.addListener(heard::add);
      FailingProvider.error = new OutOfMemoryError("a test's writer ran out of memory");
      byte[] big = new byte[3 << 20]; // captured on the FUSE thread, into the queue
      for (int i = 0; i < 20; i++) {
        Files.writeString(target.resolve("f" + i), "written after the recorder died " + i);
        Files.write(target.resolve("big" + i), big);
      }
      assertThatThrownBy(mount::sync)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("recording stopped")
          .hasMessageContaining("ran out of memory");
      assertThat(heard).anySatisfy(e -> assertThat(e).hasMessageContaining("recorder stopped"));
      assertThat(Files.readString(source.resolve("f19")))
          .isEqualTo("written after the recorder died 19");
      closePromptly(mount);
    }
  }

  /** Closes the mount, which must return within 30 s and leave no mount behind. */
  private void closePromptly(Mount mount) throws IOException {
    long start = System.nanoTime();
    mount.close();
    assertThat((System.nanoTime() - start) / 1_000_000_000.0).as("seconds to close").isLessThan(30);
    assertThat(FuseMount.isFuseMountPoint(target)).isFalse();
  }

  @Test
  void closingWhileTheStoreStillFailsReturnsAndKeepsTheFiles() throws Exception {
    List<IOException> heard = new CopyOnWriteArrayList<>();
    try (VersionStore store = VersionStore.open("failing", tmp.resolve("store"))) {
      Mount mount = Ize.mount(source, target, store);
      mount.addListener(heard::add);
      FailingProvider.failing = true;
      for (int i = 0; i < 50; i++) {
        Files.writeString(target.resolve("f" + i), "written while the store fails");
      }
      closePromptly(mount);
      assertThat(Files.readString(source.resolve("f49")))
          .isEqualTo("written while the store fails");
      assertThat(heard).isNotEmpty();
    }
  }

  @Test
  void strictRecordingRefusesChangesWithEioWhileTheStoreFails() throws Exception {
    MountOptions strict = options().strictRecording(true).build();
    try (VersionStore store = VersionStore.open("failing", tmp.resolve("store"));
        Mount mount = Ize.mount(source, target, store, strict)) {
      FailingProvider.failing = true;
      // One system call: a file's create, write and close could see the create's commit fail
      // half-way and be refused there.
      Files.createDirectory(target.resolve("first"));
      assertThatThrownBy(mount::sync).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> Files.writeString(target.resolve("refused"), "x"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("Input/output error");
      assertThat(source.resolve("refused")).doesNotExist();

      FailingProvider.failing = false;
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (true) {
        try {
          Files.writeString(target.resolve("accepted"), "y");
          break;
        } catch (IOException stillRefused) {
          assertThat(System.nanoTime()).as("writes accepted again").isLessThan(deadline);
          Thread.sleep(100);
        }
      }
      mount.sync();
      assertThat(store.log(0, 100, "", null, null))
          .extracting(LogEntry::operation)
          .contains(Operation.GAP, Operation.CREATE);
    }
  }

  @Test
  void aStoreOnAFullFilesystemIsHeardAndTheWritesGoOn() throws Exception {
    FuseAssumptions.assumeRoot();
    Path small = Files.createDirectories(tmp.resolve("small"));
    byte[] dir = (small + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] tmpfs = "tmpfs\0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(LibC.INSTANCE.mount(tmpfs, dir, tmpfs, 0, "size=4m\0".getBytes())).isZero();
    try {
      List<IOException> heard = new CopyOnWriteArrayList<>();
      byte[] data = new byte[1 << 20];
      java.util.Random random = new java.util.Random(3);
      try (VersionStore store =
              VersionStore.open(
                  "lmdb", small.resolve("store"), java.util.Map.of("mapSize", "1048576"));
          Mount mount = Ize.mount(source, target, store, options().build())) {
        mount.addListener(heard::add);
        for (int i = 0; i < 8; i++) {
          random.nextBytes(data); // distinct content: dedup must not make room
          Files.write(target.resolve("big" + i), data);
        }
        assertThatThrownBy(mount::sync).isInstanceOf(IOException.class);
        assertThat(heard).isNotEmpty();
        assertThat(heard.get(0)).hasMessageContaining(small.resolve("store").toString());
        for (int i = 0; i < 8; i++) {
          assertThat(Files.size(source.resolve("big" + i))).isEqualTo(data.length);
        }
      }
    } finally {
      LibC.INSTANCE.umount2(dir, LibC.MNT_DETACH);
    }
  }

  @Test
  void aDamagedStoreFileIsAClearErrorNamingTheStore() throws Exception {
    Path dir = tmp.resolve("damaged");
    try (VersionStore store = VersionStore.open("lmdb", dir)) {
      store.snapshot("x", 0);
    }
    try (var files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.write(file, new byte[8192]);
      }
    }
    assertThatThrownBy(() -> VersionStore.open("lmdb", dir).close())
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.toString());
  }
}
