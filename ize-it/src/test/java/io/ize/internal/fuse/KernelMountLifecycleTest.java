package io.ize.internal.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.MountOptions;
import io.ize.Transport;
import io.ize.testkit.FuseAssumptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every lifecycle test on the kernel transport. */
class KernelMountLifecycleTest extends MountLifecycleTest {
  @Override
  @BeforeEach
  void requireFuse() {
    FuseAssumptions.assumeKernelTransportAvailable();
  }

  @Override
  protected Transport transport() {
    return Transport.KERNEL;
  }

  /**
   * Where the kernel has FUSE over io_uring (Linux 6.14+ built with it), the mount serves through a
   * ring per thread on every possible CPU's queue.
   */
  @Test
  void servesOverIoUringWhereTheKernelHasIt(@TempDir Path dirs) throws Exception {
    assumeTrue(
        Files.exists(Path.of("/sys/module/fuse/parameters/enable_uring")),
        "this kernel has no FUSE over io_uring");
    assumeTrue(System.getProperty(KernelSession.URING_PROPERTY) == null, "switched off");
    Path source = Files.createDirectories(dirs.resolve("src"));
    Path target = Files.createDirectories(dirs.resolve("mnt"));
    try (Mount mount =
        Ize.mount(source, target, MountOptions.builder().transport(Transport.KERNEL).build())) {
      Files.writeString(target.resolve("f"), "through a ring");
      int cpus = FuseRing.possibleCpus();
      assertThat(mount.features())
          .contains("io-uring", "uring-queues=" + cpus, "workers=" + (4 + 4 * cpus));
      assertThat(Files.readString(source.resolve("f"))).isEqualTo("through a ring");
    }
  }

  /**
   * Where io_uring cannot be set up (here: switched off with {@code kernel.io_uring_disabled}), the
   * mount asks the kernel for no rings and serves through {@code /dev/fuse}, and says so.
   */
  @Test
  void servesFromTheDeviceWhereNoRingCanBeSetUp(@TempDir Path dirs) throws Exception {
    Path disabled = Path.of("/proc/sys/kernel/io_uring_disabled");
    assumeTrue(Files.isWritable(disabled), "kernel.io_uring_disabled cannot be set here");
    assumeTrue(System.getProperty(KernelSession.URING_PROPERTY) == null, "switched off");
    Path source = Files.createDirectories(dirs.resolve("src"));
    Path target = Files.createDirectories(dirs.resolve("mnt"));
    String before = Files.readString(disabled).trim();
    Files.writeString(disabled, "2");
    try (Mount mount =
        Ize.mount(source, target, MountOptions.builder().transport(Transport.KERNEL).build())) {
      Files.writeString(target.resolve("f"), "through the device");
      assertThat(mount.features()).doesNotContain("io-uring").contains("workers=4");
      assertThat(Files.readString(source.resolve("f"))).isEqualTo("through the device");
    } finally {
      Files.writeString(disabled, before);
    }
  }
}
