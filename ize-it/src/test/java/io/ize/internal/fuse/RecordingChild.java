package io.ize.internal.fuse;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.MountOptions;
import io.ize.api.VersionStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link CrashConsistencyTest}: mounts with a store and writes files {@code
 * f0, f1, ...} in order, each with {@link #content}, until it is killed.
 */
public final class RecordingChild {
  private RecordingChild() {}

  static byte[] content(int i) {
    return ("file " + i + "\n").repeat(1 + (i % 7) * 3000).getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws Exception {
    VersionStore store = VersionStore.open(args[2], Path.of(args[3]));
    MountOptions options =
        MountOptions.builder().transport(io.ize.Transport.valueOf(args[4])).build();
    Mount mount = Ize.mount(Path.of(args[0]), Path.of(args[1]), store, options);
    // The first file is durable before the parent's delay starts, however loaded the machine.
    Files.write(mount.target().resolve("f0"), content(0));
    mount.sync();
    System.out.println("READY");
    System.out.flush();
    for (int i = 1; ; i++) {
      Files.write(mount.target().resolve("f" + i), content(i));
    }
  }
}
