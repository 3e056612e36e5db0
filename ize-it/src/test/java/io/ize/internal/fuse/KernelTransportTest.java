package io.ize.internal.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.MountOptions;
import io.ize.Transport;
import io.ize.api.Point;
import io.ize.api.VersionStore;
import io.ize.testkit.FuseAssumptions;
import io.ize.testkit.internal.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Random;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the kernel transport does: kernel passthrough, and history kept intact under it. */
class KernelTransportTest {
  private static final MountOptions KERNEL =
      MountOptions.builder().transport(Transport.KERNEL).build();

  @TempDir Path tmp;
  Path source;
  Path target;

  @BeforeEach
  void dirs() throws IOException {
    FuseAssumptions.assumeKernelTransportAvailable();
    source = Files.createDirectories(tmp.resolve("src"));
    target = Files.createDirectories(tmp.resolve("mnt"));
  }

  @Test
  void theKernelServesDataItselfAndTheMountSaysSo() throws Exception {
    byte[] data = new byte[64 << 20];
    new Random(3).nextBytes(data);
    try (Mount mount = Ize.mount(source, target, KERNEL)) {
      assertThat(mount.transport()).isEqualTo(Transport.KERNEL);
      assertThat(mount.features()).contains("passthrough", "max-write=1048576", "readdirplus");
      KernelTransport transport = ((FuseMount) mount).kernelTransport();
      Files.write(target.resolve("big"), data);
      try (InputStream in = Files.newInputStream(target.resolve("big"))) {
        byte[] back = in.readAllBytes();
        assertThat(Arrays.equals(back, data)).as("64 MiB read back through the mount").isTrue();
      }
      assertThat(transport.readRequests()).as("READ requests that reached Java").isZero();
      assertThat(transport.writeRequests()).as("WRITE requests that reached Java").isZero();
      assertThat(Files.readAllBytes(source.resolve("big"))).isEqualTo(data);
    }
  }

  /** The close of a file opened for reading costs no request; a writer's close is its FLUSH. */
  @Test
  void onlyAWritersCloseReachesTheDaemon() throws Exception {
    Files.writeString(source.resolve("f"), "read me");
    try (Mount mount = Ize.mount(source, target, KERNEL)) {
      KernelTransport transport = ((FuseMount) mount).kernelTransport();
      for (int i = 0; i < 10; i++) {
        assertThat(Files.readString(target.resolve("f"))).isEqualTo("read me");
      }
      assertThat(transport.flushRequests()).as("FLUSH requests after ten readers").isZero();
      Files.writeString(target.resolve("f"), "written");
      assertThat(transport.flushRequests()).as("FLUSH requests after a writer").isEqualTo(1);
    }
  }

  /**
   * A name looked up and not found is remembered as missing (the source changes only through the
   * mount): a file put into the source behind the mount's back stays unseen, while one created
   * through the mount after the same failed lookup shows at once.
   */
  @Test
  void aMissingNameIsRememberedUntilTheMountCreatesIt() throws Exception {
    try (Mount mount = Ize.mount(source, target, KERNEL)) {
      assertThat(target.resolve("behind")).doesNotExist();
      assertThat(target.resolve("through")).doesNotExist();
      Files.writeString(source.resolve("behind"), "not through the mount");
      Files.writeString(target.resolve("through"), "through the mount");
      assertThat(target.resolve("behind")).doesNotExist();
      assertThat(Files.readString(target.resolve("through"))).isEqualTo("through the mount");
      Files.createDirectory(target.resolve("d"));
      assertThat(target.resolve("d")).isDirectory();
    }
  }

