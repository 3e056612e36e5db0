package io.ize.internal.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.ize.api.Operation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture points of handles whose writes bypass the core (kernel passthrough), in the order the
 * kernel delivers them: a file's RELEASE comes after close(2) has returned, so a second writer may
 * already be writing. The kernel's timing is too quick to hit that window reliably through a mount,
 * so the core is driven here in that order, writing the source as passthrough does.
 */
class LateReleaseTest {
  @TempDir Path source;
  private final List<Operation> changes = new CopyOnWriteArrayList<>();
  private final Capture capture =
      new Capture() {
        @Override
        public void changed(Operation operation, byte[] path, byte[] target, int flags) {
          changes.add(operation);
        }
      };
  private final byte[] f = Names.cString("f");

  private void writeSource(String text, long offset) throws IOException {
    try (FileChannel file = FileChannel.open(source.resolve("f"), StandardOpenOption.WRITE)) {
      file.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), offset);
    }
  }

  private int openForWriting(PassthroughFs fs) {
    int fh = fs.open(f, LibC.O_WRONLY);
    assertThat(fh).isNotNegative();
    fs.writesBypass(fh);
    return fh;
  }

  /** A writer that wrote {@code text} and closed its descriptor; its release is still to come. */
  private int closedWriter(PassthroughFs fs, String text) throws IOException {
    int fh = openForWriting(fs);
    writeSource(text, 0);
    fs.flush(f, fh); // close(2)
    return fh;
  }

  @Test
  void aLateReleaseLeavesTheCaptureToTheWriterThatFollowed() throws IOException {
    Files.writeString(source.resolve("f"), "old content");
    try (PassthroughFs fs = PassthroughFs.open(source, capture)) {
      int first = closedWriter(fs, "new");
      assertThat(changes).containsExactly(Operation.WRITE);

      int second = openForWriting(fs);
      writeSource("PARTIAL", 0); // the second writer is half-way
      fs.release(f, first); // the first writer's release, late
      assertThat(changes).as("no capture of the partial bytes").containsExactly(Operation.WRITE);

      fs.flush(f, second);
      fs.release(f, second);
      assertThat(changes).as("the second writer's close").hasSize(2);
    }
  }

  @Test
  void aReleaseAfterTheNextWriterClosedRecordsNothingAgain() throws IOException {
    Files.writeString(source.resolve("f"), "old content");
    try (PassthroughFs fs = PassthroughFs.open(source, capture)) {
      int first = closedWriter(fs, "new");
      fs.release(f, closedWriter(fs, "newer"));
      assertThat(changes).containsExactly(Operation.WRITE, Operation.WRITE);

      fs.release(f, first); // later than the second writer's whole life: its bytes are captured
      assertThat(changes).as("the first writer's late release").hasSize(2);
    }
  }

  /** As unzip, tar and cp -p do: write, close, set the file's times; then the kernel's release. */
  @Test
  void timesSetAfterTheCloseAreNotTakenForNewContent() throws IOException {
    Files.writeString(source.resolve("f"), "old content");
    try (PassthroughFs fs = PassthroughFs.open(source, capture)) {
      int fh = closedWriter(fs, "new");
      assertThat(fs.utimens(f, times(1_000_000_000L))).isZero();
      fs.release(f, fh);
      assertThat(changes).containsExactly(Operation.WRITE, Operation.UTIMENS);
    }
  }

  @Test
  void timesSetAfterUncapturedWritesLeaveThemToTheClose() throws IOException {
    Files.writeString(source.resolve("f"), "old content");
    try (PassthroughFs fs = PassthroughFs.open(source, capture)) {
      int fh = openForWriting(fs);
      writeSource("new", 0); // not captured yet
      assertThat(fs.utimens(f, times(1_000_000_000L))).isZero();
      fs.flush(f, fh);
      fs.release(f, fh);
      assertThat(changes).containsExactly(Operation.UTIMENS, Operation.WRITE);
    }
  }

  /** Access and modification times of {@code seconds}, as utimensat(2) takes them. */
  private static Pointer times(long seconds) {
    Pointer times = Memory.allocateDirect(jnr.ffi.Runtime.getSystemRuntime(), 32);
    times.putLong(0, seconds);
    times.putLong(8, 0);
    times.putLong(16, seconds);
    times.putLong(24, 0);
    return times;
  }

  @Test
  void aReleaseAloneCapturesWhatChangedSinceTheLastFlush() throws IOException {
    Files.writeString(source.resolve("f"), "old content");
    try (PassthroughFs fs = PassthroughFs.open(source, capture)) {
      int only = openForWriting(fs);
      fs.flush(f, only);
      assertThat(changes).as("nothing written yet").isEmpty();
      writeSource("mapped", 0); // through a mapping, after the last flush
      fs.release(f, only);
      assertThat(changes).containsExactly(Operation.WRITE);
    }
  }
}
