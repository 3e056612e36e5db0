package io.ize.store.mapdb;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.mapdb.CC;
import org.mapdb.volume.MappedFileVol;
import org.mapdb.volume.Volume;
import org.mapdb.volume.VolumeFactory;

/**
 * Where MapDB's {@code StoreWAL} keeps its data: the store file memory-mapped behind a {@link
 * JournaledVolume}, and its write-ahead log in memory.
 *
 * <p>MapDB 3.1.0 never replays its write-ahead log on open, so the log on disk protected nothing
 * and cost a write and a force per commit; the journal does its job. Memory-mapped files: about 4x
 * faster writes and 10x faster scans than the default RandomAccessFile here. Mappings are dropped
 * by the GC after close (no cleaner hack, which needs JDK internals); on Linux that keeps nothing
 * locked.
 */
final class StoreFiles extends VolumeFactory {
  /** The journal's name beside the store file. */
  static final String JOURNAL_SUFFIX = ".journal";

  private final Path store;
  private final Path journal;
  private final VolumeFactory mapped = new MappedFileVol.MappedFileFactory(false, false);

  StoreFiles(Path store) {
    this.store = store;
    this.journal = store.resolveSibling(store.getFileName() + JOURNAL_SUFFIX);
  }

  private boolean isStore(String file) {
    return file != null && new File(file).toPath().equals(store);
  }

  @Override
  public Volume makeVolume(
      String file,
      boolean readOnly,
      long fileLockWait,
      int sliceShift,
      long initSize,
      boolean fixedSize) {
    if (!isStore(file)) { // the write-ahead log
      return CC.DEFAULT_MEMORY_VOLUME_FACTORY.makeVolume(
          null, readOnly, fileLockWait, sliceShift, initSize, fixedSize);
    }
    Volume volume =
        mapped.makeVolume(file, readOnly, fileLockWait, sliceShift, initSize, fixedSize);
    try {
      return JournaledVolume.recover(volume, journal); // the file is locked by now
    } catch (IOException e) {
      volume.close();
      throw new UncheckedIOException("cannot recover the MapDB store " + store, e);
    } catch (RuntimeException e) {
      volume.close();
      throw e;
    }
  }

  @Override
  public boolean exists(String file) {
    return isStore(file) && JournaledVolume.exists(store, journal);
  }

  @Override
  public boolean handlesReadonly() {
    return false;
  }
}
