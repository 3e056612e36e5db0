package io.ize.internal.fuse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.MountOptions;
import io.ize.Transport;
import io.ize.api.Operation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mounting, unmounting, argument checks, dead mounts and failing callbacks, on real mounts. */
class MountLifecycleTest {
  private static final int ECONNABORTED = 103;

  @TempDir Path tmp;

  @BeforeEach
  void requireFuse() {
    assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse on this machine");
    assumeTrue(
        Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libfuse.so.2"))
            || Files.exists(Path.of("/lib/x86_64-linux-gnu/libfuse.so.2")),
        "libfuse2 is not installed");
  }

  /** The transport under test; {@link KernelMountLifecycleTest} runs every test on the other. */
  protected Transport transport() {
    return Transport.JNR_FUSE;
  }

  private MountOptions options() {
    return MountOptions.builder().transport(transport()).build();
  }

  private Path dir(String name) throws IOException {
    return Files.createDirectories(tmp.resolve(name));
  }

  @Test
  void mountIsLiveWhenItReturnsAndCloseUnmountsTwiceSafely() throws Exception {
    Path source = dir("src");
    Path target = dir("mnt");
    Files.writeString(source.resolve("before.txt"), "kept");

    Mount mount = Ize.mount(source, target, options());
    try {
      assertThat(FuseMount.isFuseMountPoint(target)).isTrue();
      assertThat(mount.transport()).isEqualTo(transport());
      assertThat(Files.readString(target.resolve("before.txt"))).isEqualTo("kept");
      Files.writeString(target.resolve("through.txt"), "written");
    } finally {
      mount.close();
    }
    mount.close();

    assertThat(FuseMount.isFuseMountPoint(target)).isFalse();
    assertThat(Files.readString(source.resolve("through.txt"))).isEqualTo("written");
    assertThat(target).isEmptyDirectory();
  }

