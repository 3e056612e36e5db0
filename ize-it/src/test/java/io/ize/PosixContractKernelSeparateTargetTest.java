package io.ize;

import io.ize.testkit.FuseAssumptions;
import io.ize.testkit.PosixContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The POSIX contract on the kernel transport, target apart from the source; it runs the
 * 200,000-file test too, since this transport keeps its own table of nodes and open descriptors.
 */
class PosixContractKernelSeparateTargetTest extends PosixContract {
  private static Path base;
  private static Mount mount;

  @BeforeAll
  static void mount() throws IOException {
    FuseAssumptions.assumeKernelTransportAvailable();
    base = TestTrees.create("ize-contract-kernel-separate-");
    Path source = Files.createDirectory(base.resolve("source"));
    Path target = Files.createDirectory(base.resolve("target"));
    mount = Ize.mount(source, target, KERNEL);
  }

  @AfterAll
  static void unmount() {
    try {
      if (mount != null) {
        mount.close();
      }
    } finally {
      mount = null;
      TestTrees.delete(base);
    }
  }

  @Override
  protected Path mountDirectory() {
    return mount.target();
  }

  @Override
  protected Path sourceDirectory() {
    return mount.source();
  }

  static final MountOptions KERNEL = MountOptions.builder().transport(Transport.KERNEL).build();
}
