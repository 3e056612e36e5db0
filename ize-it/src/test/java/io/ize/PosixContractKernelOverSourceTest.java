package io.ize;

import static org.assertj.core.api.Assertions.assertThat;

import io.ize.testkit.FuseAssumptions;
import io.ize.testkit.PosixContract;
import io.ize.testkit.internal.Posix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The POSIX contract on the kernel transport over its own source. Every path under the source now
 * passes through the mount, so the test reaches the tree underneath through {@code /proc/self/fd/N}
 * of a descriptor opened before mounting: a walk from that descriptor starts below the mount, the
 * way the daemon itself reaches the source.
 */
class PosixContractKernelOverSourceTest extends PosixContract {
  private static Path base;
  private static Path tree;
  private static int underneath = -1;
  private static Mount mount;

  @BeforeAll
  static void mount() throws IOException {
    FuseAssumptions.assumeKernelTransportAvailable();
    base = TestTrees.create("ize-contract-kernel-over-");
    tree = Files.createDirectory(base.resolve("tree"));
    underneath = Posix.open(tree, Posix.O_PATH | Posix.O_DIRECTORY, 0);
    assertThat(underneath).as("O_PATH descriptor of the source").isNotNegative();
    mount = Ize.mount(tree, tree, PosixContractKernelSeparateTargetTest.KERNEL);
  }

  @AfterAll
  static void unmount() {
    try {
      if (mount != null) {
        mount.close();
      }
    } finally {
      mount = null;
      if (underneath >= 0) {
        Posix.close(underneath);
        underneath = -1;
      }
      TestTrees.delete(base);
    }
  }

  @Override
  protected Path mountDirectory() {
    return tree;
  }

  @Override
  protected Path sourceDirectory() {
    return Path.of("/proc/self/fd/" + underneath);
  }

  /**
   * The 200,000-file test runs in {@link PosixContractKernelSeparateTargetTest}: the daemon opens
   * and closes its descriptors the same way whatever the shape, and the test costs minutes.
   */
  @Override
  protected boolean runsTheScaleTest() {
    return false;
  }
}