  @Test
  void badArgumentsAreNamed() throws Exception {
    Path source = dir("src");
    Path target = dir("mnt");
    Path file = Files.writeString(tmp.resolve("file"), "x");

    assertThatThrownBy(() -> Ize.mount(tmp.resolve("missing"), target))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("missing")
        .hasMessageContaining("source does not exist");
    assertThatThrownBy(() -> Ize.mount(file, target))
        .isInstanceOf(NotDirectoryException.class)
        .hasMessageContaining("source is not a directory");
    assertThatThrownBy(() -> Ize.mount(source, tmp.resolve("nowhere")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("target does not exist");
    assertThatThrownBy(() -> Ize.mount(source, file))
        .isInstanceOf(NotDirectoryException.class)
        .hasMessageContaining("target is not a directory");
    try (Mount mount = Ize.mount(source, target, options())) {
      assertThatThrownBy(() -> Ize.mount(dir("other"), target))
          .isInstanceOf(FileSystemException.class)
          .hasMessageContaining("already a live FUSE mount");
      assertThat(mount.target()).isEqualTo(target);
    }
  }

  @Test
  void missingFuseIsNamedWithThePackageToInstall() {
    assertThatThrownBy(() -> FuseMount.loadFuse(tmp.resolve("fuse"), "fuse"))
        .isInstanceOf(FileSystemException.class)
        .hasMessageContaining("FUSE is unavailable")
        .hasMessageContaining(tmp.resolve("fuse").toString());
    assertThatThrownBy(() -> FuseMount.loadFuse(Path.of("/dev/fuse"), "no-such-fuse-library"))
        .isInstanceOf(FileSystemException.class)
        .hasMessageContaining("libfuse 2 is not installed")
        .hasMessageContaining("apt-get install libfuse2");
  }

  @Test
  void closeWaitsForARequestInFlight() throws Exception {
    Path source = dir("src");
    Path target = dir("mnt");
    CountDownLatch writing = new CountDownLatch(1);
    AtomicLong writeAnswered = new AtomicLong();
    Capture slow =
        new Capture() {
          @Override
          public void changed(Operation operation, byte[] path, byte[] target, int flags) {
            if (operation == Operation.CREATE) {
              writing.countDown();
              sleep(1000);
              writeAnswered.set(System.nanoTime());
            }
          }
        };
    Mount mount = FuseMount.mount(source, target, options(), slow);
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              try (OutputStream out = Files.newOutputStream(target.resolve("slow.txt"))) {
                out.write("in flight".getBytes(UTF_8));
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
    mount.close();
    long closed = System.nanoTime();

    assertThat(writeAnswered.get()).as("the write was answered before close returned").isNotZero();
    assertThat(closed).isGreaterThan(writeAnswered.get());
    writer.get(10, TimeUnit.SECONDS);
    assertThat(Files.readString(source.resolve("slow.txt"))).isEqualTo("in flight");
    assertThat(FuseMount.isFuseMountPoint(target)).isFalse();
  }

  @Test
  void requestsThatBlockLeaveTheRestServed() throws Exception {
    Path source = dir("src");
    Path target = dir("mnt");
    Files.writeString(source.resolve("kept.txt"), "readable");
    int stuck = 3; // of the mount's four threads (over io_uring: of the four of one CPU's queue)
    CountDownLatch blocked = new CountDownLatch(stuck);
    CountDownLatch release = new CountDownLatch(1);
    Capture blocking =
        new Capture() {
          @Override
          public void beforeChange(byte[] path) {
            if (Names.display(path).startsWith("stuck")) {
              blocked.countDown();
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        };
    try (Mount mount = FuseMount.mount(source, target, options(), blocking)) {
      List<CompletableFuture<String>> writers = new ArrayList<>();
      for (int i = 0; i < stuck; i++) {
        Path file = Files.writeString(source.resolve("stuck" + i), "old");
        writers.add(
            onCpuZero(
                () -> {
                  Files.writeString(target.resolve(file.getFileName()), "new");
                  return "";
                }));
      }
      assertThat(blocked.await(10, TimeUnit.SECONDS)).as("three requests blocked").isTrue();

      CompletableFuture<String> reader =
          onCpuZero(
              () -> {
                Files.writeString(target.resolve("other.txt"), "served");
                return Files.readString(target.resolve("kept.txt"))
                    + " "
                    + Files.readString(target.resolve("other.txt"));
              });
      assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo("readable served");
      assertThat(writers).noneMatch(CompletableFuture::isDone);

      release.countDown();
      CompletableFuture.allOf(writers.toArray(new CompletableFuture<?>[0]))
          .get(10, TimeUnit.SECONDS);
      assertThat(Files.readString(source.resolve("stuck0"))).isEqualTo("new");
    } finally {
      release.countDown();
    }
  }

  @Test
  void anExceptionInACallbackIsAnsweredWithEioAndTheMountKeepsServing() throws Exception {
    Path source = dir("src");
    Path target = dir("mnt");
    Capture failing =
        new Capture() {
          @Override
          public void changed(Operation operation, byte[] path, byte[] target, int flags) {
            if (Names.display(path).endsWith("boom")) {
              throw new IllegalStateException("planted failure");
            }
          }
        };
    try (Mount mount = FuseMount.mount(source, target, options(), failing)) {
      assertThatThrownBy(() -> Files.createDirectory(target.resolve("boom")))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("Input/output error");
      Files.writeString(target.resolve("after.txt"), "still serving");
      assertThat(Files.readString(target.resolve("after.txt"))).isEqualTo("still serving");
    }
  }

  @Test
  void captureSeesEachSuccessfulChangeInOrderAndFailuresNot() throws Exception {
    Path source = dir("src");
    Path target = dir("mnt");
    List<String> events = new CopyOnWriteArrayList<>();
    Capture recording =
        new Capture() {
          @Override
          public void beforeChange(byte[] path) {
            events.add("before " + Names.display(path));
          }

          @Override
          public void changed(Operation operation, byte[] path, byte[] target, int flags) {
            events.add(
                operation
                    + " "
                    + Names.display(path)
                    + (target == null ? "" : " " + Names.display(target)));
          }
        };
    try (Mount mount = FuseMount.mount(source, target, options(), recording)) {
      Files.createDirectory(target.resolve("d"));
      Files.writeString(target.resolve("d/a"), "1");
      Files.move(target.resolve("d/a"), target.resolve("d/b"));
      assertThatThrownBy(() -> Files.delete(target.resolve("d/missing")))
          .isInstanceOf(NoSuchFileException.class);
      Files.setPosixFilePermissions(
          target.resolve("d/b"),
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      Files.delete(target.resolve("d/b"));
    }
    assertThat(events)
        .containsExactly(
            "MKDIR d",
            "CREATE d/a",
            "WRITE d/a",
            "before d/b",
            "RENAME d/a d/b",
            "CHMOD d/b",
            "before d/b",
            "UNLINK d/b");
  }

  @Test
  void gitWorksInADirectoryMountedOverItself() throws Exception {
    Path project = dir("project");
    Files.writeString(project.resolve("README"), "hello\n");
    try (Mount mount = Ize.mount(project, project, options())) {
      assertThat(mount.target()).isEqualTo(mount.source());
      assertThat(FuseMount.isFuseMountPoint(project)).isTrue();
      run(project, "git", "init", "-q");
      Files.writeString(project.resolve("src.txt"), "code\n");
      run(project, "git", "add", ".");
      run(
          project,
          "git",
          "-c",
          "user.name=t",
          "-c",
          "user.email=t@t",
          "commit",
          "-q",
          "-m",
          "first");
      assertThat(run(project, "git", "log", "--oneline")).contains("first");
      assertThat(run(project, "git", "status", "--porcelain")).isEmpty();
    }
    assertThat(FuseMount.isFuseMountPoint(project)).isFalse();
    assertThat(project.resolve(".git/HEAD")).exists();
    assertThat(run(project, "git", "log", "--oneline")).contains("first");
  }

  @Test
  void aJvmExitUnmounts() throws Exception {
    Path source = dir("src");
    Path target = dir("mnt");
    Process child = startChild(source, target, "exit");
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isZero();
    assertThat(FuseMount.isFuseMountPoint(target)).isFalse();
  }

  @Test
  void aDeadMountLeftByAKilledProcessIsClearedBeforeMounting() throws Exception {
    Path source = dir("src");
    Path target = dir("mnt");
    Files.writeString(source.resolve("file"), "survives");
    Process child = startChild(source, target, "serve");
    try {
      child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      Pointer stat = Memory.allocateDirect(Runtime.getRuntime(LibC.INSTANCE), LibC.STAT_SIZE);
      int rc = LibC.INSTANCE.fstatat(LibC.AT_FDCWD, Names.cString(target.toString()), stat, 0);
      if (rc != 0 && LibC.errno() == ECONNABORTED) {
        // Over io_uring the connection's teardown waits for the dead process's rings to be
        // cancelled; a request queued meanwhile is ended with ECONNABORTED, and the next one
        // finds the connection gone.
        rc = LibC.INSTANCE.fstatat(LibC.AT_FDCWD, Names.cString(target.toString()), stat, 0);
      }
      assertThat(rc == 0 ? 0 : LibC.errno())
          .as("errno of stat on the dead mount")
          .isEqualTo(Errno.ENOTCONN);

      try (Mount mount = Ize.mount(source, target, options())) {
        assertThat(Files.readString(target.resolve("file"))).isEqualTo("survives");
      }
      assertThat(FuseMount.isFuseMountPoint(target)).isFalse();
    } finally {
      child.destroyForcibly();
      FuseMount.clearDeadMount(target);
    }
  }

  /**
   * Runs {@code body} on a new thread pinned to CPU 0, so that over io_uring every such caller's
   * requests go to one queue, the case where blocked requests could hold up the others.
   */
  private static CompletableFuture<String> onCpuZero(java.util.concurrent.Callable<String> body) {
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              assertThat(FuseRing.pin(0)).isTrue();
              try {
                result.complete(body.call());
              } catch (Throwable e) {
                result.completeExceptionally(e);
              }
            });
    thread.setDaemon(true);
    thread.start();
    return result;
  }

  /** Starts {@link MountMain} in a child JVM and waits until its mount is live. */
  private Process startChild(Path source, Path target, String mode) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Dfile.encoding=UTF-8");
    command.add("--add-opens");
    command.add("java.base/java.nio=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(MountMain.class.getName());
    command.add(source.toString());
    command.add(target.toString());
    command.add(mode);
    command.add(transport().name());
    Process child =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8));
    String line = out.readLine();
    assertThat(line).as("child's first line").startsWith("READY");
    return child;
  }

  private static String run(Path dir, String... command) throws Exception {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    return output.trim();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
