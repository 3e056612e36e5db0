package io.ize.internal.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.ize.MountOptions;
import io.ize.Transport;
import io.ize.api.Point;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A capture reads only what it must. After writes it reads again only from the first written byte
 * on (on jnr-fuse only: under kernel passthrough written bytes never reach Java, so a capture reads
 * the whole file), and a close after an fsync that captured reads nothing.
 */
class IncrementalCaptureTest {
  private static final int SIZE = 8 << 20;

  @TempDir Path tmp;
  Path source;
  Path target;

  /**
   * Mounts a fresh source at a fresh target with {@code transport}, recording into {@code store}.
   */
  private FuseMount mount(VersionStore store, Transport transport) throws IOException {
    ModelBasedRecordingTest.assumeTransport(transport);
    source = Files.createDirectories(tmp.resolve("src"));
    target = Files.createDirectories(tmp.resolve("mnt"));
    return FuseMount.mount(
        source, target, store, MountOptions.builder().transport(transport).build());
  }

  private static byte[] random(long seed) {
    byte[] data = new byte[SIZE];
    new Random(seed).nextBytes(data);
    return data;
  }

  @Test
  void anAppendRereadsOnlyTheEndAndAnEarlyWriteRereadsFromThere() throws Exception {
    byte[] data = random(7);
    try (VersionStore store = VersionStore.open("memory", tmp.resolve("store"));
        FuseMount mount = mount(store, Transport.JNR_FUSE)) {
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
    byte[] old = random(8);
    try (VersionStore store = VersionStore.open("memory", tmp.resolve("store"));
        FuseMount mount = mount(store, Transport.JNR_FUSE)) {
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

  @ParameterizedTest
  @EnumSource(names = {"KERNEL", "JNR_FUSE"})
  void anFsyncCapturesAndTheCloseAfterItHasNothingLeftToCapture(Transport transport)
      throws Exception {
    savedOnce(
        transport,
        (file, saved, mount) -> {
          mount.sync();
          assertThat(mount.recorder().contentBytesRead()).as("read at the fsync").isEqualTo(SIZE);
          file.force(false); // nothing written since: nothing to capture
        },
        "CREATE",
        "WRITE");
  }

  /** An archiver's order: write, sync, set the file's times, close; the bytes are read once. */
  @ParameterizedTest
  @EnumSource(names = {"KERNEL", "JNR_FUSE"})
  void timesSetOnAWrittenFileAreRecordedWithoutReadingItAgain(Transport transport)
      throws Exception {
    savedOnce(
        transport,
        (file, saved, mount) ->
            Files.setLastModifiedTime(saved, FileTime.fromMillis(1_000_000_000_000L)),
        "CREATE",
        "WRITE",
        "UTIMENS");
  }

  /** What a test does to a new file between its write and fsync and its close. */
  @FunctionalInterface
  private interface BeforeClose {
    void run(FileChannel file, Path saved, FuseMount mount) throws Exception;
  }

  /**
   * Writes a new file through a mount and fsyncs it, runs {@code beforeClose}, closes it; then the
   * file's bytes must have been read once in all, and the log must hold {@code operations}.
   */
  private void savedOnce(Transport transport, BeforeClose beforeClose, String... operations)
      throws Exception {
    byte[] data = random(9);
    try (VersionStore store = VersionStore.open("memory", tmp.resolve("store"));
        FuseMount mount = mount(store, transport)) {
      Path saved = target.resolve("saved");
      try (FileChannel file =
          FileChannel.open(saved, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        file.write(ByteBuffer.wrap(data));
        file.force(true);
        beforeClose.run(file, saved, mount);
      }
      mount.sync();
      assertThat(mount.recorder().contentBytesRead()).as("read in all").isEqualTo(SIZE);
      assertThat(store.log(0, 100, "", null, null))
          .extracting(e -> e.operation().name())
          .containsExactly(operations);
      assertThat(store.content("saved", Point.latest()).readAllBytes()).isEqualTo(data);
    }
  }
}
