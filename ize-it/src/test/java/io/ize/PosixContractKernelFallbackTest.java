package io.ize;

import static org.assertj.core.api.Assertions.assertThat;

import io.ize.testkit.FuseAssumptions;
import io.ize.testkit.PosixContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The POSIX contract on the kernel transport with passthrough switched off, as where the kernel
 * refuses it: file data is then served through Java.
 */
class PosixContractKernelFallbackTest extends PosixContract {
  private static Path base;
  private static Mount mount;

  @BeforeAll
  static void mount() throws IOException {
    FuseAssumptions.assumeKernelTransportAvailable();
    base = TestTrees.create("ize-contract-kernel-fallback-");
    Path source = Files.createDirectory(base.resolve("source"));
    Path target = Files.createDirectory(base.resolve("target"));
    System.setProperty("ize.kernel.passthrough", "false");
    try {
      mount = Ize.mount(source, target, PosixContractKernelSeparateTargetTest.KERNEL);
    } finally {
      System.clearProperty("ize.kernel.passthrough");
    }
    assertThat(mount.features()).doesNotContain("passthrough").contains("max-write=1048576");
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

  /**
   * The 200,000-file test runs in {@link PosixContractKernelSeparateTargetTest}: this transport
   * keeps its nodes and descriptors the same way with or without passthrough, and the test costs
   * minutes.
   */
  @Override
  protected boolean runsTheScaleTest() {
    return false;
  }
}