  @Test
  void writesThroughAMappingAreCapturedAtClose() throws Exception {
    try (VersionStore store = VersionStore.open("memory", tmp.resolve("store"));
        Mount mount = Ize.mount(source, target, store, KERNEL)) {
      Path file = target.resolve("mapped");
      Files.writeString(file, "a".repeat(8192));
      mount.sync();
      assertThat(content(store)).isEqualTo("a".repeat(8192));

      // The bytes reach the source without a WRITE request: the capture comes from the close.
      // (Under passthrough the mapping holds the backing file, not the mount's: writes made
      // through it after the descriptor's close are captured only at the file's next control
      // point, since no release follows the munmap.)
      writeThroughAMapping(file, 4096, () -> {});

      String expected = "a".repeat(4096) + "MAPPED" + "a".repeat(4096 - 6);
      assertThat(Files.readString(source.resolve("mapped"))).isEqualTo(expected);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!content(store).equals(expected) && System.nanoTime() < deadline) {
        Thread.sleep(20); // the release comes after close returns
        mount.sync();
      }
      assertThat(content(store)).as("the store after close").isEqualTo(expected);
    }
  }

  @Test
  void theMtimeAMappingGivesTheFileShowsThroughTheMountOnceItIsClosed() throws Exception {
    // The kernel caches attributes for a minute, and writes through a passthrough mapping change
    // the backing file behind its back: the release must tell it to forget them.
    Files.writeString(source.resolve("mapped"), "a".repeat(8192));
    try (Mount mount = Ize.mount(source, target, KERNEL)) {
      Path file = target.resolve("mapped");
      FileTime before = Files.getLastModifiedTime(file); // now cached by the kernel
      Thread.sleep(20);

      // A stat while it is open: whatever the kernel is told then, it keeps.
      writeThroughAMapping(file, 0, () -> Files.getLastModifiedTime(file));

      FileTime written = Files.getLastModifiedTime(source.resolve("mapped"));
      assertThat(written).as("the source's mtime after the mapped write").isGreaterThan(before);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (Files.getLastModifiedTime(file).equals(before) && System.nanoTime() < deadline) {
        Thread.sleep(20); // the release comes after close returns
      }
      assertThat(Files.getLastModifiedTime(file))
          .as("the mtime through the mount")
          .isEqualTo(written);
    }
  }

  @Test
  void aLateReleaseDoesNotRecordTheNextWritersPartialBytes() throws Exception {
    try (VersionStore store = VersionStore.open("memory", tmp.resolve("store"));
        Mount mount = Ize.mount(source, target, store, KERNEL)) {
      Path file = target.resolve("f");
      for (int round = 0; round < 40; round++) {
        String whole = ("round " + round + " ").repeat(500);
        // open, write, close: captured at the flush; the kernel sends the release later
        Files.writeString(file, whole);
        try (FileChannel next = FileChannel.open(file, StandardOpenOption.WRITE)) {
          next.write(ByteBuffer.wrap("PARTIAL".getBytes(StandardCharsets.US_ASCII)), 0);
          Thread.sleep(5); // the first writer's release arrives in the meantime
          mount.sync();
          try (InputStream in = store.content("f", Point.latest())) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
                .as("round %d: the latest version while the second writer is open", round)
                .isEqualTo(whole);
          }
        }
      }
    }
  }

  /** Writes "MAPPED" at {@code at} through a shared mapping of the file's first 8 KiB. */
  private static void writeThroughAMapping(Path file, int at, WhileOpen whileOpen)
      throws IOException {
    int fd = Posix.open(file, Posix.O_RDWR, 0);
    assertThat(fd).isNotNegative();
    Pointer map = MMAP.mmap(null, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assertThat(map.address()).as("mmap").isNotEqualTo(-1L);
    map.put(at, "MAPPED".getBytes(StandardCharsets.US_ASCII), 0, 6);
    assertThat(MMAP.munmap(map, 8192)).isZero();
    whileOpen.run();
    assertThat(Posix.close(fd)).isZero();
  }

  @FunctionalInterface
  private interface WhileOpen {
    void run() throws IOException;
  }

  private static String content(VersionStore store) throws IOException {
    try (InputStream in = store.content("mapped", Point.latest())) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  private static final int PROT_READ = 1;
  private static final int PROT_WRITE = 2;
  private static final int MAP_SHARED = 1;

  /** mmap(2) and munmap(2), which the testkit's bindings leave out. */
  public interface Mapping {
    Pointer mmap(Pointer address, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer address, long length);
  }

  private static final Mapping MMAP = LibraryLoader.create(Mapping.class).load("c");
}
