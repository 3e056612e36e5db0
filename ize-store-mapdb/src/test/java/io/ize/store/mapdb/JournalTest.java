package io.ize.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.volume.MappedFileVol;
import org.mapdb.volume.Volume;

/** Recovery from a journal left by a process that stopped in the middle of a commit. */
class JournalTest {
  @TempDir Path temp;

  private Path file() {
    return temp.resolve("store");
  }

  private Path journal() {
    return temp.resolve("store.journal");
  }

  private JournaledVolume open() throws IOException {
    Volume mapped =
        new MappedFileVol.MappedFileFactory(false, false).makeVolume(file().toString(), false);
    return JournaledVolume.recover(mapped, journal());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static String read(Volume volume, long offset, int length) {
    byte[] data = new byte[length];
    volume.getData(offset, data, 0, length);
    return new String(data, StandardCharsets.US_ASCII);
  }

  /** Leaves a journal whose page 0 holds {@code text} at offset 10, as a stopped commit would. */
  private void leaveJournal(String text) throws IOException {
    byte[] page = new byte[Journal.PAGE];
    System.arraycopy(bytes(text), 0, page, 10, text.length());
    SortedMap<Long, byte[]> pages = new TreeMap<>();
    pages.put(0L, page);
    try (FileChannel channel = Journal.open(journal())) {
      Journal.write(channel, Journal.PAGE, pages);
    }
  }

  @Test
  void writesReachTheFileOnlyAtSyncAndReadsSeeThemBefore() throws IOException {
    try (JournaledVolume volume = open()) {
      volume.ensureAvailable(2 * Journal.PAGE);
      volume.putData(Journal.PAGE - 2, bytes("span"), 0, 4); // across two pages
      volume.putLong(100, 0x0102030405060708L);
      assertThat(read(volume, Journal.PAGE - 2, 4)).isEqualTo("span");
      assertThat(volume.getLong(100)).isEqualTo(0x0102030405060708L);
      assertThat(volume.getDataInput(100, 8).readLong()).isEqualTo(0x0102030405060708L);
      assertThat(Files.readAllBytes(file())[100]).as("not in the file before sync").isZero();
      volume.sync();
      assertThat(Files.size(journal())).as("the journal is emptied once applied").isZero();
    }
    byte[] file = Files.readAllBytes(file());
    assertThat(new String(file, Journal.PAGE - 2, 4, StandardCharsets.US_ASCII)).isEqualTo("span");
    assertThat(ByteBuffer.wrap(file, 100, 8).getLong()).isEqualTo(0x0102030405060708L);
  }

  @Test
  void aCompleteJournalIsAppliedOnOpen() throws IOException {
    try (JournaledVolume volume = open()) {
      volume.putData(10, bytes("old"), 0, 3);
      volume.sync();
    }
    leaveJournal("new");
    try (JournaledVolume volume = open()) {
      assertThat(read(volume, 10, 3)).isEqualTo("new");
    }
    assertThat(Files.size(journal())).isZero();
  }

  @Test
  void aTornOrDamagedJournalIsIgnored() throws IOException {
    try (JournaledVolume volume = open()) {
      volume.putData(10, bytes("old"), 0, 3);
      volume.sync();
    }
    leaveJournal("cut");
    try (FileChannel channel = FileChannel.open(journal(), StandardOpenOption.WRITE)) {
      channel.truncate(Files.size(journal()) - 1); // the process stopped while writing it
    }
    try (JournaledVolume volume = open()) {
      assertThat(read(volume, 10, 3)).isEqualTo("old");
    }
    leaveJournal("bad");
    try (FileChannel channel = FileChannel.open(journal(), StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {(byte) 0xff}), 40); // a flipped byte in the page
    }
    assertThat(Journal.read(journal())).isNull();
    try (JournaledVolume volume = open()) {
      assertThat(read(volume, 10, 3)).isEqualTo("old");
    }
  }

  @Test
  void aStoreWhoseFirstCommitNeverFinishedDoesNotExist() throws IOException {
    Files.write(file(), new byte[Journal.PAGE]); // created, header never committed
    assertThat(JournaledVolume.exists(file(), journal())).isFalse();
    leaveJournal("hdr");
    assertThat(JournaledVolume.exists(file(), journal())).isTrue();
  }
}
