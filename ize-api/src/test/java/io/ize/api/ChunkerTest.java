package io.ize.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChunkerTest {
  private static final int MIB = 1 << 20;

  /** 8 MiB and a bit of random bytes; with {@code repeats}, its first MiB copied over the rest. */
  private static byte[] input(long seed, boolean repeats) {
    byte[] data = new byte[8 * MIB + 12345];
    new SplittableRandom(seed).nextBytes(data);
    if (repeats) {
      for (int o = MIB; o + MIB <= data.length; o += MIB) {
        System.arraycopy(data, 0, data, o, MIB);
      }
    }
    return data;
  }

  private static List<Chunk> split(InputStream in) throws IOException {
    List<Chunk> chunks = new ArrayList<>();
    Chunker.split(in, chunks::add);
    return chunks;
  }

  private static String id(List<Chunk> chunks) {
    Manifest manifest = new Manifest();
    chunks.forEach(manifest::add);
    return HexFormat.of().formatHex(manifest.id().bytes());
  }

  @Test
  void cutPointsAreThoseStoresAlreadyHold() throws IOException {
    // Cut points must never change: stored content is deduplicated against them. These ids were
    // computed by the first implementation.
    List<Chunk> random = split(new ByteArrayInputStream(input(1, false)));
    assertThat(random).hasSize(117);
    assertThat(id(random))
        .isEqualTo("6674990a699e4622b4b1ba155774063a8508db309710974bb96d4498dcbd2538");
    List<Chunk> repeats = split(new ByteArrayInputStream(input(2, true)));
    assertThat(repeats).hasSize(104);
    assertThat(id(repeats))
        .isEqualTo("34a686f41991fd5e2db4ef941699ef874503e7485b752b1dddf95c17f166cd39");
  }

  /** Runs of zeros, of a period-7 pattern and of a 4-letter alphabet: long chunks and max cuts. */
  private static byte[] lowEntropy(long seed) {
    byte[] data = new byte[6 * MIB + 777];
    SplittableRandom random = new SplittableRandom(seed);
    for (int o = 0; o < data.length; ) {
      int kind = random.nextInt(3);
      int run = Math.min(data.length - o, 1 + random.nextInt(400_000));
      for (int i = 0; i < run; i++) {
        data[o + i] = kind == 0 ? 0 : kind == 1 ? (byte) (i % 7) : (byte) ('a' + random.nextInt(4));
      }
      o += run;
    }
    return data;
  }

  @Test
  void cutPointsOfLowEntropyContentAreThoseStoresAlreadyHold() throws IOException {
    // Recorded with the chunker before its hashing moved to a second thread (commit 7b3502c);
    // 15 of these chunks end at the maximum size rather than at a cut.
    List<Chunk> chunks = split(new ByteArrayInputStream(lowEntropy(8)));
    assertThat(chunks).hasSize(40);
    assertThat(chunks.stream().filter(c -> c.data().length == Chunker.MAX_SIZE)).hasSize(15);
    assertThat(id(chunks))
        .isEqualTo("e8170bfe5f26b3f7c5fb9dce9cd2c53b18956f43bea02468d4ff3bdd1379d0ef");
  }

  @Test
  void chunksCoverTheInputWithinTheSizeBoundsAndCarryTheirHashes() throws IOException {
    byte[] data = input(3, false);
    List<Chunk> chunks = split(new ByteArrayInputStream(data));
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (int i = 0; i < chunks.size(); i++) {
      byte[] bytes = chunks.get(i).data();
      if (i < chunks.size() - 1) {
        assertThat(bytes.length).isBetween(Chunker.MIN_SIZE, Chunker.MAX_SIZE);
      }
      assertThat(chunks.get(i).hash()).isEqualTo(Chunker.sha256(bytes));
      joined.writeBytes(bytes);
    }
    assertThat(joined.toByteArray()).isEqualTo(data);
  }

  @Test
  void shortReadsCutTheSameChunks() throws IOException {
    byte[] data = input(4, true);
    SplittableRandom sizes = new SplittableRandom(5);
    InputStream trickle =
        new ByteArrayInputStream(data) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1 + sizes.nextInt(70_000)));
          }
        };
    assertThat(id(split(trickle))).isEqualTo(id(split(new ByteArrayInputStream(data))));
  }

  @Test
  void aCutDependsOnlyOnTheBytesFromTheChunkStart() throws IOException {
    byte[] data = input(6, false);
    List<Chunk> chunks = split(new ByteArrayInputStream(data));
    int offset = 0;
    for (Chunk chunk : chunks.subList(0, 20)) {
      byte[] rest = Arrays.copyOfRange(data, offset, data.length);
      assertThat(split(new ByteArrayInputStream(rest)).get(0)).isEqualTo(chunk);
      offset += chunk.data().length;
    }
  }

  @Test
  void inputsAroundTheReadBufferSizesCutAsTheirPrefixOfALargerInputDoes() throws IOException {
    // The read buffer starts small and grows; no size at or near a step may change a cut.
    byte[] data = input(8, false);
    List<Chunk> whole = split(new ByteArrayInputStream(data));
    for (int size : new int[] {32 << 10, (32 << 10) + 1, 128 << 10, (128 << 10) + 1, 300_000}) {
      List<Chunk> part = split(new ByteArrayInputStream(Arrays.copyOf(data, size)));
      int covered = 0;
      for (int i = 0; i < part.size() - 1; i++) {
        assertThat(part.get(i))
            .as("chunk %d of the first %d bytes", i, size)
            .isEqualTo(whole.get(i));
        covered += part.get(i).data().length;
      }
      assertThat(covered + part.get(part.size() - 1).data().length).isEqualTo(size);
    }
  }

  @Test
  void emptyAndSmallInputs() throws IOException {
    assertThat(split(new ByteArrayInputStream(new byte[0]))).isEmpty();
    byte[] small = input(7, false);
    small = Arrays.copyOf(small, Chunker.MIN_SIZE);
    List<Chunk> one = split(new ByteArrayInputStream(small));
    assertThat(one).hasSize(1);
    assertThat(one.get(0).data()).isEqualTo(small);
  }
}
