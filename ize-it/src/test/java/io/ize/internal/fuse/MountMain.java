package io.ize.internal.fuse;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.MountOptions;
import java.nio.file.Path;

/**
 * Run in a child JVM by the lifecycle tests: mounts {@code args[0]} at {@code args[1]}, prints
 * READY, then either exits at once without closing the mount ({@code exit}) or serves until killed
 * ({@code serve}); {@code args[3]} names the transport.
 */
public final class MountMain {
  private MountMain() {}

  public static void main(String[] args) throws Exception {
    MountOptions options =
        MountOptions.builder().transport(io.ize.Transport.valueOf(args[3])).build();
    Mount mount = Ize.mount(Path.of(args[0]), Path.of(args[1]), options);
    System.out.println("READY " + mount.target());
    System.out.flush();
    if (args[2].equals("exit")) {
      System.exit(0);
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
