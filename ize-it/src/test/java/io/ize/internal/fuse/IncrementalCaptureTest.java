package io.ize.internal.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.ize.MountOptions;
import io.ize.Transport;
import io.ize.api.Point;
import io.ize.api.VersionStore;
import io.ize.testkit.FuseAssumptions;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After writes, a capture reads again only from the first written byte on. On jnr-fuse only: under
 * kernel passthrough written bytes never reach Java, so a capture reads the whole file.
 */
class IncrementalCaptureTest {
  private static final int SIZE = 8 << 20;

  @TempDir Path tmp;

  @Test
  void anAppendRereadsOnlyTheEndAndAnEarlyWriteRereadsFromThere() throws Exception {
    FuseAssumptions.assumeFuse2Available();
    Path source = Files.createDirectories(tmp.resolve("src"));
    Path target = Files.createDirectories(tmp.resolve("mnt"));
    byte[] data = new byte[SIZE];
    new Random(7).nextBytes(data);
    try (VersionStore store = VersionStore.open("memory", tmp.resolve("store"));
        FuseMount mount =
            FuseMount.mount(
                source,
                target,
                store,
                MountOptions.builder().transport(Transport.JNR_FUSE).build())) {
      Path file = target.resolve("log.bin");
      Files.write(file, data);
      mount.sync();
      long afterFirst = mount.recorder().contentBytesRead();
      assertThat(afterFirst).isEqualTo(SIZE);

      Files.write(file, "appended".getBytes(), StandardOpenOption.APPEND);
      mount.sync();
      long append = mount.recorder().contentBytesRead() - afterFirst;
      assertThat(append).as("bytes re-read for an append").isLessThan(300_000);

      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        f.seek(SIZE / 2);
        f.write(1);
      }
      mount.sync();
      long middle = mount.recorder().contentBytesRead() - afterFirst - append;
      assertThat(middle)
          .as("bytes re-read after a write in the middle")
          .isBetween(SIZE / 2L, SIZE / 2L + 300_000);

      byte[] expected = Files.readAllBytes(source.resolve("log.bin"));
      assertThat(store.content("log.bin", Point.latest()).readAllBytes()).isEqualTo(expected);
    }
  }

  @Test
  void aNewFileOnAReusedInodeNumberBorrowsNoChunksOfTheOldOne() throws Exception {
    FuseAssumptions.assumeFuse2Available();
    Path source = Files.createDirectories(tmp.resolve("src"));
    Path target = Files.createDirectories(tmp.resolve("mnt"));
    byte[] old = new byte[SIZE];
    new Random(8).nextBytes(old);
    MountOptions jnr = MountOptions.builder().transport(io.ize.Transport.JNR_FUSE).build();
    try (VersionStore store = VersionStore.open("memory", tmp.resolve("store"));
        FuseMount mount = FuseMount.mount(source, target, store, jnr)) {
      Object reused = null;
      for (int attempt = 0; attempt < 20 && reused == null; attempt++) {
        Path oldFile = target.resolve("old" + attempt);
        Files.write(oldFile, old);
        mount.sync();
        Object inode = Files.getAttribute(source.resolve("old" + attempt), "unix:ino");
        Files.delete(oldFile);
        Path fresh = target.resolve("new" + attempt);
        Files.createFile(fresh);
        if (inode.equals(Files.getAttribute(source.resolve("new" + attempt), "unix:ino"))) {
          reused = inode;
          // Written only from the middle on: the first half is a hole, not the old file's bytes.
          try (RandomAccessFile f = new RandomAccessFile(fresh.toFile(), "rw")) {
            f.seek(SIZE / 2);
            f.write(1);
          }
          mount.sync();
          byte[] expected = Files.readAllBytes(source.resolve("new" + attempt));
          assertThat(store.content("new" + attempt, Point.latest()).readAllBytes())
              .isEqualTo(expected);
        } else {
          Files.delete(fresh);
        }
      }
      org.junit.jupiter.api.Assumptions.assumeTrue(
          reused != null, "the source's file system reused no inode number");
    }
  }
}
