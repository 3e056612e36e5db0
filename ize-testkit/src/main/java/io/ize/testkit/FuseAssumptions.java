package io.ize.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ize.testkit.internal.Posix;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;

/**
 * Assumptions for tests that mount: they skip, rather than fail, where FUSE cannot work.
 *
 * <pre>{@code
 * @BeforeAll
 * static void mount() throws IOException {
 *   FuseAssumptions.assumeFuse2Available();
 *   mount = Ize.mount(source, target);
 * }
 * }</pre>
 */
public final class FuseAssumptions {
  /** The one libfuse 2 symbol needed to tell that the library loads. */
  public interface LibFuseVersion {
    int fuse_version();
  }

  private FuseAssumptions() {}

  /**
   * Skips the caller unless {@code /dev/fuse} exists, libfuse 2 loads, and the process may mount
   * (root, or {@code fusermount} on the PATH).
   */
  public static void assumeFuse2Available() {
    String why = unavailableReason(Path.of("/dev/fuse"));
    assumeTrue(why == null, why);
  }

  /**
   * Why mounting through {@code device} cannot work here, or null if it can; the device is a
   * parameter so that the missing-device branch can be tested on a machine that has one.
   */
  static String unavailableReason(Path device) {
    if (!Files.exists(device, LinkOption.NOFOLLOW_LINKS)) {
      return "no " + device + " on this machine";
    }
    if (!libfuse2Loads()) {
      return "libfuse 2 (libfuse.so.2) is not installed";
    }
    if (Posix.geteuid() != 0 && !onPath("fusermount") && !onPath("fusermount3")) {
      return "not root, and no fusermount on the PATH to mount with";
    }
    return null;
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(":")) {
      if (Files.isExecutable(Path.of(dir.isEmpty() ? "." : dir, command))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Skips the caller unless the kernel-protocol transport can mount here: {@code /dev/fuse} exists
   * and the process is root (it mounts with {@code mount(2)}, which needs CAP_SYS_ADMIN).
   */
  public static void assumeKernelTransportAvailable() {
    assumeTrue(
        Files.exists(Path.of("/dev/fuse"), LinkOption.NOFOLLOW_LINKS),
        "no /dev/fuse on this machine");
    assumeTrue(Posix.geteuid() == 0, "the kernel transport needs root (CAP_SYS_ADMIN)");
  }

  /** Skips the caller unless it runs as root. */
  public static void assumeRoot() {
    assumeTrue(Posix.geteuid() == 0, "needs root");
  }

  /** Whether libfuse 2 can be loaded (found out once per JVM: each probe builds a native stub). */
  public static boolean libfuse2Loads() {
    return Libfuse2.LOADS;
  }

  /** Holds the probe's answer, computed on first use. */
  private static final class Libfuse2 {
    static final boolean LOADS = probe();
  }

  private static boolean probe() {
    for (String name : new String[] {"fuse", "libfuse.so.2"}) {
      try {
        LibFuseVersion lib =
            LibraryLoader.create(LibFuseVersion.class).failImmediately().load(name);
        if (lib.fuse_version() >= 26 && lib.fuse_version() < 30) {
          return true;
        }
      } catch (LinkageError e) {
        // try the next name
      }
    }
    return false;
  }
}
