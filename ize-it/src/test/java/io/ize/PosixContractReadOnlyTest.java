package io.ize;

import io.ize.testkit.FuseAssumptions;
import io.ize.testkit.ReadOnlyPosixContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The read-only contract on a mount made with {@code readOnly(true)}. */
class PosixContractReadOnlyTest extends ReadOnlyPosixContract {
  private static Path base;
  private static Mount mount;

  @BeforeAll
  static void mount() throws IOException {
    FuseAssumptions.assumeFuse2Available();
    base = TestTrees.create("ize-contract-readonly-");
    Path source = Files.createDirectory(base.resolve("source"));
    Path target = Files.createDirectory(base.resolve("target"));
    mount =
        Ize.mount(
            source,
            target,
            MountOptions.builder().readOnly(true).transport(Transport.JNR_FUSE).build());
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
}
