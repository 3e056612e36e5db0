package io.ize.internal.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.MountOptions;
import io.ize.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every lifecycle test on the kernel transport with FUSE over io_uring switched off, as on kernels
 * without it: requests are then read from {@code /dev/fuse} by the mount's workers. (The tests that
 * mount in a child JVM run there with io_uring as the default has it.)
 */
class KernelDeviceMountLifecycleTest extends KernelMountLifecycleTest {
  @TempDir Path dirs;

  @BeforeEach
  void readFromTheDevice() {
    System.setProperty(KernelSession.URING_PROPERTY, "false");
  }

  @AfterEach
  void restore() {
    System.clearProperty(KernelSession.URING_PROPERTY);
  }

  @Test
  void servesFromTheDeviceWithoutRings() throws Exception {
    Path source = Files.createDirectories(dirs.resolve("src"));
    Path target = Files.createDirectories(dirs.resolve("mnt"));
    try (Mount mount =
        Ize.mount(source, target, MountOptions.builder().transport(Transport.KERNEL).build())) {
      Files.writeString(target.resolve("f"), "through the device");
      assertThat(mount.features()).doesNotContain("io-uring").contains("workers=4");
      assertThat(Files.readString(source.resolve("f"))).isEqualTo("through the device");
    }
  }
}
